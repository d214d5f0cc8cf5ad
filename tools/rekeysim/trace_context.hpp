// How `rekeysim trace` turns the scenario's `trace:` section and its own
// flags into the log styles and LogContext of tools/trace. Flags win over
// the scenario; the scenario wins over the built-in defaults.
#pragma once

#include <optional>
#include <string>

#include "tools/scenario/scenario.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::cli {

// The log-shaping flags of `rekeysim trace` (empty / nullopt = not given).
struct TraceLogFlags {
  std::string style;  // "auto" or a style name
  std::string peer;   // "a" | "b"
  std::string start;  // "YYYY-MM-DD HH:MM:SS"
  std::string utc_offset;
  std::string syslog_wrap;  // "asa" | "ftd"
  std::optional<std::string> first_message_id_a;
  std::optional<std::string> first_message_id_b;
  std::optional<std::string> first_child_spi_a;  // "0xc1a2b3c4"
  std::optional<std::string> first_child_spi_b;
  std::optional<std::string> first_ike_spi_a;  // "0x1a2b3c4d5e6f7081"
  std::optional<std::string> first_ike_spi_b;
  bool inferred = false;  // also print line shapes not seen in a public sample
};

struct ResolvedLog {
  trace::LogStyle style_a = trace::LogStyle::kPlain;
  trace::LogStyle style_b = trace::LogStyle::kPlain;
  trace::LogContext context;
};

// Throws scenario::ScenarioError (position "<command line>") for a bad flag:
// unknown style, a peer other than a/b, a malformed time, offset or ID.
ResolvedLog resolve_trace_log(const TraceLogFlags& flags, const scenario::Scenario& sc,
                              const models::TrialConfig& config);

}  // namespace rekeysim::cli
