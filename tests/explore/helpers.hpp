// Loading the explore scenarios of the scenario library for the tests.
#pragma once

#include <string>

#include "tools/explore/explore.hpp"
#include "tools/scenario/scenario.hpp"

namespace explore_test {

struct Peers {
  models::PeerConfig a, b;
  std::uint64_t seed = 1;
};

inline Peers peers_of(const std::string& rel) {
  const auto sc = rekeysim::scenario::load_scenario(std::string(REKEYSIM_SOURCE_DIR) + "/" + rel);
  const auto pt = rekeysim::scenario::build_with(sc, {});
  return {pt.config.a, pt.config.b, sc.seed};
}

inline const rekeysim::explore::Violation* find(const rekeysim::explore::Result& r,
                                                const std::string& kind) {
  for (const auto& v : r.violations)
    if (v.kind == kind) return &v;
  return nullptr;
}

}  // namespace explore_test
