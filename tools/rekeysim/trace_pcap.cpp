#include "tools/rekeysim/trace_pcap.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "models/trial.hpp"
#include "tools/pcap/capture.hpp"
#include "tools/pcap/ip_packets.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::cli {

const char* const kPcapHelp =
    "--pcap FILE: the trial's IKE and ESP packets in the window as a classic pcap (raw IPv4, ns\n"
    "timestamps = send times), in the log's context: addresses trace.<peer>.address (default\n"
    "A = 192.0.2.1, B = 198.51.100.2; IPv4 only, as plain dotted quads, else exit 2 naming the\n"
    "key), networks trace.<peer>.subnet, wall clock of t = 0 = trace.start in its utc_offset\n"
    "(--start, --utc-offset; frame.time_epoch is UTC), IKEv2 on UDP 500, ESP as IP protocol 50.\n"
    "Beside it FILE.ikev2_decryption_table and FILE.esp_sa, Wireshark's UAT formats, one record\n"
    "a line. IKE messages are real RFC 7296 encodings of what the simulator exchanged (message\n"
    "IDs, SPIs, nonces, notifies, deletes), message IDs and SPIs as the log prints them\n"
    "(trace.<peer>.first_message_id, first_child_spi, first_ike_spi and their flags),\n"
    "encrypted with AES-CBC-128 + HMAC_SHA1_96; ESP uses ENCR_NULL + HMAC-SHA-1-96. DERIVED,\n"
    "not simulated: all keys, IVs, KE data (group 14); an IKE SA's responder SPI is the one in\n"
    "its creating response (IKE_SA_INIT or CREATE_CHILD_SA), derived from the seed only when\n"
    "the trial holds no such response; ESP packet times (the scenario's rate from a seeded\n"
    "phase; the SPI switches are the simulator's) and sequence numbers (counted from each SA's\n"
    "first use); at most 10,000 ESP packets each way. Captured at the senders' outside\n"
    "interfaces: ESP sent while the link was down is there (lost after it), and under\n"
    "no_sa_policy clear the packets that found no SA are there as plain IPv4. Details:\n"
    "tools/pcap/README.md.\n"
    "Open it (each table line is one -o option):\n"
    "  tshark -r FILE -o 'uat:ikev2_decryption_table:LINE' ... -o 'uat:esp_sa:LINE' ...\n"
    "e.g. in bash:\n"
    "  o=(); while read -r l; do o+=(-o \"uat:ikev2_decryption_table:$l\"); done < "
    "FILE.ikev2_decryption_table\n"
    "  while read -r l; do o+=(-o \"uat:esp_sa:$l\"); done < FILE.esp_sa\n"
    "  tshark -r FILE \"${o[@]}\" -o esp.enable_encryption_decode:TRUE \\\n"
    "    -o esp.enable_authentication_check:TRUE -V\n"
    "(or copy both tables into ~/.config/wireshark/ under those names).\n";

namespace {

// `text` as a plain dotted quad (no sign, space or leading zero), so that
// the capture shows the address exactly as the log prints it; nullopt
// otherwise. (The scenario loader already refuses IPv6 and non-addresses;
// it lets through forms like "+10.0.0.1" or "192.0.2.01".)
std::optional<std::uint32_t> plain_ipv4(const std::string& text) {
  const auto a = pcap::parse_ipv4(text);
  if (!a) return std::nullopt;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", *a >> 24, (*a >> 16) & 255, (*a >> 8) & 255,
                *a & 255);
  if (text != buf) return std::nullopt;
  return a;
}

// "10.1.0.0/16" -> its address range; nullopt unless a plain dotted quad,
// '/', and 0 to 32 without a leading zero.
std::optional<pcap::Ipv4Range> plain_subnet(const std::string& cidr) {
  const auto slash = cidr.find('/');
  if (slash == std::string::npos) return std::nullopt;
  const auto base = plain_ipv4(cidr.substr(0, slash));
  const std::string bits_text = cidr.substr(slash + 1);
  const int bits = bits_text.size() == 1 || (bits_text.size() == 2 && bits_text[0] != '0')
                       ? std::atoi(bits_text.c_str())
                       : -1;
  if (!base || bits < 0 || bits > 32 ||
      bits_text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const std::uint32_t host = bits == 32 ? 0 : (~std::uint32_t{0} >> bits);
  return pcap::Ipv4Range{*base & ~host, *base | host};
}

std::uint32_t address_of(const std::string& text, const char* key) {
  const auto a = plain_ipv4(text);
  if (!a) {
    throw std::runtime_error(std::string(key) + ": \"" + text +
                             "\" is not a plain IPv4 address, which --pcap needs to write the "
                             "packets with the address the log prints; expected a dotted quad "
                             "like 192.0.2.1 (no sign, space or leading zero)");
  }
  return *a;
}

pcap::Ipv4Range subnet_of(const std::string& text, const char* key) {
  const auto r = plain_subnet(text);
  if (!r) {
    throw std::runtime_error(std::string(key) + ": \"" + text +
                             "\" is not a plain IPv4 prefix, which --pcap needs to write the "
                             "traffic selectors and inner packets the log prints; expected a "
                             "prefix like 10.1.0.0/16 (no sign, space or leading zero)");
  }
  return *r;
}

constexpr const char* kIkeTable = "--pcap (IKEv2 decryption table)";
constexpr const char* kEspTable = "--pcap (ESP SA table)";
}  // namespace

