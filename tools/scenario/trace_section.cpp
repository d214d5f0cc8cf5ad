#include "tools/scenario/trace_section.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "sim/time.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

#include "models/profiles/profile.hpp"
#include "tools/scenario/values.hpp"
#include "tools/scenario/yaml_input.hpp"

namespace rekeysim::scenario {

namespace {

constexpr TraceKey kKeys[] = {
    {"peer", "a or b", "print this device's log alone, without the peer prefix (`--peer`)"},
    {"style", "enum",
     "log style: `auto` (each peer's profile `log_style`) or a style name (`--style`)"},
    {"start", "\"YYYY-MM-DD HH:MM:SS\"",
     "wall-clock time of simulated t = 0, local to `utc_offset` (UTC if that is not given)"},
    {"utc_offset", "\"+HHMM\" / \"-HHMM\"", "time zone the device writes its timestamps in"},
    {"gateway", "text", "PAN-OS IKE gateway name; Juniper IKE gateway name"},
    {"tunnel", "text", "PAN-OS tunnel name as `<gateway>:<proxy-id>`"},
    {"gateway_id", "count", "PAN-OS `{ <gateway_id>: <tunnel_id>}` first field"},
    {"tunnel_id", "count", "PAN-OS second field; Cisco ASA session number"},
    {"connection", "text", "strongSwan / libreswan connection name; Juniper VPN name"},
    {"child", "text", "strongSwan CHILD_SA name"},
    {"syslog_wrap", "asa | ftd",
     "Cisco ASA style: wrap debug lines as %ASA-7-711001 / %FTD-7-711001 syslog"},
    {"a.address", "IPv4 address (dotted decimal, no leading zeros)", "peer A's IKE address"},
    {"a.subnet", "IPv4 prefix", "peer A's protected subnet (traffic selector)"},
    {"a.host", "text", "peer A's host name in syslog-shaped logs"},
    {"a.first_message_id", "count (0x.. hex allowed)",
     "message ID of peer A's first request in the trace; later IDs on that IKE SA shift with it "
     "(an IKE SA whose IKE_SA_INIT or rekey the trace shows numbers from 0, RFC 7296 2.2)"},
    {"a.first_child_spi", "hex SPI (0x..)",
     "SPI peer A's first inbound Child SA in the trace is shown with; other SPIs keep their "
     "simulated values"},
    {"a.first_ike_spi", "hex SPI (0x.., 64-bit)",
     "peer A's own SPI of the first IKE SA in the trace (its initiator SPI if A created that SA, "
     "else its responder SPI) is shown with; other SPIs keep their simulated values"},
    {"b.address", "IPv4 address (dotted decimal, no leading zeros)",
     "peer B's IKE address, not A's"},
    {"b.subnet", "IPv4 prefix", "peer B's protected subnet"},
    {"b.host", "text", "peer B's host name in syslog-shaped logs"},
    {"b.first_message_id", "count (0x.. hex allowed)", "message ID of peer B's first request"},
    {"b.first_child_spi", "hex SPI (0x..)",
     "SPI peer B's first inbound Child SA is shown with (not peer A's)"},
    {"b.first_ike_spi", "hex SPI (0x.., 64-bit)",
     "peer B's own SPI of the first IKE SA in the trace is shown with (not peer A's)"},
};

bool is_ipv4(const std::string& s, bool prefix) {
  // Dotted decimal as logs and captures print it: inet_pton refuses leading
  // zeros (192.0.2.07), signs and short forms, which sscanf("%u") took and
  // a capture could not show as the log did.
  std::string address = s;
  if (prefix) {
    const auto slash = s.find('/');
    if (slash == std::string::npos) return false;
    const std::string bits = s.substr(slash + 1);
    if (bits.empty() || bits.size() > 2 || (bits.size() == 2 && bits[0] == '0') ||
        !std::all_of(bits.begin(), bits.end(), [](unsigned char ch) { return std::isdigit(ch); }) ||
        std::stoi(bits) > 32)
      return false;
    address = s.substr(0, slash);
  }
  in_addr out{};
  return inet_pton(AF_INET, address.c_str(), &out) == 1;
}

// A printable name without spaces or control characters (it goes into a log line).
std::string read_name(const ValueContext& v) {
  const std::string s = scalar_text(v, "a name without spaces");
  if (s.empty() ||
      std::any_of(s.begin(), s.end(), [](unsigned char ch) { return ch <= ' ' || ch == 127; })) {
    v.fail("\"" + s + "\" is not a name", "a name without spaces");
  }
  return s;
}

std::uint32_t read_message_id(const ValueContext& v) {
  const std::string s = scalar_text(v, "a message ID like 836 or 0x344");
  unsigned long long x = 0;
  int used = 0;
  const bool ok = s.starts_with("0x") || s.starts_with("0X")
                      ? std::sscanf(s.c_str() + 2, "%llx%n", &x, &used) == 1 &&
                            used == static_cast<int>(s.size() - 2)
                      : std::sscanf(s.c_str(), "%llu%n", &x, &used) == 1 &&
                            used == static_cast<int>(s.size()) && s[0] != '-';
  if (!ok || x > 0xffffffffULL)
    v.fail("\"" + s + "\" is not a 32-bit message ID", "a message ID like 836 or 0x344");
  return static_cast<std::uint32_t>(x);
}

}  // namespace

namespace {

// "0x" and 1 to `max_digits` hex digits, not all zero; nullopt otherwise.
std::optional<std::uint64_t> parse_hex_spi(std::string_view t, std::size_t max_digits) {
  if (!t.starts_with("0x") && !t.starts_with("0X")) return std::nullopt;
  const std::string_view digits = t.substr(2);
  if (digits.empty() || digits.size() > max_digits) return std::nullopt;
  std::uint64_t x = 0;
  for (char ch : digits) {
    int d;
    if (ch >= '0' && ch <= '9')
      d = ch - '0';
    else if (ch >= 'a' && ch <= 'f')
      d = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F')
      d = ch - 'A' + 10;
    else
      return std::nullopt;
    x = x * 16 + static_cast<std::uint64_t>(d);
  }
  if (x == 0) return std::nullopt;
  return x;
}

}  // namespace

std::optional<std::uint32_t> parse_child_spi(std::string_view t) {
  // SPI 0 is reserved (RFC 4303 2.1).
  const auto x = parse_hex_spi(t, 8);
  if (!x) return std::nullopt;
  return static_cast<std::uint32_t>(*x);
}

std::optional<std::uint64_t> parse_ike_spi(std::string_view t) {
  // RFC 7296 3.1: a zero SPI is never an IKE SA's (the responder SPI of an
  // IKE_SA_INIT request is 0).
  return parse_hex_spi(t, 16);
}

std::span<const TraceKey> trace_keys() {
  return kKeys;
}

std::string trace_keys_markdown() {
  std::string out = "| key | type | meaning |\n|---|---|---|\n";
  for (const TraceKey& k : kKeys) {
    out += "| `trace." + std::string(k.path) + "` | " + std::string(k.type) + " | " +
           std::string(k.meaning) + " |\n";
  }
  return out;
}

std::optional<int> parse_utc_offset(std::string_view t) {
  if (t == "Z") return 0;
  if (t.size() != 5 && t.size() != 6) return std::nullopt;
  if (t[0] != '+' && t[0] != '-') return std::nullopt;
  std::string digits;
  for (std::size_t i = 1; i < t.size(); ++i) {
    if (t.size() == 6 && i == 3) {
      if (t[i] != ':') return std::nullopt;
      continue;
    }
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
    digits += t[i];
  }
  const int h = (digits[0] - '0') * 10 + (digits[1] - '0');
  const int m = (digits[2] - '0') * 10 + (digits[3] - '0');
  if (h > 14 || m > 59) return std::nullopt;
  const int minutes = h * 60 + m;
  return t[0] == '-' ? -minutes : minutes;
}

std::optional<std::int64_t> parse_local_time(std::string_view text, int utc_offset_minutes) {
  int y, mo, d, h, mi, s, used = 0;
  const std::string t(text);
  if (std::sscanf(t.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6 ||
      used != static_cast<int>(t.size()) || t.size() != 19) {
    return std::nullopt;
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || s > 59)
    return std::nullopt;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return std::nullopt;
  const std::int64_t days =
      sim::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * 86400 + h * 3600 + mi * 60 + s - std::int64_t{utc_offset_minutes} * 60;
}

TraceSection read_trace_section(const YAML::Node& node, const std::string& file,
                                const SourcePos& fallback) {
  auto pos_of = [&](const YAML::Node& n, const std::string& f) {
    return fallback.file.empty() ? scenario::pos_of(n, f) : fallback;
  };
  if (!node.IsMap()) {
    throw ScenarioError(pos_of(node, file), "trace",
                        node.IsNull() ? "is empty" : "is not a mapping",
                        "a mapping like {peer: a, start: \"2025-07-06 03:00:00\", utc_offset: "
                        "\"-0400\"}");
  }
  std::vector<std::string> known;
  for (const TraceKey& k : kKeys) {
    const std::string p(k.path);
    if (p.find('.') == std::string::npos) known.push_back(p);
  }
  known.emplace_back("a");
  known.emplace_back("b");
  TraceSection t;
  std::optional<std::string> start_text;
  YAML::Node start_node;
  for (const auto& kv : node) {
    const std::string k = kv.first.Scalar();
    const std::string field = "trace." + k;
    const ValueContext v{kv.second, file, field, fallback};
    if (k == "peer") {
      static constexpr std::string_view kPeers[] = {"a", "b"};
      t.peer = std::string(kPeers[static_cast<std::size_t>(read_enum(v, kPeers))]);
    } else if (k == "style") {
      std::vector<std::string_view> names = {"auto"};
      for (std::string_view n : models::known_log_styles()) names.push_back(n);
      t.style = std::string(names[static_cast<std::size_t>(read_enum(v, names))]);
    } else if (k == "start") {
      start_text = scalar_text(v, "a local time like \"2025-07-06 03:00:00\"");
      start_node = kv.second;
    } else if (k == "utc_offset") {
      const std::string s = scalar_text(v, "a UTC offset like \"-0400\"");
      t.utc_offset_minutes = parse_utc_offset(s);
      if (!t.utc_offset_minutes)
        v.fail("\"" + s + "\" is not a UTC offset",
               "a UTC offset like \"-0400\" or \"+0530\" (quoted)");
    } else if (k == "gateway") {
      t.gateway = read_name(v);
    } else if (k == "tunnel") {
      t.tunnel = read_name(v);
    } else if (k == "connection") {
      t.connection = read_name(v);
    } else if (k == "child") {
      t.child = read_name(v);
    } else if (k == "gateway_id") {
      t.gateway_id = static_cast<int>(read_count(v, 65535, "a whole number from 0 to 65535"));
    } else if (k == "tunnel_id") {
      t.tunnel_id = static_cast<int>(read_count(v, 65535, "a whole number from 0 to 65535"));
    } else if (k == "syslog_wrap") {
      static constexpr std::string_view kWraps[] = {"asa", "ftd"};
      t.syslog_wrap = std::string(kWraps[static_cast<std::size_t>(read_enum(v, kWraps))]);
    } else if (k == "a" || k == "b") {
      if (!kv.second.IsMap()) {
        throw ScenarioError(
            pos_of(kv.second, file), field, "is not a mapping",
            "a mapping of address, subnet, host, first_message_id, first_child_spi, "
            "first_ike_spi");
      }
      TracePeerNames& p = k == "a" ? t.a : t.b;
      const std::vector<std::string> inner = {
          "address", "subnet", "host", "first_message_id", "first_child_spi", "first_ike_spi"};
      for (const auto& ikv : kv.second) {
        const std::string ik = ikv.first.Scalar();
        const ValueContext iv{ikv.second, file, field + "." + ik, fallback};
        if (ik == "address" || ik == "subnet") {
          const std::string s = scalar_text(iv, "an IPv4 address");
          const bool prefix = ik == "subnet";
          if (!is_ipv4(s, prefix))
            iv.fail("\"" + s + "\" is not an IPv4 " + (prefix ? "prefix" : "address"),
                    prefix ? "a prefix like 10.1.0.0/16" : "an address like 192.0.2.1");
          if (!prefix && k == "b" && t.a.address == s)
            iv.fail("is the same address as trace.a.address", "peer B's own address");
          if (!prefix && k == "a" && t.b.address == s)
            iv.fail("is the same address as trace.b.address", "peer A's own address");
          (prefix ? p.subnet : p.address) = s;
        } else if (ik == "host") {
          p.host = read_name(iv);
        } else if (ik == "first_message_id") {
          p.first_message_id = read_message_id(iv);
        } else if (ik == "first_child_spi") {
          const std::string s = scalar_text(iv, std::string(kChildSpiForm));
          p.first_child_spi = parse_child_spi(s);
          if (!p.first_child_spi)
            iv.fail("\"" + s + "\" is not a Child SA SPI", std::string(kChildSpiForm));
          if (k == "b" && t.a.first_child_spi == p.first_child_spi)
            iv.fail("is the same SPI as trace.a.first_child_spi", "an SPI different from peer A's");
          if (k == "a" && t.b.first_child_spi == p.first_child_spi)
            iv.fail("is the same SPI as trace.b.first_child_spi", "an SPI different from peer B's");
        } else if (ik == "first_ike_spi") {
          const std::string s = scalar_text(iv, std::string(kIkeSpiForm));
          p.first_ike_spi = parse_ike_spi(s);
          if (!p.first_ike_spi)
            iv.fail("\"" + s + "\" is not an IKE SA SPI", std::string(kIkeSpiForm));
          if (k == "b" && t.a.first_ike_spi == p.first_ike_spi)
            iv.fail("is the same SPI as trace.a.first_ike_spi", "an SPI different from peer A's");
          if (k == "a" && t.b.first_ike_spi == p.first_ike_spi)
            iv.fail("is the same SPI as trace.b.first_ike_spi", "an SPI different from peer B's");
        } else {
          throw ScenarioError(pos_of(ikv.first, file), field + "." + ik,
                              "unknown key " + quoted_with_suggestion(ik, inner),
                              "one of " + join(inner));
        }
      }
    } else {
      throw ScenarioError(pos_of(kv.first, file), field,
                          "unknown key " + quoted_with_suggestion(k, known),
                          "one of " + join(known));
    }
  }
  if (start_text) {
    // Checked here (offset 0: the date itself); the trace command reads it
    // in the final UTC offset, which --set or a flag may still change.
    t.start = start_text;
    if (!parse_local_time(*start_text, 0)) {
      ValueContext{start_node, file, "trace.start", fallback}.fail(
          "\"" + *start_text + "\" is not a local date and time",
          "\"YYYY-MM-DD HH:MM:SS\" (quoted), e.g. \"2025-07-06 03:00:00\"");
    }
  }
  return t;
}

void merge_trace_section(TraceSection& t, const TraceSection& u) {
  auto take = [](auto& into, const auto& from) {
    if (from) into = from;
  };
  take(t.peer, u.peer);
  take(t.style, u.style);
  take(t.start, u.start);
  take(t.utc_offset_minutes, u.utc_offset_minutes);
  take(t.gateway, u.gateway);
  take(t.tunnel, u.tunnel);
  take(t.gateway_id, u.gateway_id);
  take(t.tunnel_id, u.tunnel_id);
  take(t.connection, u.connection);
  take(t.child, u.child);
  take(t.syslog_wrap, u.syslog_wrap);
  for (auto [into, from] : {std::pair{&t.a, &u.a}, std::pair{&t.b, &u.b}}) {
    take(into->address, from->address);
    take(into->subnet, from->subnet);
    take(into->host, from->host);
    take(into->first_message_id, from->first_message_id);
    take(into->first_child_spi, from->first_child_spi);
    take(into->first_ike_spi, from->first_ike_spi);
  }
}

}  // namespace rekeysim::scenario
