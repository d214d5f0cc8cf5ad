// A counterexample of `rekeysim explore` as a case file that `rekeysim test`
// replays (scenarios/cases/FORMAT.md): the peers as scenario peer keys, the
// step sequence as `advance_to` / `fire` / `deliver` / `drop` steps naming
// messages as the case format does, and at the end (or right after the step
// that broke it) the expectation the ordering violates, so the case fails as
// explore reported.
#pragma once

#include <string>

#include "models/config.hpp"
#include "tools/explore/explore.hpp"

namespace rekeysim::explore {

struct CaseInfo {
  std::string name;         // the case's name
  std::string description;  // one line
  std::string source;       // where it came from ("rekeysim explore scenarios/x.yaml --max-loss 1")
};

// The peer's settings as scenario peer keys: `profile` and every key whose
// value differs from that profile's (rfc7296 when the profile is not built in).
std::string peer_yaml(const models::PeerConfig& peer, int indent);

// The whole case file. Replays v.steps from the initial state (throws
// std::out_of_range if they do not apply).
std::string case_yaml(const models::PeerConfig& a, const models::PeerConfig& b, std::uint64_t seed,
                      const Violation& v, const CaseInfo& info);

// The ladder of the counterexample as SVG (tools/trace render_ladder_svg).
// An order diagram: step k is drawn at k ms (the title says so).
std::string ladder_svg(const models::PeerConfig& a, const models::PeerConfig& b, std::uint64_t seed,
                       const Violation& v, const std::string& title);

// The steps as numbered lines ("  3. deliver a.CREATE_CHILD_SA.req#1 to B: ...").
std::string steps_text(const models::PeerConfig& a, const models::PeerConfig& b, std::uint64_t seed,
                       const std::vector<Step>& steps);

}  // namespace rekeysim::explore
