// Each expectation kind of the case format (scenarios/cases/FORMAT.md,
// Expectations): it holds on the state it describes, and a wrong one fails
// naming the field, the expected value and what was found.
#include <catch2/catch.hpp>

#include "case_text.hpp"

using cases_test::failures;
using cases_test::run_yaml;

namespace {

// A plain rekey by A, every message delivered, no time passed: both peers
// still keep the old SA's inbound half (5 s keep delay).
const std::string kScript = "script: [rekey_child: a, settle: true]\n";

}  // namespace

TEST_CASE("case expectations: every kind holds on a plain rekey", "[cases][expect]") {
  auto r = run_yaml(
      kScript +
      "expect:\n"
      "  child_sas:\n"
      "    a: [{spi_in: 1, spi_out: 2, state: deleted, outbound: none, role: initiator},\n"
      "        {spi_in: 3, spi_out: 4, state: installed, outbound: installed, role: initiator}]\n"
      "    b: [\"2/1\", \"4/3\"]\n"
      "  sending_on: {a: 4, b: 3}\n"
      "  accepts: {a: [1, 3], b: [2, 4]}\n"
      "  rejects: {a: [2, 4, 5], b: [1, 3]}\n"
      "  ike_sa: {a: 1, b: 1}\n"
      "  ike_sas: {a: 1, b: 1}\n"
      "  in_flight: {a: 0, b: []}\n"
      "  message: {b.INFORMATIONAL.resp#1: \"INFORMATIONAL response 3 {D(ESP,2)}\"}\n"
      "  messages:\n"
      "    - A->B CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS}\n"
      "    - B->A CREATE_CHILD_SA response 2 {SA(ESP,4), Nonce, TS}\n"
      "    - A->B INFORMATIONAL request 3 {D(ESP,1)}\n"
      "    - B->A INFORMATIONAL response 3 {D(ESP,2)}\n"
      "  events: {rekey_completed: {a: 1, b: 1}, rekey_started: 1, collision_detected: 0}\n"
      "  records:\n"
      "    - {kind: rekey_started, peer: a, spi_in: 1, spi_out: 2, at: 0}\n"
      "    - {kind: rekey_completed, peer: a}\n"
      "    - {kind: rekey_completed, peer: b, spi_in: 2}\n"
      "  timers: {a: {destroy_inbound: 1, retransmit: 0}, b: {destroy_inbound: 1}}\n"
      "  outcomes: {child_rekeys: 1, collisions: 0, cant_find_sa: 0, tunnel_resets: 0}\n"
      "  log: {style: strongswan, peer: a, contains: [CREATE_CHILD_SA request 2, "
      "INFORMATIONAL request 3]}\n"
      "  time: 0s\n");
  INFO(failures(r));
  CHECK(r.passed);
  // `agree` needs the settled state: one pair, after the keep delay.
  auto fixed =
      run_yaml("script: [rekey_child: a, settle: true, advance: 5s]\nexpect: {agree: true}\n");
  INFO(failures(fixed));
  CHECK(fixed.passed);
  auto early = run_yaml(kScript + "expect: {agree: true}\n");
  REQUIRE(early.failures.size() == 1);
  CHECK(early.failures[0].actual == "A holds 2 Child SAs, B 2");
}

TEST_CASE("case expectations: a wrong one names field, expected and actual", "[cases][expect]") {
  struct Wrong {
    const char* expect;
    const char* field;
    const char* expected;
    const char* actual;
  };
  const Wrong wrong[] = {
      {"child_sas: {a: [\"3/4\"]}", "expect.child_sas.a", "[3/4]", "[1/2, 3/4]"},
      {"child_sas: {b: [{state: rekeyed}, {}]}", "expect.child_sas.b", "[{state: rekeyed}, {}]",
       "[2/1 (responder, deleted, outbound none), 4/3 (responder, installed, outbound installed)]"},
      {"sending_on: {a: none}", "expect.sending_on.a", "none", "4"},
      {"accepts: {b: [1, 4]}", "expect.accepts.b", "accepts [1]", "rejects [1]"},
      {"rejects: {a: [3]}", "expect.rejects.a", "rejects [3]", "accepts [3]"},
      {"ike_sa: {b: 3}", "expect.ike_sa.b", "3", "1"},
      {"ike_sas: {a: 2}", "expect.ike_sas.a", "2", "1"},
      {"in_flight: {a: 1}", "expect.in_flight.a", "1", "0 []"},
      {"in_flight: {b: [a.INFORMATIONAL.req#1]}", "expect.in_flight.b", "[a.INFORMATIONAL.req#1]",
       "[]"},
      {"message: {a.INFORMATIONAL.req#1: \"INFORMATIONAL request 3 {D(ESP,2)}\"}",
       "expect.message.a.INFORMATIONAL.req#1", "INFORMATIONAL request 3 {D(ESP,2)}",
       "INFORMATIONAL request 3 {D(ESP,1)}"},
      {"message: {a.INFORMATIONAL.req#2: \"x\"}", "expect.message.a.INFORMATIONAL.req#2", "x",
       "never sent"},
      {"messages: [\"A->B CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS}\"]",
       "expect.messages", "1 messages",
       "4 messages, #2 B->A CREATE_CHILD_SA response 2 {SA(ESP,4), Nonce, TS}"},
      {"events: {collision_detected: 1}", "expect.events.collision_detected", "1", "0"},
      {"events: {rekey_completed: {b: 2}}", "expect.events.rekey_completed.b", "2", "1"},
      {"records: [{kind: rekey_completed, peer: b}, {kind: rekey_started}]", "expect.records",
       "#2 {kind: rekey_started} after #1",
       "[{kind: rekey_started, peer: a, at: 0, spi_in: 1, spi_out: 2}]"},
      {"records: [{kind: tunnel_down}]", "expect.records", "#1 {kind: tunnel_down}",
       "no tunnel_down record"},
      {"timers: {b: {destroy_inbound: 0}}", "expect.timers.b.destroy_inbound", "0", "1"},
      {"outcomes: {collisions: 1}", "expect.outcomes.collisions", "1", "0"},
      {"time: 1s", "expect.time", "1s", "0"},
  };
  for (const auto& w : wrong) {
    INFO(w.expect);
    auto r = run_yaml(kScript + "expect: {" + w.expect + "}\n");
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0].field == w.field);
    CHECK(r.failures[0].expected == w.expected);
    CHECK(r.failures[0].actual == w.actual);
    CHECK(r.failures[0].pos.line == 5);
    CHECK_FALSE(r.passed);
  }
  // A log line not there: the log itself is shown.
  auto log = run_yaml(kScript + "expect: {log: {style: panos, contains: [\"can't find sa\"]}}\n");
  REQUIRE(log.failures.size() == 1);
  CHECK(log.failures[0].field == "expect.log");
  CHECK(log.failures[0].expected == "a line containing \"can't find sa\"");
  CHECK(log.failures[0].actual.rfind("the log:\n", 0) == 0);
  // In order: the second text must follow the first.
  auto order = run_yaml(kScript +
                        "expect: {log: {style: strongswan, peer: a, contains: "
                        "[INFORMATIONAL request 3, CREATE_CHILD_SA request 2]}}\n");
  REQUIRE(order.failures.size() == 1);
  CHECK(order.failures[0].expected ==
        "a line containing \"CREATE_CHILD_SA request 2\" after one containing \"INFORMATIONAL "
        "request 3\"");
}
