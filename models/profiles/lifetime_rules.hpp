// `rekeysim profiles NAME`: how a profile turns a configured lifetime into its
// rekey (soft) time, per SA kind, with the source and status of the rule, and
// what it gives at the profile's default lifetime and at 1 h and 24 h set alone.
#pragma once

#include <string>

#include "models/profiles/profile.hpp"

namespace models {

// The initiator's soft-time window for `policy` with its lifetime replaced by
// `lifetime` (ns): [lifetime - m (1 + fuzz), lifetime - m], m = margin resolved
// against `lifetime`. Earliest is clamped at 0.
struct SoftWindow {
  SimTime earliest;
  SimTime latest;
  bool rekeys = true;  // false when the margin is 0 (the SA just expires)
};
SoftWindow soft_window(const LifetimePolicy& policy, SimTime lifetime);

// The "lifetime rules" block of format_profile_detail: for child and ike, the
// margin rule in words, the fuzz, the status and source of the margin field,
// and the soft-time window at the default lifetime, 1 h and 24 h.
std::string format_lifetime_rules(const Profile& profile);

}  // namespace models
