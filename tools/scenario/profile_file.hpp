// User profile files: a YAML file with `base: <builtin profile>` and
// overrides by peer key path, so a site's own settings are written once and
// named from any scenario (`profile: profiles/our-hub.yaml`).
#pragma once

#include <optional>
#include <string>

#include "models/config.hpp"
#include "tools/scenario/scenario.hpp"

namespace rekeysim::scenario {

// A `profile:` value naming a file rather than a builtin profile: it has a
// '/' or ends in .yaml / .yml.
bool looks_like_profile_path(const std::string& value);
// The path a relative profile name resolves to (against the naming file's directory).
std::string profile_key(const std::string& dir, const std::string& value);
// The file a `...profile` setting names (its profile_key), or nullopt for a
// builtin name or any other setting.
std::optional<std::string> profile_file_of(const Setting& setting);
// Loads the file named by `setting` (value = `value`). Errors point into the
// profile file, or at the `profile:` line when the file cannot be read.
models::PeerConfig load_profile_file(const Setting& setting, const std::string& value);

}  // namespace rekeysim::scenario
