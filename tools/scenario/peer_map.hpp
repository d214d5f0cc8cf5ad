// A peer's YAML mapping (in a scenario's peers.a / peers.b, or in a profile
// file) -> a flat list of (key path, value). Nested groups and dotted keys are
// equivalent: `child: {lifetime: 8h}` and `child.lifetime: 8h` both give
// ("child.lifetime", 8h).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <utility>
#include <vector>

namespace rekeysim::scenario {

struct PeerEntry {
  std::string path;  // relative to the peer
  YAML::Node key;    // the key node (position of the key)
  YAML::Node value;
};

// `field` is the full path of `map` for messages ("peers.a"). `allowed_extra`
// are additional top-level keys the caller handles (a profile file's `base`).
// Unknown keys are errors with a "did you mean" suggestion.
std::vector<PeerEntry> flatten_peer_map(const YAML::Node& map, const std::string& file,
                                        const std::string& field,
                                        const std::vector<std::string>& allowed_extra = {});

}  // namespace rekeysim::scenario
