// An `allow:` list: the invariant kinds (models/ikev2/invariant_kinds.hpp) a
// scenario's `explore:` section or a case allows to be broken. Shared by the
// scenario and case loaders so both say the same about a bad entry.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace rekeysim::scenario {

// Reads `node` (a list of kinds, or one kind) as the value of `field` in
// `file`. Returns the kinds in the order written, without repeats. Throws
// ScenarioError at the entry ("file:line:column: error: explore.allow[1]:
// unknown invariant kind "cant_find" (did you mean "cant_find_sa"?); expected
// one of cant_find_sa, ...") for an unknown kind or a value that is not a list
// of names.
std::vector<std::string> read_allow_list(const YAML::Node& node, const std::string& file,
                                         const std::string& field);

}  // namespace rekeysim::scenario
