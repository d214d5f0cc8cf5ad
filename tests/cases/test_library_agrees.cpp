// The shipped case library (scenarios/cases) and the C++ protocol tests
// (tests/models) describe the same orderings: every strongSwan-style TEST_CASE
// of the four protocol test files is mirrored by at least one case file, and
// for a sample the C++ script and the YAML case produce the very same wire
// messages and trace records.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "case_text.hpp"
#include "helpers.hpp"

using namespace rekeysim_test;
namespace fs = std::filesystem;

namespace {

std::string source(const std::string& rel) {
  return std::string(REKEYSIM_SOURCE_DIR) + "/" + rel;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// TEST_CASE names of a Catch2 file (adjacent string literals joined).
std::set<std::string> test_case_names(const std::string& text) {
  std::set<std::string> names;
  for (std::size_t at = text.find("TEST_CASE("); at != std::string::npos;
       at = text.find("TEST_CASE(", at + 1)) {
    std::string name;
    std::size_t i = at + 10;
    for (;;) {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (i >= text.size() || text[i] != '"') break;
      const std::size_t end = text.find('"', i + 1);
      name += text.substr(i + 1, end - i - 1);
      i = end + 1;
    }
    names.insert(name);
  }
  return names;
}

// file -> TEST_CASE names that case files say they mirror
// ("# Mirrors tests/models/<file> "<name>".").
std::map<std::string, std::set<std::string>> mirrored() {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& e : fs::recursive_directory_iterator(source("scenarios/cases"))) {
    if (e.path().extension() != ".yaml") continue;
    std::ifstream in(e.path());
    std::string line;
    std::getline(in, line);
    const std::string tag = "# Mirrors tests/models/";
    if (line.rfind(tag, 0) != 0) continue;
    const std::size_t space = line.find(' ', tag.size());
    const std::size_t open = line.find('"', space);
    const std::size_t close = line.rfind('"');
    out[line.substr(tag.size(), space - tag.size())].insert(
        line.substr(open + 1, close - open - 1));
  }
  return out;
}

rekeysim::cases::CaseResult run_file(const std::string& rel) {
  return rekeysim::cases::run_case(rekeysim::cases::load_case_file(source(rel)));
}

// Two traces record the same events (kind, peer, time, SPIs, message).
void require_same_trace(const std::vector<models::TraceRecord>& cpp,
                        const std::vector<models::TraceRecord>& yaml) {
  REQUIRE(cpp.size() == yaml.size());
  for (std::size_t i = 0; i < cpp.size(); ++i) {
    INFO("record " << i << ": " << to_string(cpp[i].kind) << " vs " << to_string(yaml[i].kind));
    CHECK(cpp[i].kind == yaml[i].kind);
    CHECK(cpp[i].peer == yaml[i].peer);
    CHECK(cpp[i].time == yaml[i].time);
    CHECK(cpp[i].spi_in == yaml[i].spi_in);
    CHECK(cpp[i].spi_out == yaml[i].spi_out);
    CHECK(cpp[i].new_spi_in == yaml[i].new_spi_in);
    CHECK(cpp[i].won == yaml[i].won);
    CHECK(models::scripted::describe(cpp[i].message) ==
          models::scripted::describe(yaml[i].message));
  }
}

}  // namespace

// The shipped collision-resolution variants (issue 11 part 3) of
// test_incidents.cpp: each test named by its source (OpenIKED, strongSwan
// before a fix) has a case in scenarios/cases/variants, and no case there
// claims a test that does not exist.
TEST_CASE("every collision-variant test of test_incidents.cpp has a YAML case",
          "[cases][library]") {
  const auto names = test_case_names(slurp(source("tests/models/test_incidents.cpp")));
  const auto cases = mirrored();
  const auto it = cases.find("test_incidents.cpp");
  REQUIRE(it != cases.end());
  int variants = 0;
  for (const auto& n : names) {
    const bool variant = n.starts_with("OpenIKED PR 83: inverted nonce comparison vs an RFC") ||
                         n.starts_with("strongSwan 4.5.0 ") || n.starts_with("strongSwan 5.5 ");
    if (!variant) continue;
    ++variants;
    INFO("TEST_CASE " << n);
    CHECK(it->second.count(n) == 1);
  }
  CHECK(variants == 6);
  for (const auto& n : it->second) {
    INFO("case mirrors " << n);
    CHECK(names.count(n) == 1);
  }
}

