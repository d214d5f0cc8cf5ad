#include "tools/runner/threads.hpp"

#include <algorithm>
#include <thread>

namespace rekeysim::runner {

unsigned effective_threads(unsigned requested, std::uint64_t work_items) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::uint64_t n = requested == 0 ? cores : std::min(requested, cores);
  n = std::min<std::uint64_t>(n, work_items);
  return static_cast<unsigned>(std::max<std::uint64_t>(n, 1));
}

}  // namespace rekeysim::runner
