// A counterexample written as a case (scenarios/cases/FORMAT.md) names
// messages and timers so that replaying the script reaches the violation:
// here the script is read back and run on the explorer's world by those
// names (`rekeysim test` runs the same file on the scripted world).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/explore/helpers.hpp"
#include "tools/explore/case_yaml.hpp"

using namespace rekeysim::explore;
using explore_test::find;
using explore_test::peers_of;
using models::PeerId;

namespace {

PeerId peer_of(const std::string& s) {
  REQUIRE((s == "a" || s == "b"));
  return s == "a" ? PeerId::kA : PeerId::kB;
}

// Runs a case script on a fresh World by the names it uses.
std::unique_ptr<World> run_script(const explore_test::Peers& p, const YAML::Node& script) {
  auto w = std::make_unique<World>(p.a, p.b, p.seed);
  std::vector<std::string> octets[2];
  for (const auto& step : script) {
    REQUIRE(step.size() == 1);
    const std::string key = step.begin()->first.as<std::string>();
    const YAML::Node v = step.begin()->second;
    if (key == "nonces") {
      // The nonce order whose request nonces start 0x00; checked below
      // against every nonce the replay makes.
      for (int i = 0; i < 2; ++i)
        for (const auto& o : v[i == 0 ? "a" : "b"]) octets[i].push_back(o.as<std::string>());
      const bool b_lowest =
          std::find(octets[1].begin(), octets[1].end(), "0x00") != octets[1].end();
      w->apply({StepKind::kNonceOrder, PeerId::kA, static_cast<std::uint16_t>(b_lowest)});
      continue;
    }
    if (key == "advance_to") {
      const SimTime t = sim::parse_duration(v.as<std::string>());
      CHECK(t >= w->now());
      // Nothing is due by then: an `advance_to` of the case fires no timer.
      for (const auto& t2 : w->timers()) CHECK(t2.at > t);
      continue;
    }
    if (key == "fire") {
      const PeerId peer = peer_of(v["peer"].as<std::string>());
      const std::string kind = v["timer"].as<std::string>();
      std::optional<std::size_t> pick;
      for (std::size_t i = 0; i < w->timers().size() && !pick; ++i) {
        const auto& t = w->timers()[i];
        if (t.peer != peer || to_string(t.kind) != kind) continue;
        if (v["sa"] && t.cookie != v["sa"].as<std::uint64_t>()) continue;
        if (v["ike"] && t.cookie != v["ike"].as<std::uint64_t>()) continue;
        pick = i;  // timers are sorted: the one due first
      }
      REQUIRE(pick.has_value());
      w->apply({StepKind::kFire, peer, static_cast<std::uint16_t>(*pick)});
      continue;
    }
    REQUIRE((key == "deliver" || key == "drop"));
    const std::string name = v.as<std::string>();
    bool done = false;
    for (PeerId to : {PeerId::kA, PeerId::kB}) {
      const auto& q = w->in_flight(to);
      for (std::size_t i = 0; i < q.size() && !done; ++i) {
        if (q[i].name != name) continue;
        w->apply({key == "deliver" ? StepKind::kDeliver : StepKind::kDrop, to,
                  static_cast<std::uint16_t>(i)});
        done = true;
      }
    }
    INFO(name);
    REQUIRE(done);
  }
  for (PeerId peer : {PeerId::kA, PeerId::kB}) {
    std::vector<std::string> made;
    for (auto o : w->nonce_octets(peer)) made.push_back(o == 0 ? "0x00" : "0xff");
    CHECK(made == octets[static_cast<int>(peer)]);
  }
  return w;
}

}  // namespace

