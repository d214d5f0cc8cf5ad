// Cases written inline for the tests: two strongSwan-like peers (as
// tests/models/helpers.hpp's strongswan_peer) and a body of script/expect.
#pragma once

#include <string>

#include "tools/cases/case.hpp"

namespace cases_test {

inline const std::string kPeers =
    "peers:\n"
    "  a: &p {profile: rfc7296, behaviour: {collision_resolution: strongswan_min_nonce, "
    "start_action: none}}\n"
    "  b: *p\n";

inline rekeysim::cases::CaseResult run_yaml(const std::string& body,
                                            const std::string& peers = kPeers) {
  return rekeysim::cases::run_case(rekeysim::cases::load_case_text(peers + body, "t.yaml"));
}

// Every failure as "field: expected X, got Y", one per line (for INFO and matching).
inline std::string failures(const rekeysim::cases::CaseResult& r) {
  std::string s;
  for (const auto& f : r.failures)
    s += f.field + ": expected " + f.expected + ", got " + f.actual + "\n";
  return s;
}

// The load error message, or "" when the text loads.
inline std::string load_error(const std::string& text) {
  try {
    rekeysim::cases::load_case_text(text, "bad.yaml");
  } catch (const rekeysim::cases::ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace cases_test
