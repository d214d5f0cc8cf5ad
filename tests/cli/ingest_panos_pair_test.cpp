// Both PAN-OS ikemgr logs of one simulated tunnel (`trace --peer a|b
// --style panos`): the pair finds the collisions `run` counts (both peers'
// soft expiries of one SA), one log the crossings of DELETEs; rekeys are
// counted from the soft expiries (PFKEY_EXPIRE expired=1); the one-way
// latency from the rekeys' round trips; --peer b puts the log on peer b.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "run_cli.hpp"

using cli_test::run;
using cli_test::source;
using cli_test::TempDir;

namespace {

// The KB incident at 1 h lifetimes for 2 days, trial 0: 53 Child SAs
// rekeyed (36 soft-expired at A, 44 at B, 27 at both), 27 collisions in
// `run`: simultaneous rekeys of an SA, 10 of them followed by crossing
// DELETEs. B (the ASA's timing) writes its "Deleted SA" banners 5 s after
// the exchange, A with the transmit.
const std::string kSets =
    " --set duration=2d --set peers.a.child.lifetime=1h --set peers.b.child.lifetime=1h"
    " --set peers.a.child.margin=6m --set peers.b.child.margin=6m";

void write_pair(const TempDir& dir) {
  for (const char* p : {"a", "b"}) {
    const auto t = run("trace " + source("scenarios/kb-incident.yaml") + kSets +
                       " --trial 0 --window 3d --peer " + p + " --style panos --out " +
                       (dir / (std::string(p) + ".log")));
    REQUIRE(t.status == 0);
  }
}

std::string episodes(const std::string& out, const std::string& kind) {
  std::string s;
  std::size_t at = 0;
  while ((at = out.find("  " + kind, at)) != std::string::npos) {
    s += out.substr(out.rfind("t=", at), at - out.rfind("t=", at)) + "|";
    ++at;
  }
  return s;
}

}  // namespace

TEST_CASE("ingest panos pair: the two logs find the collisions run counts, one log its crossings") {
  TempDir dir;
  write_pair(dir);
  // `run`'s own count for the trial (trial 0 of seed 42): the truth.
  const auto truth =
      run("run " + source("scenarios/kb-incident.yaml") + kSets + " --trials 1 -q --format json");
  REQUIRE(truth.status == 0);
  const auto j = nlohmann::json::parse(truth.out);
  CHECK(j["outcomes"]["collisions"]["count"] == 27);
  CHECK(j["outcomes"]["cant_find_sa"]["count"] == 13);
  const auto one = run("ingest " + (dir / "a.log"));
  const auto pair = run("ingest " + (dir / "a.log") + " " + (dir / "b.log"));
  REQUIRE(one.status == 0);
  REQUIRE(pair.status == 0);
  INFO(pair.out);
  // Was 0 with both logs. Both peers soft-expired 27 SAs: each a
  // simultaneous rekey.
  CHECK(pair.out.find("  collisions     27  ") != std::string::npos);
  CHECK(pair.out.find("  cant_find_sa   13  ") != std::string::npos);
  const std::string seen = episodes(pair.out, "collision (");
  CHECK(std::count(seen.begin(), seen.end(), '|') == 27);
  CHECK(episodes(pair.out, "collision (simultaneous_child_rekey)") ==
        episodes(pair.out, "collision ("));
  // A's log alone shows no CREATE_CHILD_SA: of those, the 11 whose
  // DELETEs crossed (the peer's DELETE found the SA gone: can't-find-SA).
  CHECK(one.out.find("  collisions     10  ") != std::string::npos);
  const std::string crossings = episodes(one.out, "collision (crossing_delete)");
  CHECK(std::count(crossings.begin(), crossings.end(), '|') == 10);
  // B's log alone: its device deleted each SA only after the answer, so no
  // DELETE of A's found it gone: no crossing shows from B's side.
  const auto b = run("ingest " + (dir / "b.log") + " --peer b");
  CHECK(b.out.find("  collisions     0  ") != std::string::npos);
}

