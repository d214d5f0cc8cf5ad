// How many worker threads a command uses: the one place --threads is bounded
// and resolved, for every subcommand.
#pragma once

#include <cstdint>

namespace rekeysim::runner {

// The largest --threads accepted (a larger value is a usage error, exit 2).
inline constexpr unsigned kMaxThreads = 1024;

// Threads to start for `work_items` independent items when the user asked
// for `requested` (0 = one per core). More threads than items or cores buy
// nothing (results are identical at any count), so the result is
// min(requested or cores, cores, work_items), and at least 1.
unsigned effective_threads(unsigned requested, std::uint64_t work_items);

}  // namespace rekeysim::runner
