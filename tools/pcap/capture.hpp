// One trial's IKE and ESP packets around an episode, as a classic pcap plus
// the two Wireshark decryption tables that open it (tools/pcap/README.md). A
// pure function of its inputs: same records and options => same bytes, at
// any --threads.
//
// Network: peer A at a_address, B at b_address (IPv4); IKEv2 on UDP 500 <->
// 500 without NAT traversal (so no non-ESP marker), ESP as IP protocol 50.
// Every message the trace records as sent (kMessageSent) or re-sent
// (kRetransmit) in the window becomes one packet at its send time, lost
// messages included (they left the sender). ESP packets: esp_packets.hpp;
// those sent on an SA while the link was down are there too (sent, then lost
// on the way), and packets a no_sa_policy clear sender sent without an SA are
// there as the plain inner IPv4 packets (the leak).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "models/config.hpp"
#include "models/trace.hpp"
#include "tools/pcap/bytes.hpp"
#include "tools/pcap/ikev2_encode.hpp"

namespace rekeysim::pcap {

struct CaptureOptions {
  std::uint64_t scenario_seed = 0;  // key material, ESP phase, derived SPIs
  std::uint64_t trial_index = 0;
  sim::SimTime from;  // window of simulated time, inclusive both ends (ns)
  sim::SimTime to;
  models::TrafficConfig traffic;  // ESP rate (pps) and packet size (bytes) each way
  std::uint32_t a_address = 0;    // host-order IPv4
  std::uint32_t b_address = 0;
  Ipv4Range a_subnet;  // A's protected network: TSi/TSr, inner ESP addresses
  Ipv4Range b_subnet;
  std::int64_t epoch_unix_ns = 0;  // wall-clock time of simulated t = 0
  // Each sender's no_sa_policy (A, B): clear puts its SA-less packets in clear.
  std::array<models::NoSaPolicy, 2> no_sa = {models::NoSaPolicy::kTrap, models::NoSaPolicy::kTrap};
  // Link-down windows (network.down), drawn for (scenario_seed, trial_index)
  // as the world draws them.
  models::NetworkConfig network;
};

struct Capture {
  Bytes pcap;                          // the file (pcap_writer.hpp)
  std::string ikev2_decryption_table;  // Wireshark UAT "ikev2_decryption_table", one IKE SA a line
  std::string esp_sa;                  // Wireshark UAT "esp_sa", one SA direction a line
  std::size_t ike_packets = 0;
  std::size_t esp_packets = 0;        // ESP and cleartext packets
  std::size_t cleartext_packets = 0;  // of esp_packets: sent without an SA, in clear
  std::size_t link_down_packets = 0;  // of esp_packets: sent while the link was down (lost)
  // The link-down windows [start, end) that hold at least one packet of the
  // capture, simulated ns, in time order (each direction's, merged).
  std::vector<std::pair<sim::SimTime, sim::SimTime>> link_down_windows;
};

// `whole_trial`: every record of the trial from t = 0 (IKE SA roles and SPIs,
// ESP sequence numbers start before the window). Throws std::runtime_error if
// a packet cannot be encoded.
Capture build_capture(std::span<const models::TraceRecord> whole_trial,
                      const CaptureOptions& options);

// Wireshark's spelling of an IPv4 address, for the tables and messages.
std::string format_ipv4(std::uint32_t address);

}  // namespace rekeysim::pcap
