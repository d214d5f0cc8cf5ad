// The single source of truth for per-peer settings: every field of
// models::PeerConfig has one key path relative to a peer ("child.lifetime",
// "behaviour.retransmit.tries", ...) with its reader, its renderer, its type,
// unit, default and meaning. Scenario loading, --set, sweep parameters, the
// schema document (scenarios/SCHEMA.md) and `rekeysim profiles` all use it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <span>
#include <string>
#include <string_view>

#include "models/config.hpp"
#include "tools/scenario/values.hpp"

namespace rekeysim::scenario {

// How a key's values are written; sweeps use it to expand {from, to, step}.
enum class ValueKind {
  kDuration,      // "8h", "250ms"
  kFraction,      // "100%" or 1.0
  kNumber,        // plain number
  kCount,         // whole number
  kBytes,         // "4608000KB"
  kPpm,           // "20ppm" or a number
  kBool,          // true | false
  kEnum,          // one of a fixed set of names
  kDistribution,  // a duration or a distribution of durations
  kProfile,       // a builtin profile name or a path to a profile YAML file
};

struct PeerKey {
  std::string_view path;  // relative to a peer: "child.lifetime"
  ValueKind kind;
  std::string_view type;                    // as the schema shows it: "duration", "fraction", ...
  std::string_view unit;                    // "ns..d", "%", "ppm", "", ...
  std::string_view meaning;                 // one line for the schema and `rekeysim profiles`
  std::span<const std::string_view> names;  // kEnum: the accepted names
  // Reads the value into `config`; throws ScenarioError. Not set for kProfile
  // (the profile is resolved by the scenario loader before other keys apply).
  void (*read)(const ValueContext& v, models::PeerConfig& config);
  // Renders the field in scenario syntax; read(format(c)) restores the field.
  std::string (*format)(const models::PeerConfig& config);
  // The accepted form, for messages ("a duration like 8h ...").
  std::string expected() const;
};

// All keys in schema order.
std::span<const PeerKey> peer_keys();
// nullptr when `path` is not a peer key.
const PeerKey* find_peer_key(std::string_view path);
// All key paths (for suggestions).
std::span<const std::string> peer_key_paths();
// Group prefixes that nest keys: "child", "ike", "behaviour", "behaviour.retransmit".
bool is_peer_key_group(std::string_view prefix);

// The field of `config` named by `path`, in scenario syntax. Throws
// std::out_of_range for an unknown key.
std::string format_peer_field(const models::PeerConfig& config, std::string_view path);
// Parses `text` (scenario syntax, e.g. a ProfileField.value) into the field
// named by `path`. Throws ScenarioError (file "<value>") on a bad value.
void parse_peer_field(models::PeerConfig& config, std::string_view path, const std::string& text);

// Markdown table of every key: key | type | unit | default (rfc7296) | meaning.
// scenarios/SCHEMA.md embeds this verbatim (a test keeps the two equal).
std::string peer_keys_markdown();

}  // namespace rekeysim::scenario
