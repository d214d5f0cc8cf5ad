// Vendor behaviour profiles: each implementation's defaults and behaviour as
// data, every field with the source it came from (architecture principle 3).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/config.hpp"

namespace models {

enum class SourceStatus {
  kConfirmed,   // read in the cited source
  kAssumption,  // not found in a source; `note` gives the reasoning
};

// One documented field of a profile. `key` is the scenario key path relative to
// a peer (e.g. "child.lifetime", "child.margin", "behaviour.responder_switch"),
// `value` its rendering in scenario syntax ("8h", "on_old_sa_delete").
struct ProfileField {
  std::string key;
  std::string value;
  std::string source;  // document, section or URL
  SourceStatus status = SourceStatus::kAssumption;
  std::string note;    // why, for assumptions; what was observed, for confirmations
};

struct Profile {
  std::string name;         // "strongswan", "panos", ...
  std::string description;  // one line
  std::string base;         // the profile this one inherits from ("" for rfc7296)
  PeerConfig config;        // fully resolved defaults (config.profile == name)
  std::vector<ProfileField> fields;
};

// The built-in profiles, in a stable order (rfc7296 first).
std::span<const Profile> builtin_profiles();
// nullptr if there is no built-in profile of that name.
const Profile* find_builtin_profile(std::string_view name);

}  // namespace models
