#include "tools/rekeysim/trace_context.hpp"

#include <cstdio>

namespace rekeysim::cli {

namespace {

[[noreturn]] void bad_flag(const std::string& flag, const std::string& what,
                           const std::string& expected) {
  throw scenario::ScenarioError({"<command line>", 1, 1}, flag, what, expected);
}

std::string style_list() {
  std::string s = "auto";
  for (std::string_view n : trace::log_style_names()) s += ", " + std::string(n);
  return s;
}

trace::LogStyle style_named(const std::string& name, const std::string& flag) {
  const auto s = trace::parse_log_style(name);
  if (!s) bad_flag(flag, "unknown style \"" + name + "\"", style_list());
  return *s;
}

std::uint32_t message_id(const std::string& text, const std::string& flag) {
  unsigned long long x = 0;
  int used = 0;
  const bool hex = text.starts_with("0x") || text.starts_with("0X");
  const bool ok = hex ? std::sscanf(text.c_str() + 2, "%llx%n", &x, &used) == 1 &&
                            used == static_cast<int>(text.size() - 2)
                      : std::sscanf(text.c_str(), "%llu%n", &x, &used) == 1 &&
                            used == static_cast<int>(text.size()) && text[0] != '-';
  if (!ok || x > 0xffffffffULL) {
    bad_flag(flag, "\"" + text + "\" is not a 32-bit message ID", "a message ID like 836 or 0x344");
  }
  return static_cast<std::uint32_t>(x);
}

std::uint32_t child_spi(const std::string& text, const std::string& flag) {
  const auto spi = scenario::parse_child_spi(text);
  if (!spi)
    bad_flag(flag, "\"" + text + "\" is not a Child SA SPI", std::string(scenario::kChildSpiForm));
  return *spi;
}

std::uint64_t ike_spi(const std::string& text, const std::string& flag) {
  const auto spi = scenario::parse_ike_spi(text);
  if (!spi)
    bad_flag(flag, "\"" + text + "\" is not an IKE SA SPI", std::string(scenario::kIkeSpiForm));
  return *spi;
}

}  // namespace

ResolvedLog resolve_trace_log(const TraceLogFlags& f, const scenario::Scenario& sc,
                              const models::TrialConfig& config) {
  const scenario::TraceSection& t = sc.trace;
  ResolvedLog out;
  trace::LogContext& c = out.context;
  c.peer_a_name = "A(" + config.a.profile + ")";
  c.peer_b_name = "B(" + config.b.profile + ")";

  const std::string style = !f.style.empty() ? f.style : t.style.value_or("auto");
  if (style == "auto") {
    // Each peer in the shape its profile names (profile field log_style).
    out.style_a = style_named(config.a.log_style, "peers.a.log_style");
    out.style_b = style_named(config.b.log_style, "peers.b.log_style");
  } else {
    out.style_a = out.style_b = style_named(style, "--style");
  }

  const std::string peer = !f.peer.empty() ? f.peer : t.peer.value_or("");
  if (peer == "a") {
    c.only_peer = models::PeerId::kA;
  } else if (peer == "b") {
    c.only_peer = models::PeerId::kB;
  } else if (!peer.empty()) {
    bad_flag("--peer", "unknown peer \"" + peer + "\"", "a or b");
  }

  std::optional<int> offset = t.utc_offset_minutes;
  if (!f.utc_offset.empty()) {
    offset = scenario::parse_utc_offset(f.utc_offset);
    if (!offset)
      bad_flag("--utc-offset", "\"" + f.utc_offset + "\" is not a UTC offset",
               "like -0400 or +0530");
  }
  const std::string start_text = !f.start.empty() ? f.start : t.start.value_or("");
  std::optional<std::int64_t> start;
  if (!start_text.empty()) {
    // Local to the final offset (flag, else scenario, else UTC).
    start = scenario::parse_local_time(start_text, offset.value_or(0));
    if (!start)
      bad_flag("--start", "\"" + start_text + "\" is not a local date and time",
               "\"YYYY-MM-DD HH:MM:SS\", e.g. \"2025-07-06 03:00:00\"");
  }
  if (start) {
    c.epoch_unix_seconds = *start;
    c.utc_offset_minutes = offset.value_or(0);
  } else if (offset) {
    c.utc_offset_minutes = *offset;
  }

  if (t.gateway) c.gateway_name = *t.gateway;
  if (t.tunnel) c.tunnel_name = *t.tunnel;
  if (t.gateway_id) c.gateway_id = *t.gateway_id;
  if (t.tunnel_id) c.tunnel_id = *t.tunnel_id;
  if (t.connection) c.ike_sa_name = *t.connection;
  if (t.child) c.child_sa_name = *t.child;
  if (t.a.address) c.a_address = *t.a.address;
  if (t.b.address) c.b_address = *t.b.address;
  // Two ends of one tunnel: the same address would make each peer's log
  // (and the capture) name itself as its peer. Also when --set gave them
  // one at a time, which the loader checks key by key.
  // One of them may be the other's default (192.0.2.1 / 198.51.100.2).
  const std::string a_address = t.a.address.value_or(c.a_address);
  const std::string b_address = t.b.address.value_or(c.b_address);
  if (a_address == b_address)
    bad_flag(t.b.address ? "trace.b.address" : "trace.a.address",
             "\"" + a_address + "\" is the same address as peer " + (t.b.address ? "A" : "B") +
                 "'s" + (t.a.address && t.b.address ? "" : " (its default)"),
             "each peer its own address (trace.a.address, trace.b.address)");
  if (t.a.subnet) c.a_subnet = *t.a.subnet;
  if (t.b.subnet) c.b_subnet = *t.b.subnet;
  if (t.a.host) c.a_host = *t.a.host;
  if (t.b.host) c.b_host = *t.b.host;
  c.first_message_id[0] = t.a.first_message_id;
  c.first_message_id[1] = t.b.first_message_id;
  if (f.first_message_id_a)
    c.first_message_id[0] = message_id(*f.first_message_id_a, "--first-message-id-a");
  if (f.first_message_id_b)
    c.first_message_id[1] = message_id(*f.first_message_id_b, "--first-message-id-b");
  c.first_child_spi[0] = t.a.first_child_spi;
  c.first_child_spi[1] = t.b.first_child_spi;
  if (f.first_child_spi_a)
    c.first_child_spi[0] = child_spi(*f.first_child_spi_a, "--first-child-spi-a");
  if (f.first_child_spi_b)
    c.first_child_spi[1] = child_spi(*f.first_child_spi_b, "--first-child-spi-b");
  // Two devices never receive on the same SPI in one log pair.
  if (c.first_child_spi[0] && c.first_child_spi[0] == c.first_child_spi[1])
    bad_flag(f.first_child_spi_b ? "--first-child-spi-b" : "trace.b.first_child_spi",
             "is the same SPI as peer A's first Child SA",
             "an SPI different from peer A's (trace.a.first_child_spi)");
  c.first_ike_spi[0] = t.a.first_ike_spi;
  c.first_ike_spi[1] = t.b.first_ike_spi;
  if (f.first_ike_spi_a) c.first_ike_spi[0] = ike_spi(*f.first_ike_spi_a, "--first-ike-spi-a");
  if (f.first_ike_spi_b) c.first_ike_spi[1] = ike_spi(*f.first_ike_spi_b, "--first-ike-spi-b");
  // One IKE SA's two SPIs are the two peers' own: distinct, so that the
  // display mapping stays one-to-one.
  if (c.first_ike_spi[0] && c.first_ike_spi[0] == c.first_ike_spi[1])
    bad_flag(f.first_ike_spi_b ? "--first-ike-spi-b" : "trace.b.first_ike_spi",
             "is the same SPI as peer A's first IKE SA",
             "an SPI different from peer A's (trace.a.first_ike_spi)");

  const std::string wrap = !f.syslog_wrap.empty() ? f.syslog_wrap : t.syslog_wrap.value_or("");
  if (wrap == "asa") {
    c.syslog_wrap = "ASA";
  } else if (wrap == "ftd") {
    c.syslog_wrap = "FTD";
  } else if (!wrap.empty()) {
    bad_flag("--syslog-wrap", "unknown form \"" + wrap + "\"", "asa or ftd");
  }
  // The flag asks for ASA/FTD syslog lines: an error when no peer shown is
  // logged in that style (the scenario key may serve other runs: ignored).
  const bool asa_shown =
      (c.only_peer != models::PeerId::kB && out.style_a == trace::LogStyle::kCiscoAsa) ||
      (c.only_peer != models::PeerId::kA && out.style_b == trace::LogStyle::kCiscoAsa);
  if (!f.syslog_wrap.empty() && !asa_shown)
    bad_flag("--syslog-wrap", "applies to the cisco-asa style, and no peer shown is logged in it",
             "--style cisco-asa, or --style auto with a Cisco ASA/FTD peer");
  // Lines whose wording no public sample shows are the simulator's, not the
  // device's: off unless asked for.
  c.inferred_lines = f.inferred;
  return out;
}

}  // namespace rekeysim::cli