void check_pcap_context(const trace::LogContext& log) {
  address_of(log.a_address, "trace.a.address");
  address_of(log.b_address, "trace.b.address");
  subnet_of(log.a_subnet, "trace.a.subnet");
  subnet_of(log.b_subnet, "trace.b.subnet");
}

void add_pcap_files(OutputFiles& files, const std::string& path) {
  files.add("--pcap", path);
  files.add(kIkeTable, path + ".ikev2_decryption_table");
  files.add(kEspTable, path + ".esp_sa");
}

std::string put_trace_pcap(OutputFiles& files, const std::string& path,
                           const models::TrialConfig& config, std::uint64_t seed,
                           std::uint64_t trial, std::optional<sim::SimTime> center,
                           sim::SimTime half_width, const trace::LogContext& log) {
  trace::TraceBuffer all;
  models::run_trial(config, seed, trial, &all);
  // SPIs as the log prints them: the mapping the log worked out from its
  // window (and the whole trial), applied to the whole trial.
  const auto whole = all.records();
  trace::LogContext shown = log;
  shown.history = whole;
  const std::vector<models::TraceRecord> window =
      center ? trace::window(whole, *center, half_width) : std::vector<models::TraceRecord>{};
  const std::span<const models::TraceRecord> in_log =
      center ? std::span<const models::TraceRecord>(window) : whole;
  const trace::SpiDisplay spis = trace::spi_display(in_log, shown);
  // Message IDs likewise (trace.<peer>.first_message_id): the shift the log
  // applies to its window, applied to the whole trial. Shifted before the
  // SPIs are mapped, as the log does: the shift names its IKE SA by the
  // simulated SPI.
  const std::vector<models::TraceRecord> records = trace::apply_spis(
      trace::apply_message_ids(whole, trace::message_id_shift(in_log, log)), spis);
  pcap::CaptureOptions o;
  o.scenario_seed = seed;
  o.trial_index = trial;
  if (center) {
    o.from = *center - half_width;
    o.to = *center + half_width;
  } else if (!records.empty()) {
    o.from = records.front().time;
    o.to = records.back().time;
  }
  o.traffic = config.traffic;
  // Addresses, networks and wall clock exactly as the log prints them
  // (trace.<peer>.address, subnet, trace.start in its utc_offset).
  o.a_address = address_of(log.a_address, "trace.a.address");
  o.b_address = address_of(log.b_address, "trace.b.address");
  o.a_subnet = subnet_of(log.a_subnet, "trace.a.subnet");
  o.b_subnet = subnet_of(log.b_subnet, "trace.b.subnet");
  o.epoch_unix_ns = log.epoch_unix_seconds * 1'000'000'000;
  o.no_sa = {config.a.behaviour.no_sa_policy, config.b.behaviour.no_sa_policy};
  o.network = config.network;
  const pcap::Capture c = pcap::build_capture(records, o);

  // Nothing partial: the capture and its tables are committed together with
  // every other output of the command, or not at all.
  files.put(kIkeTable, c.ikev2_decryption_table);
  files.put(kEspTable, c.esp_sa);
  files.put("--pcap", std::string(pcap::as_chars(c.pcap)));
  const std::string ike_table = path + ".ikev2_decryption_table";
  const std::string esp_table = path + ".esp_sa";
  std::ostringstream cmd;
  cmd << "tshark -r " << path;
  auto options = [&](const char* uat, const std::string& table) {
    std::istringstream in(table);
    for (std::string line; std::getline(in, line);) cmd << " -o 'uat:" << uat << ":" << line << "'";
  };
  options("ikev2_decryption_table", c.ikev2_decryption_table);
  options("esp_sa", c.esp_sa);
  cmd << " -o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE";
  std::ostringstream done;
  done << "wrote " << path << ": " << c.ike_packets << " IKE and " << c.esp_packets
       << " ESP packets, keys in " << ike_table << " and " << esp_table << "\n";
  if (c.cleartext_packets > 0) {
    done << "  " << c.cleartext_packets
         << " of them sent in clear for want of an SA (no_sa_policy clear): plain IPv4 between "
            "the protected networks, tshark filter: not esp and not udp.port == 500\n";
  }
  if (c.link_down_packets > 0) {
    // Wall-clock bounds of the windows, as frame.time_epoch compares them.
    auto epoch = [&](sim::SimTime t) {
      const std::int64_t ns = o.epoch_unix_ns + t.ns();
      char buf[40];
      std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1'000'000'000),
                    static_cast<long long>(ns % 1'000'000'000));
      return std::string(buf);
    };
    done << "  " << c.link_down_packets
         << " of them sent while the link was down, lost on the way; tshark filter:";
    const char* sep = " ";
    for (const auto& [from, to] : c.link_down_windows) {
      done << sep << "(frame.time_epoch >= " << epoch(from) << " and frame.time_epoch < "
           << epoch(to) << ")";
      sep = " or ";
    }
    done << "\n";
  }
  done << "open with: " << cmd.str() << "\n";
  return done.str();
}

}  // namespace rekeysim::cli
