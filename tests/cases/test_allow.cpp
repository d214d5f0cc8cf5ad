// `allow:` in a case: with the key the invariants of models/ikev2/invariants.hpp
// (what `rekeysim explore` checks) are checked too, all but the kinds listed;
// without it nothing beyond `expect:` is checked.
#include <catch2/catch.hpp>

#include "case_text.hpp"

using cases_test::failures;
using cases_test::kPeers;
using cases_test::load_error;
using cases_test::run_yaml;

namespace {

// B silently loses SA 2/1; A then deletes its half: B gets a DELETE for an SPI
// it has no SA for (can't find SA), and A holds its IKE SA with no Child SA.
const std::string kForgotten =
    "script:\n"
    "  - forget_child: b\n"
    "  - delete_child: a\n"
    "  - settle: true\n";

}  // namespace

TEST_CASE("allow: a case without the key checks only its expectations", "[cases][allow]") {
  const auto r = run_yaml(kForgotten + "expect: {events: {delete_for_unknown_spi: 1}}\n");
  INFO(failures(r));
  CHECK(r.passed);
}

TEST_CASE("allow: kinds not listed fail the case, one failure per kind, at the key",
          "[cases][allow]") {
  const auto r = run_yaml(kForgotten + "allow: [outage]\n");
  INFO(failures(r));
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].field == "allow");
  CHECK(r.failures[0].expected == "no cant_find_sa (not in allow:)");
  CHECK(r.failures[0].actual == "B got a DELETE for ESP SPI 1 it has no SA for");
  CHECK(r.failures[0].pos.line == 8);
  const auto none = run_yaml(kForgotten + "allow: []\n");
  INFO(failures(none));
  CHECK(failures(none).find("allow: expected no outage (not in allow:), got A sends on ESP SPI 2 "
                            "that B no longer accepts") != std::string::npos);
  CHECK(failures(none).find("no cant_find_sa") != std::string::npos);
  CHECK(run_yaml(kForgotten + "allow: [cant_find_sa, outage]\n").passed);
}

TEST_CASE("allow: a plain rekey settled on one SA pair holds every invariant", "[cases][allow]") {
  const auto r = run_yaml(
      "script:\n"
      "  - rekey_child: a\n"
      "  - settle: true\n"
      "  - advance: 1m\n"  // the old SA's inbound half is destroyed
      "allow: []\n"
      "expect: {agree: true}\n");
  INFO(failures(r));
  CHECK(r.passed);
  // Left in flight: the end-state kinds fail (a request is unanswered).
  const auto cut = run_yaml(
      "script:\n"
      "  - rekey_child: a\n"
      "allow: [outage]\n");
  CHECK(failures(cut).find("no request_unanswered") != std::string::npos);
}

TEST_CASE("allow: unknown kinds are refused with file:line:column", "[cases][allow][errors]") {
  const std::string e = load_error(kPeers + "script: []\nallow: [outage, cant_find]\n");
  CHECK(
      e.starts_with("bad.yaml:5:17: error: allow[1]: unknown invariant kind \"cant_find\" (did "
                    "you mean \"cant_find_sa\"?); expected a list of invariant kinds, each one "
                    "of cant_find_sa, outage, tunnel_reset, redundant_sa, sa_disagreement, "
                    "sa_leak, ike_sa_leak, request_unanswered"));
  CHECK(load_error(kPeers + "script: []\nallow: {outage: 1}\n")
            .starts_with("bad.yaml:5:8: error: allow: is not a list"));
  CHECK(load_error(kPeers + "script: []\nallow: outage\n").empty());
}
