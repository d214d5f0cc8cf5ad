// `rekeysim trace --pcap FILE`: the traced trial's IKE and ESP packets as a
// pcap, with the Wireshark decryption tables beside it (tools/pcap/capture.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "models/config.hpp"
#include "sim/time.hpp"

namespace rekeysim::cli {

// --help text: what is derived and how to open the capture with tshark.
extern const char* const kPcapHelp;

// Re-runs trial `trial` of (config, seed) recording everything (the same
// records the trace view showed, plus the history before the window), then
// writes `path` and path + ".ikev2_decryption_table" / ".esp_sa". Window:
// center ± half_width, or the whole trial without a center. All three files
// are written atomically; if one fails the others are removed and
// std::runtime_error("cannot write <path>: <reason>") is thrown. Prints the
// packet counts and the tshark command line to stderr.
void write_trace_pcap(const std::string& path, const models::TrialConfig& config,
                      std::uint64_t seed, std::uint64_t trial, std::optional<sim::SimTime> center,
                      sim::SimTime half_width);

}  // namespace rekeysim::cli