TEST_CASE("ingest panos pair: Child SA rekeys are counted from the soft expiries") {
  TempDir dir;
  write_pair(dir);
  const auto pair = run("ingest " + (dir / "a.log") + " " + (dir / "b.log"));
  INFO(pair.out);
  REQUIRE(pair.status == 0);
  // 53 SAs, each rekeyed once, whichever peer's timer fired first: an SA
  // both peers soft-expired is one (its halves from its Deleted SA banner).
  CHECK(pair.out.find("  child_rekeys   53  (distinct Child SAs soft-expired in either log "
                      "(PFKEY_EXPIRE))") != std::string::npos);
  // One every 54 min (1 h lifetime - 6 min margin, no random part set).
  CHECK(pair.out.find("rekey interval (= lifetime - margin - random part): median 3240.0") !=
        std::string::npos);
  CHECK(pair.out.find(", n=52; lines") != std::string::npos);
  // The scenario written from it is valid: the lifetime (54 min + the
  // margin assumed) was written "4.86e+03s", which the grammar refuses.
  const auto w =
      run("ingest " + (dir / "a.log") + " " + (dir / "b.log") + " --scenario " + (dir / "s.yaml"));
  REQUIRE(w.status == 0);
  CHECK(cli_test::slurp(dir / "s.yaml").find("child: {lifetime: 4860.031s, margin: 27m") !=
        std::string::npos);
  const auto v = run("validate " + (dir / "s.yaml"));
  INFO(v.err);
  CHECK(v.status == 0);
  // One log: every rekey too, its own soft expiries and the DELETEs of the
  // old SAs of the rekeys its peer started (was 36 and 44, each device's
  // own soft expiries only: "the rekeys it started").
  const auto a = run("ingest " + (dir / "a.log"));
  INFO(a.out);
  CHECK(a.out.find("  child_rekeys   53  (Child SA generations ended in this log, whichever peer "
                   "rekeyed: its soft expiries (PFKEY_EXPIRE) and the DELETEs of old SAs it sent "
                   "or received)") != std::string::npos);
  const auto b = run("ingest " + (dir / "b.log") + " --peer b");
  CHECK(b.out.find("  child_rekeys   53  ") != std::string::npos);
  // Who initiates: each device's soft expiries (was "A 0, B 0 requests":
  // PAN-OS logs no CREATE_CHILD_SA). The 27 both expired are collisions,
  // so 36 + 44 = 53 + 27. Its KE is not logged: PFS is not claimed either way.
  CHECK(pair.out.find("who initiates Child SA rekeys: A 36, B 44 soft expiries (each starts a "
                      "rekey; no request logged); lines ") != std::string::npos);
  CHECK(pair.out.find("PFS on Child SA rekeys: not shown (no rekey request logged)") !=
        std::string::npos);
  CHECK(a.out.find("who initiates Child SA rekeys: A 36, B 0 soft expiries") != std::string::npos);
  // The KB sample has no soft expiry: the count falls back to installs (0).
  const auto kb = run("ingest " + source("tests/data/panos/ikemgr-delete-race.log"));
  CHECK(kb.out.find("  child_rekeys   0  (new inbound Child SAs installed") != std::string::npos);
}

namespace {

// The Child SA lifetime written to a scenario (its "child: {lifetime: Xs").
double written_lifetime_s(const std::string& yaml) {
  const std::string key = "child: {lifetime: ";
  const auto at = yaml.find(key);
  return at == std::string::npos ? -1 : std::stod(yaml.substr(at + key.size()));
}

}  // namespace

