// Bad case files: each is refused before anything runs, with
// "file:line:column: error: field: what; expected form" pointing at the
// offending text.
#include <catch2/catch.hpp>

#include "case_text.hpp"

using cases_test::kPeers;
using cases_test::load_error;

TEST_CASE("bad case files are refused with file:line:column and the expected form",
          "[cases][errors]") {
  struct Bad {
    std::string text;
    const char* starts;    // "bad.yaml:L:C: error: field: what"
    const char* expected;  // text after "; expected "
  };
  const Bad bad[] = {
      {kPeers + "script: []\nexpekt: {}\n",
       "bad.yaml:5:1: error: expekt: unknown key \"expekt\" (did you mean \"expect\"?)",
       "one of name, description, source, seed, peers, establish, script, expect, allow"},
      {kPeers, "bad.yaml:1:1: error: script: missing", "script: [a list of steps]"},
      {"script: []\n", "bad.yaml:1:1: error: peers: missing",
       "peers: {a: {profile: ...}, b: {profile: ...}}"},
      {kPeers + "script:\n  - delivr: a.CREATE_CHILD_SA.req#1\n",
       "bad.yaml:5:5: error: script[0]: unknown step \"delivr\" (did you mean \"deliver\"?)",
       "one of rekey_child,"},
      {kPeers + "script:\n  - deliver: a.CREATE_CHILD.req#1\n",
       "bad.yaml:5:14: error: script[0].deliver: \"a.CREATE_CHILD.req#1\" is not a message name",
       "a message name like a.CREATE_CHILD_SA.req#1"},
      {kPeers + "script:\n  - drop: [a.INFORMATIONAL.req#0]\n",
       "bad.yaml:5:12: error: script[0].drop[0]: \"a.INFORMATIONAL.req#0\" is not a message name",
       "a message name like"},
      {kPeers + "script:\n  - rekey_child: c\n",
       "bad.yaml:5:18: error: script[0].rekey_child: unknown peer \"c\"", "a or b"},
      {kPeers + "script:\n  - rekey_child: {peer: a, sa: first}\n",
       "bad.yaml:5:32: error: script[0].rekey_child.sa: \"first\" is not an SA",
       "an inbound SPI of that peer (e.g. 3), oldest or newest"},
      {kPeers + "script:\n  - rekey_child: {peer: a, sa: 0}\n",
       "bad.yaml:5:32: error: script[0].rekey_child.sa: 0 is not an SPI",
       "an SPI: a whole number, 1 to 4294967295"},
      {kPeers + "script: []\nexpect: {accepts: {a: [0]}}\n",
       "bad.yaml:5:24: error: expect.accepts.a[0]: 0 is not an SPI", "an SPI: a whole number"},
      {kPeers + "script:\n  - advance: 5 parsecs\n",
       "bad.yaml:5:14: error: script[0].advance:", "a duration like 8h"},
      {kPeers + "script:\n  - nonces: {a: [0x100]}\n",
       "bad.yaml:5:18: error: script[0].nonces.a[0]: \"0x100\" is larger than 255",
       "an octet: 0x00 to 0xff, or 0 to 255"},
      {kPeers + "script:\n  - lowest_nonce: N5\n",
       "bad.yaml:5:19: error: script[0].lowest_nonce:", "one of N1|N2|N3|N4"},
      {kPeers + "script:\n  - fire: {peer: a, timer: rekey}\n",
       "bad.yaml:5:28: error: script[0].fire.timer: unknown timer \"rekey\"",
       "one of child_soft_expire,"},
      {kPeers + "script:\n  - fire: {peer: a, timer: retransmit, sa: 1}\n",
       "bad.yaml:5:44: error: script[0].fire.sa: timer retransmit belongs to an IKE SA",
       "ike: ID or no sa"},
      {kPeers + "script:\n  - {advance: 1s, settle: true}\n",
       "bad.yaml:5:5: error: script[0]: has 2 keys",
       "a one-key mapping like `- deliver: a.CREATE_CHILD_SA.req#1`"},
      {kPeers + "script:\n  - settle: false\n",
       "bad.yaml:5:13: error: script[0].settle: false does nothing", "settle: true"},
      {"peers:\n  a: {profile: rfc7296, child.lifetim: 8h}\n  b: {profile: rfc7296}\nscript: []\n",
       "bad.yaml:2:25: error: peers.a.child.lifetim: unknown key \"child.lifetim\" (did you mean "
       "\"child.lifetime\"?)",
       "one of profile, child, ike,"},
      {"peers:\n  a: {profile: strongswam}\n  b: {profile: rfc7296}\nscript: []\n",
       "bad.yaml:2:16: error: peers.a.profile: unknown profile \"strongswam\" (did you mean "
       "\"strongswan\"?)",
       "one of rfc7296,"},
      {"peers:\n  a: {profile: rfc7296}\nscript: []\n", "bad.yaml:2:3: error: peers.b: missing",
       "peers: {a:"},
      {kPeers + "script: []\nexpect: {child_saz: {}}\n",
       "bad.yaml:5:10: error: expect.child_saz: unknown key \"child_saz\" (did you mean "
       "\"child_sas\"?)",
       "one of child_sas,"},
      {kPeers + "script: []\nexpect: {child_sas: {a: [\"3-4\"]}}\n",
       "bad.yaml:5:26: error: expect.child_sas.a[0]: \"3-4\" has no '/'",
       "\"IN/OUT\" like \"3/4\""},
      {kPeers + "script: []\nexpect: {child_sas: {a: [{state: rekeying2}]}}\n",
       "bad.yaml:5:34: error: expect.child_sas.a[0].state: unknown value \"rekeying2\" (did you "
       "mean \"rekeying\"?)",
       "one of installed|rekeying|rekeyed|deleting|deleted"},
      {kPeers + "script: []\nexpect: {events: {colision_detected: 1}}\n",
       "bad.yaml:5:19: error: expect.events.colision_detected: unknown record kind "
       "\"colision_detected\" "
       "(did you mean \"collision_detected\"?)",
       "one of message_sent,"},
      {kPeers + "script: []\nexpect: {outcomes: {colisions: 1}}\n",
       "bad.yaml:5:21: error: expect.outcomes.colisions: unknown key \"colisions\" (did you mean "
       "\"collisions\"?)",
       "one of child_rekeys,"},
      {kPeers + "script: []\nexpect: {log: {style: strongswam, contains: [x]}}\n",
       "bad.yaml:5:23: error: expect.log.style: unknown style \"strongswam\" (did you mean "
       "\"strongswan\"?)",
       "one of plain,"},
      {kPeers + "script: []\nexpect: {log: {style: plain}}\n",
       "bad.yaml:5:15: error: expect.log.contains: missing", "a list of texts"},
      {kPeers + "script: []\nexpect: {in_flight: {a: -1}}\n",
       "bad.yaml:5:25: error: expect.in_flight.a: \"-1\" is not a whole number",
       "a whole number (a count)"},
      {kPeers + "establish: c\nscript: []\n",
       "bad.yaml:4:12: error: establish: is not a, b or none", "a, b or none"},
      {kPeers + "script: [\n", "bad.yaml:", ""},
      {"", "bad.yaml:1:1: error:", ""},
      {"- just\n- a list\n", "bad.yaml:1:1: error: case: is not a mapping",
       "a YAML mapping with keys name,"},
  };
  for (const auto& b : bad) {
    INFO(b.text);
    const std::string e = load_error(b.text);
    INFO(e);
    REQUIRE_FALSE(e.empty());
    CHECK(e.rfind(b.starts, 0) == 0);
    if (*b.expected != '\0')
      CHECK(e.find(std::string("; expected ") + b.expected) != std::string::npos);
  }
}