TEST_CASE("every strongSwan-style C++ protocol test has a YAML case in scenarios/cases",
          "[cases][library]") {
  const auto cases = mirrored();
  for (const char* file :
       {"test_child_rekey.cpp", "test_child_collision.cpp", "test_delete.cpp", "test_ike.cpp"}) {
    INFO(file);
    const auto names = test_case_names(slurp(source(std::string("tests/models/") + file)));
    CHECK(names.size() >= 7);
    const auto it = cases.find(file);
    REQUIRE(it != cases.end());
    for (const auto& n : names) {
      INFO("TEST_CASE " << n);
      CHECK(it->second.count(n) == 1);
    }
    // And no case claims a test that does not exist (renamed or removed).
    for (const auto& n : it->second) {
      INFO("case mirrors " << n);
      CHECK(names.count(n) == 1);
    }
  }
}

TEST_CASE("case library agrees with C++: CC-11 in every nonce order and both tie-breaks",
          "[cases][library]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2, Lowest::kN3, Lowest::kN4);
  const bool rfc = GENERATE(true, false);
  const char* names[] = {"n1", "n2", "n3", "n4"};
  const std::string file = std::string("scenarios/cases/collision/cc-11-") +
                           names[static_cast<int>(lowest)] + (rfc ? "-rfc" : "-strongswan") +
                           ".yaml";
  INFO(file);
  // The C++ test's script (tests/models/test_child_collision.cpp, CC-11).
  PeerConfig p = strongswan_peer();
  p.behaviour.collision_resolution = rfc ? models::CollisionResolution::kRfc7296FourNonce
                                         : models::CollisionResolution::kStrongswanMinNonce;
  ScriptedWorld w(p, p);
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  w.deliver(B);
  w.deliver(A);
  w.deliver(A);
  w.deliver(B);
  w.deliver(A);
  w.deliver(B);
  w.deliver(A);
  w.deliver(B);
  w.advance(sim::seconds(5));

  const auto r = run_file(file);
  INFO(cases_test::failures(r));
  CHECK(r.passed);
  CHECK(r.actual_ladder == w.ladder());
  require_same_trace(w.trace(), r.trace);
}

TEST_CASE("case library agrees with C++: CR-10 retransmission schedule and give-up",
          "[cases][library]") {
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  w.a().request_rekey_child(1);
  w.deliver(B);
  w.deliver(A);
  w.drop_all(B);
  w.run_until(sim::seconds(200));
  const auto r = run_file("scenarios/cases/child_rekey/cr-10-delete-timeout.yaml");
  INFO(cases_test::failures(r));
  CHECK(r.passed);
  CHECK(r.actual_ladder == w.ladder());
  require_same_trace(w.trace(), r.trace);
}

TEST_CASE("case library agrees with C++: IC-35 simultaneous IKE rekey", "[cases][library]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2, Lowest::kN3, Lowest::kN4);
  const char* names[] = {"n1", "n2", "n3", "n4"};
  ScriptedWorld w(strongswan_peer(), strongswan_peer());
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_ike();
  w.b().request_rekey_ike();
  w.deliver(B);
  w.deliver(A, 0);
  w.deliver(A);
  w.deliver(B);
  settle(w);
  w.a().request_rekey_child(w.a().child_sas()[0].spi_in);
  settle(w);
  const auto r = run_file(std::string("scenarios/cases/ike/ic-35-") +
                          names[static_cast<int>(lowest)] + ".yaml");
  INFO(cases_test::failures(r));
  CHECK(r.passed);
  CHECK(r.actual_ladder == w.ladder());
  require_same_trace(w.trace(), r.trace);
}

TEST_CASE("case library agrees with C++: naive crossing DELETE (the KB mechanism)",
          "[cases][library]") {
  PeerConfig naive = rfc_peer();
  naive.behaviour.crossing_delete = models::CrossingDeleteHandling::kNaive;
  naive.behaviour.unknown_spi = models::UnknownSpiAction::kLogCantFindSa;
  ScriptedWorld w(naive, naive);
  w.establish(A);
  w.a().request_delete_child(1);
  w.b().request_delete_child(2);
  w.deliver(A);
  settle(w);
  const auto r = run_file("scenarios/cases/delete/naive-crossing-delete-cant-find-sa.yaml");
  INFO(cases_test::failures(r));
  CHECK(r.passed);
  CHECK(r.actual_ladder == w.ladder());
  require_same_trace(w.trace(), r.trace);
}

