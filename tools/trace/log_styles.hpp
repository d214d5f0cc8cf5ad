// Internal: one renderer per log style. Each turns the whole record sequence
// into lines tagged with the peer whose log they belong to; render_log()
// then filters to one peer or interleaves both with a prefix.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "models/trace.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::trace::detail {

struct LogLine {
  models::PeerId peer = models::PeerId::kA;
  std::size_t record = 0;  // index of the record it was written for (interleaving order)
  std::string text;
};

std::vector<LogLine> plain_lines(std::span<const models::TraceRecord> records,
                                 const LogContext& context);
std::vector<LogLine> panos_lines(std::span<const models::TraceRecord> records,
                                 const LogContext& context);
std::vector<LogLine> strongswan_lines(std::span<const models::TraceRecord> records,
                                      const LogContext& context);
std::vector<LogLine> strongswan6_lines(std::span<const models::TraceRecord> records,
                                       const LogContext& context);
std::vector<LogLine> cisco_asa_lines(std::span<const models::TraceRecord> records,
                                     const LogContext& context);
std::vector<LogLine> libreswan_lines(std::span<const models::TraceRecord> records,
                                     const LogContext& context);
std::vector<LogLine> cisco_ios_lines(std::span<const models::TraceRecord> records,
                                     const LogContext& context);
std::vector<LogLine> juniper_srx_lines(std::span<const models::TraceRecord> records,
                                       const LogContext& context);

// Addresses and names as seen from one peer (local = that peer).
struct PeerView {
  const std::string& local_address;
  const std::string& remote_address;
  const std::string& local_subnet;
  const std::string& remote_subnet;
};
PeerView peer_view(const LogContext& context, models::PeerId peer);
// The peer's host name in syslog-shaped lines.
const std::string& host_name(const LogContext& context, models::PeerId peer);

// "Jul  6 03:32:18" (RFC 3164 syslog time, `%b %e %T`), and with
// `decimals` 3 or 6 the fraction of the second appended (".287", ".287000").
std::string syslog_time(const models::TraceRecord& r, const LogContext& context, int decimals = 0);

// The responder SPI an IKE header of SA `initiator_spi` is printed with:
// LogContext::responder_spis, else the stand-in ~initiator_spi (the records
// name an IKE SA by its initiator SPI alone; an SA whose creating response
// is not in the trial has no responder SPI to print).
std::uint64_t responder_spi(const LogContext& context, std::uint64_t initiator_spi);

// True if a record of `kind` for `peer` at `time` naming `spi` (in spi_in)
// follows index `i` at the same time (used to merge lines the way the
// vendor prints them).
bool same_time_follows(std::span<const models::TraceRecord> records, std::size_t i,
                       models::TraceKind kind, std::uint32_t spi);

}  // namespace rekeysim::trace::detail
