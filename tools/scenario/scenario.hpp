// A scenario as the user wrote it (scenarios/SCHEMA.md), turned into the
// typed models::TrialConfig of each run or sweep point.
//
// Loading keeps every assignment as a Setting (key path, YAML value, where it
// was written). A point's config is built by applying, in order: the peer's
// profile, the file's settings, --set overrides, then the sweep point's
// values. So a profile supplies defaults, a scenario states only what differs,
// and every error, even one found while building a sweep point, points at the
// line and column that caused it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/config.hpp"
#include "models/outcome.hpp"
#include "tools/scenario/diagnostics.hpp"
#include "tools/scenario/trace_section.hpp"

namespace rekeysim::scenario {

// One assignment: `path` is a full key path ("peers.a.child.lifetime",
// "network.latency.a_to_b", "traffic.rate", "stagger", "duration").
struct Setting {
  std::string path;
  YAML::Node value;
  SourcePos pos;    // where the value was written
  std::string dir;  // directory that relative profile paths are resolved against
};

// One swept parameter; several form a grid (the first varies slowest).
struct SweepParam {
  std::string path;
  SourcePos pos;
  std::vector<YAML::Node> values;
  std::vector<std::string> labels;  // each value in scenario syntax
};

enum class ExpectKind {
  kMaxCount,  // total count over all trials <= limit (`collisions: 0`)
  kMinCount,
  kMaxRate,  // rate per rekey episode <= limit
  kMinRate,
  kMaxRateUpper95,       // upper end of the rate's 95% interval < limit
  kMaxFractionAffected,  // fraction of trials with at least one occurrence <= limit
};
std::string_view to_string(ExpectKind k);

struct Expectation {
  models::Outcome outcome;
  ExpectKind kind;
  double limit = 0;
  std::string limit_text;  // as written
  SourcePos pos;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  std::uint64_t trials = 100;
  std::vector<Setting> settings;
  std::vector<SweepParam> sweep;
  std::vector<Expectation> expect;
  // Profile YAML files named by `profile:` settings, resolved to configs,
  // keyed by the path as resolved (see profile_key()).
  std::map<std::string, models::PeerConfig> profile_files;
  // How `rekeysim trace` names and dates the log (the `trace:` section).
  TraceSection trace;
  // `explore: {allow: [...]}`: invariant kinds `rekeysim explore` does not
  // report for this scenario (models/ikev2/invariants.hpp).
  std::vector<std::string> explore_allow;
};

struct PointParam {
  std::string path;
  std::string value;
};

struct Point {
  std::size_t index = 0;
  std::vector<PointParam> params;  // empty for a run without sweep
  models::TrialConfig config;
};

inline constexpr std::uint64_t kMaxTrials = 100'000'000;
inline constexpr std::size_t kMaxSweepPoints = 10'000;

// Reads and checks a scenario file; every point of its sweep is built once,
// so a scenario that loads is one whose every point runs.
Scenario load_scenario(const std::string& path);
// The same from text (`file` names it in messages; profile paths are
// resolved against `dir`).
Scenario load_scenario_text(std::string_view text, const std::string& file,
                            const std::string& dir = ".");

// Reads a scenario file and applies the `--set` overrides in command-line
// order (the n-th is "--set:<n>:<column>" in messages) before any point is
// checked: a file that only its overrides make valid loads. Throws ScenarioError.
Scenario load_scenario(const std::string& path, std::span<const std::string> overrides);

// Applies one `--set path=value` (the `index`-th on the command line, for
// messages "--set:<index>:<column>"). Re-checks every point.
void apply_override(Scenario& scenario, std::string_view assignment, int index);

// Points of the sweep grid (1 without a sweep).
std::size_t point_count(const Scenario& scenario);
// Point `index` of the grid; throws ScenarioError.
Point build_point(const Scenario& scenario, std::size_t index);
// The scenario without its sweep, plus `extra` settings applied last.
Point build_with(const Scenario& scenario, std::span<const Setting> extra);
// A generated setting (e.g. `recommend` trying a stagger); `text` in scenario syntax.
Setting make_setting(std::string path, const std::string& text, SourcePos pos = {});

// Every key path that --set and sweep accept (for suggestions and the schema).
std::span<const std::string> settable_paths();
bool is_config_path(std::string_view path);

}  // namespace rekeysim::scenario