// A counterexample as `rekeysim explore` (branch explore) writes it, kept
// verbatim: the case format's contract with the explorer. It replays here
// and fails exactly as explore reported: PAN-OS meets ASA's DELETE of the SA
// it already replaced (the KB incident's can't-find-SA).
TEST_CASE("an explore counterexample replays and fails as reported", "[cases][library]") {
  const auto r = run_file("tests/cases/data/explore-kb-incident-cant-find-sa.yaml");
  CHECK_FALSE(r.passed);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].field == "expect.events.delete_for_unknown_spi");
  CHECK(r.failures[0].expected == "0");
  CHECK(r.failures[0].actual == "1");
  REQUIRE(r.actual_ladder.size() >= 2);
  CHECK(r.actual_ladder[r.actual_ladder.size() - 2] == "B->A INFORMATIONAL request 1 {D(ESP,2)}");
  CHECK(r.actual_ladder.back() == "A->B INFORMATIONAL response 1 {}");  // answered empty
  bool at_a = false;
  for (const auto& rec : r.trace)
    if (rec.kind == models::TraceKind::kDeleteForUnknownSpi && rec.peer == models::PeerId::kA &&
        rec.spi_in == 2)
      at_a = true;
  CHECK(at_a);
}

// The examples in the docs are cases that pass: FORMAT.md's first example and
// the README's `rekeysim test` example.
TEST_CASE("the case examples of FORMAT.md and README.md load and pass", "[cases][library]") {
  for (const char* doc : {"scenarios/cases/FORMAT.md", "README.md"}) {
    INFO(doc);
    const std::string text = slurp(source(doc));
    const std::size_t open = text.find("```yaml\nname:");
    REQUIRE(open != std::string::npos);
    const std::size_t start = open + 8;
    const std::string yaml = text.substr(start, text.find("```", start) - start);
    const auto r = rekeysim::cases::run_case(rekeysim::cases::load_case_text(yaml, doc));
    INFO(cases_test::failures(r));
    CHECK(r.passed);
  }
}

TEST_CASE("case library agrees with C++: lost response retransmitted after the winner's DELETE",
          "[cases][library]") {
  const Lowest lowest = GENERATE(Lowest::kN1, Lowest::kN2, Lowest::kN3, Lowest::kN4);
  const char* names[] = {"n1", "n2", "n3", "n4"};
  const std::string file =
      std::string("scenarios/cases/collision/lost-response-retransmitted-after-delete-") +
      names[static_cast<int>(lowest)] + ".yaml";
  INFO(file);
  // The C++ test's script (tests/models/test_child_collision.cpp, "RFC 7296
  // 2.8.1 and 2.1: collision settled by nonces when the lost response ...").
  ScriptedWorld w(rfc_peer(), rfc_peer());
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  w.deliver(A);
  w.deliver(B, 0);
  w.deliver(A);
  w.drop(B, 0);
  settle(w);
  w.advance(sim::seconds(6));
  w.deliver(A);
  w.deliver(B);
  settle(w);
  w.advance(sim::seconds(6));

  const auto r = run_file(file);
  INFO(cases_test::failures(r));
  CHECK(r.passed);
  CHECK(r.actual_ladder == w.ladder());
  require_same_trace(w.trace(), r.trace);
}

TEST_CASE("case library agrees with C++: old SA hard-expires before the retransmitted response",
          "[cases][library]") {
  const Lowest lowest = GENERATE(Lowest::kN2, Lowest::kN4);
  const std::string file =
      std::string("scenarios/cases/collision/old-sa-hard-expires-before-retransmitted-response-") +
      (lowest == Lowest::kN2 ? "n2" : "n4") + ".yaml";
  INFO(file);
  // The C++ test's script (tests/models/test_child_collision.cpp, "RFC 7296
  // 2.8.1 and 2.8: collision settled by nonces when the old SA hard-expires ...").
  ScriptedWorld w(rfc_peer(), rfc_peer());
  w.establish(A);
  force_lowest(w, lowest);
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  w.deliver(A);
  w.deliver(B, 0);
  w.deliver(A);
  w.drop(B, 0);
  settle(w);
  w.b().on_timer(TimerKind::kChildHardExpire, 2);
  w.advance(sim::seconds(6));
  w.deliver(A);
  w.deliver(B);
  settle(w);
  w.advance(sim::seconds(6));

  const auto r = run_file(file);
  INFO(cases_test::failures(r));
  CHECK(r.passed);
  CHECK(r.actual_ladder == w.ladder());
  require_same_trace(w.trace(), r.trace);
}