TEST_CASE("a case that loads is accepted whole: every step and expect kind in one file",
          "[cases][errors]") {
  const std::string text =
      kPeers +
      "name: all kinds\nseed: 7\nestablish: a\n"
      "script:\n"
      "  - lowest_nonce: N1\n"
      "  - nonces: {a: [0x01], b: [2]}\n"
      "  - rekey_child: a\n  - delete_child: {peer: b, sa: oldest}\n"
      "  - rekey_ike: a\n  - delete_ike: b\n  - reauth_ike: a\n  - connect: b\n"
      "  - forget_child: {peer: a, sa: 1}\n"
      "  - fire: {peer: a, timer: ike_soft_expire, ike: current}\n"
      "  - fire: {peer: b, timer: child_hard_expire, sa: newest}\n"
      "  - hold: a.CREATE_CHILD_SA.req#1\n  - duplicate: b.INFORMATIONAL.req#1\n"
      "  - deliver: [a.CREATE_CHILD_SA.req#1]\n  - drop: b.INFORMATIONAL.req#1.dup1\n"
      "  - drop_all: a\n  - settle: true\n  - advance: 1s\n  - advance_to: 2s\n"
      "  - settle_for: 100ms\n  - expect: {time: 2.1s}\n"
      "expect: {agree: true}\n";
  const auto c = rekeysim::cases::load_case_text(text, "all.yaml");
  CHECK(c.name == "all kinds");
  CHECK(c.seed == 7u);
  REQUIRE(c.script.size() == 21);
  CHECK(c.script[2].kind == rekeysim::cases::StepKind::kRekeyChild);
  CHECK(rekeysim::cases::to_string(c.script[20].kind) == "expect");
  CHECK(c.script[0].octets[0] == std::vector<std::uint8_t>{0x00, 0xff});
  CHECK(c.script[0].octets[1] == std::vector<std::uint8_t>{0xff, 0xff});
  CHECK(c.script[1].octets[0] == std::vector<std::uint8_t>{0x01});
  CHECK(c.expect.size() == 1);
}
