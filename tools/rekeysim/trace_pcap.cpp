#include "tools/rekeysim/trace_pcap.hpp"

#include <cstdio>
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
    "timestamps = send times), A = 192.0.2.1, B = 198.51.100.2 (the addresses the logs print),\n"
    "IKEv2 on UDP 500, ESP as IP protocol 50. Beside it FILE.ikev2_decryption_table and\n"
    "FILE.esp_sa, Wireshark's UAT formats, one record a line. IKE messages are real RFC 7296\n"
    "encodings of what the simulator exchanged (message IDs, SPIs, nonces, notifies, deletes),\n"
    "SPIs as the log prints them (trace.<peer>.first_child_spi, first_ike_spi and their flags),\n"
    "encrypted with AES-CBC-128 + HMAC_SHA1_96; ESP uses ENCR_NULL + HMAC-SHA-1-96. DERIVED,\n"
    "not simulated: all keys, IVs, KE data (group 14) and the first IKE SA's responder SPI (from\n"
    "the seed); ESP packet times (the scenario's rate from a seeded phase; the SPI switches are\n"
    "the simulator's) and sequence numbers (counted from each SA's first use); at most 10,000\n"
    "ESP packets each way. Captured at the senders' outside interfaces: ESP sent while the link\n"
    "was down is there (lost after it), and under no_sa_policy clear the packets that found no\n"
    "SA are there as plain IPv4. Details: tools/pcap/README.md.\n"
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

pcap::Ipv4Range subnet(const std::string& cidr) {
  const auto slash = cidr.find('/');
  const auto base = pcap::parse_ipv4(cidr.substr(0, slash));
  const int bits = slash == std::string::npos ? 32 : std::stoi(cidr.substr(slash + 1));
  if (!base || bits < 0 || bits > 32) throw std::logic_error("bad subnet " + cidr);
  const std::uint32_t host = bits == 32 ? 0 : (~std::uint32_t{0} >> bits);
  return {*base & ~host, *base | host};
}

constexpr const char* kIkeTable = "--pcap (IKEv2 decryption table)";
constexpr const char* kEspTable = "--pcap (ESP SA table)";
}  // namespace

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
  const trace::SpiDisplay spis =
      center ? trace::spi_display(trace::window(whole, *center, half_width), shown)
             : trace::spi_display(whole, shown);
  const std::vector<models::TraceRecord> records = trace::apply_spis(whole, spis);
  // Addresses, networks and wall clock exactly as the log views print them.
  const trace::LogContext ctx;
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
  o.a_address = *pcap::parse_ipv4(ctx.a_address);
  o.b_address = *pcap::parse_ipv4(ctx.b_address);
  o.a_subnet = subnet(ctx.a_subnet);
  o.b_subnet = subnet(ctx.b_subnet);
  o.epoch_unix_ns = ctx.epoch_unix_seconds * 1'000'000'000;
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
