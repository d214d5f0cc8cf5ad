// The volume horizon: whether a peer's Child SAs can reach a volume limit
// (soft or hard) at all before their hard time lifetime ends them. When they
// cannot, the world keeps no volume books for that peer: the counts would
// never trigger anything (issue 15; the KB's Cisco 4,608,000 KB limit needs
// more than 8 h at 200 pps of 600 B).
#pragma once

#include "models/config.hpp"

namespace models::world {

// True when an SA of a peer with policy `child` and clock error
// `clock_error_ppm` could reach its soft or hard byte or packet limit within
// its hard lifetime, given the ESP flow it sends (`out`) and receives (`in`).
// Conservative: it answers true for anything it cannot bound (no time
// lifetime, a limit without a time lifetime), and bounds the packets carried
// over one lifetime from above (constant-rate and Poisson flows alike count at
// most rate x lifetime + 2 packets, here with one second and 1e-6 relative
// slack). False also when the peer has no volume limit.
bool volume_limit_reachable(const LifetimePolicy& child, double clock_error_ppm,
                            const FlowConfig& out, const FlowConfig& in);

}  // namespace models::world
