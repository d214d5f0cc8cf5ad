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

// Checks that the log's addresses and subnets (trace.<peer>.address,
// trace.<peer>.subnet, or the defaults) are plain dotted quads the capture
// can carry as the log prints them. Throws std::runtime_error naming the
// key (exit 2) otherwise; call it before the trial runs.
void check_pcap_context(const trace::LogContext& log);

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
// first_ike_spi) and message ID shift (first_message_id), worked out from
// the same window as the log's, are applied to every packet, so the
// capture's ESP and IKE SPIs and message IDs are the ones the log prints;
// its addresses and subnets are the packets' (checked as
// check_pcap_context does, std::runtime_error otherwise) and its start
// (epoch_unix_seconds, UTC) is the wall clock of t = 0. Returns the line to print once the files
// are written: the packet counts and the tshark command line.
std::string put_trace_pcap(OutputFiles& files, const std::string& path,
                           const models::TrialConfig& config, std::uint64_t seed,
                           std::uint64_t trial, std::optional<sim::SimTime> center,
                           sim::SimTime half_width, const trace::LogContext& log);

}  // namespace rekeysim::cli
