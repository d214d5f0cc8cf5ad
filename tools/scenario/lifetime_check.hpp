// The whole-config check of one lifetime policy, made after every override
// (profile, profile file, scenario, --set, sweep point, stagger), so a margin
// that is a fraction of the lifetime is judged against the final lifetime.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "models/config.hpp"
#include "tools/scenario/diagnostics.hpp"

namespace rekeysim::scenario {

// Where each setting of a built point came from, by full key path.
using SettingOrigins = std::map<std::string, SourcePos>;

struct StaggerOrigin {
  sim::SimTime stagger;  // added to this policy's lifetime (peer B's child.lifetime)
  SourcePos pos;
};

// Throws ScenarioError when the earliest soft time, lifetime - m x (1 + fuzz)
// with m = margin resolved against the final lifetime, is not after the SA's
// installation (the peer would rekey at once, forever). The message names the
// lifetime, margin and fuzz with where each came from: "file:line:column",
// "--set N", or "profile NAME default". `base` is "peers.a.child" etc.;
// `profile` the peer's profile name; `file` the scenario file (fallback position).
void check_lifetime(const models::LifetimePolicy& policy, const std::string& base,
                    const std::string& profile, const SettingOrigins& where,
                    const std::string& file, const std::optional<StaggerOrigin>& stagger);

}  // namespace rekeysim::scenario