TEST_CASE("Explore case: the can't-find-SA counterexample replays by message names") {
  const auto p = peers_of("scenarios/kb-incident.yaml");
  Options o;
  o.seed = p.seed;
  const Violation* v = nullptr;
  const Result r = explore(p.a, p.b, o);
  v = find(r, "cant_find_sa");
  REQUIRE(v != nullptr);
  const std::string text = case_yaml(p.a, p.b, p.seed, *v, {"kb cant_find_sa", "d", "s"});
  const YAML::Node doc = YAML::Load(text);
  CHECK(doc["name"].as<std::string>() == "kb cant_find_sa");
  CHECK(doc["seed"].as<std::uint64_t>() == p.seed);
  CHECK(doc["peers"]["a"]["profile"].as<std::string>() == "panos");
  CHECK(doc["peers"]["b"]["profile"].as<std::string>() == "cisco-asa");
  // The scenario's own margins, as peer keys.
  CHECK(doc["peers"]["a"]["child"]["margin"].as<std::string>() == "48m");
  CHECK(doc["establish"].as<std::string>() == "a");
  // The expectation the order violates.
  CHECK(doc["expect"]["events"]["delete_for_unknown_spi"].as<int>() == 0);
  const YAML::Node script = doc["script"];
  // The nonce order (RFC 7296 2.8.1: A's request nonce lowest), advance_to,
  // two fires, five deliveries.
  REQUIRE(script.size() == 9);
  CHECK(script[0]["nonces"]["a"][0].as<std::string>() == "0x00");
  CHECK(script[0]["nonces"]["b"][0].as<std::string>() == "0xff");
  CHECK(script[1]["advance_to"].as<std::string>() == "7h11m59.999999999s");
  CHECK(script[8]["deliver"].as<std::string>() == "b.INFORMATIONAL.req#1");
  const auto w = run_script(p, script);
  std::size_t unknown = 0;
  for (const auto& rec : w->trace()) unknown += rec.kind == models::TraceKind::kDeleteForUnknownSpi;
  CHECK(unknown == 1);
  // Same records as the explorer's own replay of the steps.
  CHECK(w->trace().size() == replay(p.a, p.b, p.seed, v->steps)->trace().size());
}

TEST_CASE("Explore case: losses and retransmissions are named as the case format names them") {
  const auto p = peers_of("scenarios/explore/rfc7296-pair.yaml");
  // Lose A's first rekey request, let the retransmit timer fire, deliver the copy.
  World w(p.a, p.b, p.seed);
  const Bounds b{{}, 1, false, horizon_of(w)};
  Step fire_a{};
  for (const Step& s : w.enabled(b, 0))
    if (s.kind == StepKind::kFire && s.peer == PeerId::kA) fire_a = s;
  w.apply(fire_a);
  REQUIRE(w.in_flight(PeerId::kB).size() == 1);
  CHECK(w.in_flight(PeerId::kB)[0].name == "a.CREATE_CHILD_SA.req#1");
  w.apply({StepKind::kDrop, PeerId::kB, 0});
  std::optional<std::uint16_t> rt;
  for (std::size_t i = 0; i < w.timers().size(); ++i)
    if (w.timers()[i].kind == TimerKind::kRetransmit) rt = static_cast<std::uint16_t>(i);
  REQUIRE(rt.has_value());
  w.apply({StepKind::kFire, PeerId::kA, *rt});
  REQUIRE(w.in_flight(PeerId::kB).size() == 1);
  CHECK(w.in_flight(PeerId::kB)[0].name == "a.CREATE_CHILD_SA.req#1.retransmit1");
  CHECK(w.in_flight(PeerId::kB)[0].retransmit);
  w.apply({StepKind::kDeliver, PeerId::kB, 0});
  CHECK(w.in_flight(PeerId::kA).at(0).name == "b.CREATE_CHILD_SA.resp#1");
}

TEST_CASE("Explore case: peers are written as the keys that differ from their profile") {
  const auto p = peers_of("scenarios/explore/no-tiebreak.yaml");
  const YAML::Node a = YAML::Load(peer_yaml(p.a, 0));
  CHECK(a["profile"].as<std::string>() == "libreswan");
  CHECK(a["child"]["lifetime"].as<std::string>() == "1h");
  CHECK(a["child"]["responder_margin_scale"]);
  // Keys equal to the profile's are left out.
  CHECK(!a["behaviour"]);
}
