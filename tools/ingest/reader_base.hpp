// Internal: what every syslog-shaped reader shares: its clock, the record
// it is completing and how a record is added.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tools/ingest/readers.hpp"

namespace rekeysim::ingest::detail {

class ReaderBase : public LineReader {
 protected:
  explicit ReaderBase(models::PeerId peer) : peer_(peer) {}

  // Sets the current time from a stamp; false if the stamp is unusable.
  bool stamp(IngestResult& out, int month, int day, int hour, int minute, int second,
             std::int64_t micros) {
    const auto t = clock_.at(month, day, hour, minute, second, micros);
    if (!t) return false;
    now_ = *t;
    if (!out.clock_reading_us) out.clock_reading_us = clock_.first_reading_us();
    note_rollovers(out, clock_);
    return true;
  }

  models::TraceRecord& add(IngestResult& out, models::TraceKind kind) {
    models::TraceRecord r;
    r.time = now_;
    r.peer = peer_;
    r.kind = kind;
    out.records.push_back(r);
    return out.records.back();
  }

  // SPIs of a DELETE logged before the message that carries it.
  void attach_pending_deletes(models::Message& m) {
    if (pending_delete_.empty()) return;
    m.delete_protocol = models::ProtocolId::kEsp;
    for (std::uint32_t spi : pending_delete_) {
      if (m.delete_count < models::Message::kMaxDeleteSpis) m.delete_spis[m.delete_count++] = spi;
    }
    pending_delete_.clear();
  }

  models::PeerId peer_;
  LogClock clock_;
  sim::SimTime now_{};
  bool have_time_ = false;
  std::vector<std::uint32_t> pending_delete_;
};

}  // namespace rekeysim::ingest::detail
