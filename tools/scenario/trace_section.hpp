// The scenario's optional `trace:` section: how `rekeysim trace` names and
// dates the simulated log, so one device's simulated log can be diffed line
// by line against a customer's (scenarios/SCHEMA.md, "trace"). Values are
// checked when the scenario loads (file:line:column errors); the trace
// command maps them onto tools/trace's LogContext, and its flags override
// them.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tools/scenario/diagnostics.hpp"

namespace rekeysim::scenario {

struct TracePeerNames {
  std::optional<std::string> address;  // "192.0.2.1"
  std::optional<std::string> subnet;   // "10.1.0.0/16"
  std::optional<std::string> host;     // syslog host name
  std::optional<std::uint32_t> first_message_id;
  std::optional<std::uint32_t> first_child_spi;  // SPI of the first inbound Child SA shown
  std::optional<std::uint64_t> first_ike_spi;    // the peer's own SPI of the first IKE SA shown
};

struct TraceSection {
  std::optional<std::string> peer;   // "a" | "b"
  std::optional<std::string> style;  // a log style name or "auto"
  std::optional<std::string> start;  // "YYYY-MM-DD HH:MM:SS", local to the UTC offset
  std::optional<int> utc_offset_minutes;
  std::optional<std::string> gateway;      // PAN-OS gateway, Juniper IKE gateway
  std::optional<std::string> tunnel;       // PAN-OS "<gateway>:<proxy-id>"
  std::optional<int> gateway_id;           // PAN-OS "{ 7: 60}" first field
  std::optional<int> tunnel_id;            // PAN-OS second field; Cisco session number
  std::optional<std::string> connection;   // strongSwan/libreswan connection, Juniper VPN
  std::optional<std::string> child;        // strongSwan CHILD_SA name
  std::optional<std::string> syslog_wrap;  // "asa" | "ftd"
  TracePeerNames a;
  TracePeerNames b;
};

struct TraceKey {
  std::string_view path;  // relative to `trace:`, e.g. "start", "a.first_message_id"
  std::string_view type;
  std::string_view meaning;
};

// Every key of the section, in schema order.
std::span<const TraceKey> trace_keys();
// Markdown table key | type | meaning; scenarios/SCHEMA.md embeds it (a test
// keeps the two equal).
std::string trace_keys_markdown();

// Reads the `trace:` mapping of `file`; throws ScenarioError at the
// offending key or value (at `fallback` when it is set: a --set argument).
TraceSection read_trace_section(const YAML::Node& node, const std::string& file,
                                const SourcePos& fallback = {});
// Every key set in `update` replaces the one in `section` (--set trace.*).
void merge_trace_section(TraceSection& section, const TraceSection& update);

// "2025-07-06 03:00:00" (local time at `utc_offset_minutes`) -> Unix
// seconds; nullopt if the text is not that form or not a real date.
std::optional<std::int64_t> parse_local_time(std::string_view text, int utc_offset_minutes);
// "0xc1a2b3c4" (1 to 8 hex digits after 0x, not 0) -> SPI; nullopt otherwise.
std::optional<std::uint32_t> parse_child_spi(std::string_view text);
inline constexpr std::string_view kChildSpiForm = "a non-zero 32-bit SPI in hex like 0xc1a2b3c4";
// "0x1a2b3c4d5e6f7081" (1 to 16 hex digits after 0x, not 0) -> IKE SPI; nullopt otherwise.
std::optional<std::uint64_t> parse_ike_spi(std::string_view text);
inline constexpr std::string_view kIkeSpiForm =
    "a non-zero 64-bit IKE SPI in hex like 0x1a2b3c4d5e6f7081";
// "-0400", "+0530", "+00:00", "Z" -> minutes; nullopt otherwise.
std::optional<int> parse_utc_offset(std::string_view text);

}  // namespace rekeysim::scenario
