// Reading YAML defensively: a scenario is user input, so the loader bounds
// what it accepts before any value is interpreted (size, binary bytes,
// nesting, alias expansion) and rejects duplicate keys, which yaml-cpp
// silently keeps (the first one would win without a word).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace rekeysim::scenario {

struct YamlLimits {
  std::size_t max_bytes = 4u << 20;  // a scenario is a few KB; 4 MiB is generous
  std::size_t max_nodes = 200'000;   // nodes visited, aliases expanded (bounds "billion laughs")
  int max_depth = 64;                // nesting depth of maps and lists
};

// Parses `text` as one YAML document named `file` in messages. Throws
// ScenarioError for empty input, binary data, invalid UTF-8, syntax errors,
// duplicate keys, non-scalar keys and documents over the limits.
YAML::Node parse_yaml(std::string_view text, const std::string& file,
                      const YamlLimits& limits = {});

// Reads and parses a file (same checks; a missing or unreadable file is an error at 1:1).
YAML::Node load_yaml_file(const std::string& path, const YamlLimits& limits = {});

}  // namespace rekeysim::scenario