TEST_CASE("ingest panos: one log alone gives the pair's Child SA rekey interval and lifetime") {
  // Each peer's log shows only its own soft expiries: where the peers take
  // turns its own are two SA generations apart, and the interval read from
  // A's log was 3240 s or 6480 s, its lifetime written from the upper
  // quartile 6480 s + margin. The DELETEs of the old SAs of B's rekeys put
  // those on A's time line too: the tunnel's 54 min, as from both logs.
  TempDir dir;
  write_pair(dir);
  const auto pair =
      run("ingest " + (dir / "a.log") + " " + (dir / "b.log") + " --scenario " + (dir / "p.yaml"));
  const auto a = run("ingest " + (dir / "a.log") + " --scenario " + (dir / "a.yaml"));
  const auto b = run("ingest " + (dir / "b.log") + " --peer b --scenario " + (dir / "b.yaml"));
  REQUIRE(pair.status == 0);
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  INFO(a.out);
  INFO(b.out);
  for (const auto* one : {&a, &b}) {
    CHECK(one->out.find("rekey interval (= lifetime - margin - random part): median 3240.0") !=
          std::string::npos);
    CHECK(one->out.find(", n=52; lines") != std::string::npos);
  }
  // The pair wrote 4860.031 s; one log's points are the DELETEs of B's
  // rekeys, a round trip (tens of ms) after B's soft expiry.
  const double want = written_lifetime_s(cli_test::slurp(dir / "p.yaml"));
  CHECK(std::abs(want - 4860.031) < 0.001);
  CHECK(std::abs(written_lifetime_s(cli_test::slurp(dir / "a.yaml")) - want) < 0.05);
  CHECK(std::abs(written_lifetime_s(cli_test::slurp(dir / "b.yaml")) - want) < 0.05);
}

TEST_CASE("ingest panos --compare: one log's scenario reproduces its can't-find-SA rate") {
  // The fresh-clone reproduction (issue 12): 1 h lifetimes, the scenario's
  // 48 min margins, A's log alone. The interval read was 720 s or 1440 s
  // (lifetime written 2160 s), so the scenario rekeyed half as often and
  // both rates came out OUTSIDE: simulated 0 can't-find-SA where the log
  // shows 58.
  TempDir dir;
  const auto t = run("trace " + source("scenarios/kb-incident.yaml") +
                     " --set peers.a.child.lifetime=1h --set peers.b.child.lifetime=1h"
                     " --set duration=2d --trial 0 --window 3d --peer a --style panos --out " +
                     (dir / "a.log"));
  REQUIRE(t.status == 0);
  const auto r = run("ingest " + (dir / "a.log") + " --profile-b cisco-asa --scenario " +
                     (dir / "p.yaml") + " --compare");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("  child_rekeys   239  ") != std::string::npos);  // 2 d / 12 min = 240
  CHECK(r.out.find("Child SA rekey interval: observed median 720.0") != std::string::npos);
  auto verdict = [&](const std::string& name) {
    const auto at = r.out.find("  " + name + ": simulated");
    REQUIRE(at != std::string::npos);
    return r.out.substr(at, r.out.find('\n', at) - at);
  };
  // One log shows only its own device's can't-find-SA and, for PAN-OS,
  // only the collisions whose DELETEs crossed (35 of run's 125): lower
  // bounds, which the simulated rates (0.24 and 0.50) must not fall below.
  // Judged as intervals both were OUTSIDE, though the model was right.
  CHECK(verdict("cant_find_sa")
            .find(", a lower bound (one log shows only its own device's) -> simulated rate "
                  "consistent with it") != std::string::npos);
  CHECK(verdict("collisions")
            .find(" 35 in 239 rekeys = 0.146 [0.107, 0.197], a lower bound (one PAN-OS log shows "
                  "only the collisions whose DELETEs crossed) -> simulated rate consistent with "
                  "it") != std::string::npos);
  // With both logs the counts are the tunnel's: judged as intervals.
  const auto b = run("trace " + source("scenarios/kb-incident.yaml") +
                     " --set peers.a.child.lifetime=1h --set peers.b.child.lifetime=1h"
                     " --set duration=2d --trial 0 --window 3d --peer b --style panos --out " +
                     (dir / "b.log"));
  REQUIRE(b.status == 0);
  const auto pair = run("ingest " + (dir / "a.log") + " " + (dir / "b.log") + " --scenario " +
                        (dir / "q.yaml") + " --compare");
  INFO(pair.out);
  REQUIRE(pair.status == 0);
  CHECK(pair.out.find("a lower bound") == std::string::npos);
  CHECK(pair.out.find("  collisions: simulated ") != std::string::npos);
}

