// `rekeysim trace --pcap FILE`: the traced trial's IKE and ESP packets as a
// pcap, with the Wireshark decryption tables beside it (tools/pcap/capture.hpp).
#pragma once

#include "tools/rekeysim/output_files.hpp"

#include <cstdint>
#include <optional>
#include <string>

#include "models/config.hpp"
#include "sim/time.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::cli {

// --help text: what is derived and how to open the capture with tshark.
extern const char* const kPcapHelp;

// Registers `path` and its two tables (path + ".ikev2_decryption_table",
// path + ".esp_sa") with `files`, checked before anything runs (throws as
// OutputFiles::add does).
void add_pcap_files(OutputFiles& files, const std::string& path);

// Re-runs trial `trial` of (config, seed) recording everything (the same
// records the trace view showed, plus the history before the window) and
// puts the capture and its tables into `files` (registered by
// add_pcap_files; written by the caller's commit(), all outputs together or
// none). Window: center ± half_width, or the whole trial without a center.
// `log`: the log's context; its SPI display mapping (first_child_spi,
// first_ike_spi), worked out from the same window as the log's, is applied
// to every packet, so the capture's ESP and IKE SPIs are the ones the log
// prints. Returns the line to print once the files are written: the packet
// counts and the tshark command line.
std::string put_trace_pcap(OutputFiles& files, const std::string& path,
                           const models::TrialConfig& config, std::uint64_t seed,
                           std::uint64_t trial, std::optional<sim::SimTime> center,
                           sim::SimTime half_width, const trace::LogContext& log);

}  // namespace rekeysim::cli
