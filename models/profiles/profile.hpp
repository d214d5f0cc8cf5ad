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
  std::string note;  // why, for assumptions; what was observed, for confirmations
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

// ---- Added for models/profiles (additive) ---------------------------------

// "confirmed" / "assumption".
std::string_view to_string(SourceStatus s);

// Every key a ProfileField may carry, in the canonical order profiles list
// them: child.* then ike.* (lifetime, margin, fuzz, fuzz_quantum,
// responder_margin_scale, responder_fuzz, tick, lifetime_bytes,
// lifetime_packets, volume_margin), clock_error, processing_delay,
// behaviour.*, log_style. These are the scenario key paths relative to a peer.
std::span<const std::string_view> profile_field_keys();
bool is_profile_field_key(std::string_view key);

// The log style names a profile's `log_style` may take: the styles
// tools/trace renders (a test keeps the two lists equal).
std::span<const std::string_view> known_log_styles();

// Sets one field of `config` from its scenario-syntax value: durations "8h",
// margins "9m", "10%" (of the lifetime) or "1/11",
// "500ms", "0"; fractions "100%"; plain numbers "0.5", "1.8"; booleans
// "true"/"false"; byte volumes "4608000KB"; counts "5"; clock error "20ppm";
// enums as in the scenario schema ("strongswan_min_nonce", "on_response_sent").
// Throws sim::ParseError (text, expected form) on a bad value and
// std::invalid_argument on an unknown key.
void apply_profile_field(PeerConfig& config, std::string_view key, std::string_view value);

}  // namespace models