TEST_CASE("ingest panos: a crossing DELETE is not the answer to ours, the rekey's round trip is") {
  // The simulated KB incident at A (16 ms one way): the soft expiry (line 1)
  // starts A's rekey, whose answer arrives 31 ms later, when A sends its
  // DELETE (line 3); B's DELETE, sent before A's arrived, comes 1 ms after
  // A's (line 7). It was read as the answer: 500 us one way.
  TempDir dir;
  const auto t = run("trace " + source("scenarios/kb-incident.yaml") +
                     " --peer a --style panos --out " + (dir / "a.log"));
  REQUIRE(t.status == 0);
  const auto r = run("ingest " + (dir / "a.log"));
  INFO(r.out);
  CHECK(r.out.find("one-way latency (half of request -> response gaps, responder processing "
                   "included): median 15.500 ms (one value: no interval), n=1; lines a.log:3") !=
        std::string::npos);
  CHECK(r.out.find("collision (crossing_delete)  lines a.log:3, a.log:7") != std::string::npos);
  // Over two days at 1 h lifetimes: every rekey's round trip, none of the
  // crossing DELETEs (they gave a median of 13.5 ms, a range down to 0).
  write_pair(dir);
  const auto a = run("ingest " + (dir / "a.log"));
  INFO(a.out);
  CHECK(a.out.find("median 15.500 ms, mean 95% [15.284 ms, 16.031 ms], range 12.000 ms .. "
                   "20.000 ms, n=70;") != std::string::npos);
  // The KB excerpt has no rekey to compare with: its DELETE back (32 ms)
  // is still taken as the answer (ingest_test.cpp checks its 16 ms).
}

TEST_CASE("ingest --peer b: the log's profile and latency are peer B's, A gets the assumed one") {
  TempDir dir;
  const std::string kb = source("tests/data/panos/ikemgr-delete-race.log");
  // The log's profile went on peer a, the "no log" comment on b; and the
  // latency was not shown (only peer A's gaps were looked at).
  const auto r = run("ingest " + kb + " --peer b --scenario " + (dir / "s.yaml"));
  REQUIRE(r.status == 0);
  CHECK(r.out.find("one-way latency (half of request -> response gaps, responder processing "
                   "included): median 16.000 ms") != std::string::npos);
  const std::string y = cli_test::slurp(dir / "s.yaml");
  INFO(y);
  CHECK(y.find("  a:\n    profile: panos   # no log of peer A: the same vendor as B assumed "
               "(--profile-b names it)\n") != std::string::npos);
  CHECK(y.find("  b:\n    profile: panos   # log style panos\n") != std::string::npos);
  CHECK(y.find("latency: 16ms") != std::string::npos);
  // --profile-b names the peer whose log is not given: here A.
  const auto p =
      run("ingest " + kb + " --peer b --profile-b cisco-asa --scenario " + (dir / "p.yaml"));
  REQUIRE(p.status == 0);
  const std::string py = cli_test::slurp(dir / "p.yaml");
  INFO(py);
  CHECK(py.find("  a:\n    profile: cisco-asa   # --profile-b (the peer whose log is not "
                "given)\n") != std::string::npos);
  CHECK(py.find("  b:\n    profile: panos   # log style panos\n") != std::string::npos);
  // Peer A's log as before: its profile on a, --profile-b on b.
  const auto a = run("ingest " + kb + " --profile-b cisco-asa --scenario " + (dir / "a.yaml"));
  REQUIRE(a.status == 0);
  const std::string ay = cli_test::slurp(dir / "a.yaml");
  CHECK(ay.find("  a:\n    profile: panos   # log style panos\n") != std::string::npos);
  CHECK(ay.find("  b:\n    profile: cisco-asa   # --profile-b") != std::string::npos);
}
