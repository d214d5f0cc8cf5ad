// `expect:` mappings -> Checks (scenarios/cases/FORMAT.md, Expectations).
// Each key is read and checked at load time; the Check's closure compares
// against the world when the case runs and renders both sides in case syntax.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "tools/cases/case.hpp"

namespace rekeysim::cases {

// `field` names the mapping in messages ("expect", "script[4].expect").
// When `ladder` is given and the mapping has `messages`, the expected ladder
// is stored there and *has_ladder set. Throws ScenarioError.
std::vector<Check> parse_checks(const YAML::Node& node, const std::string& file,
                                const std::string& field, std::vector<std::string>* ladder,
                                bool* has_ladder = nullptr);

// The peer's Child SAs oldest first (install time, then creation order).
std::vector<const models::ikev2::ChildSa*> by_age(const models::ikev2::Peer& p);

}  // namespace rekeysim::cases
