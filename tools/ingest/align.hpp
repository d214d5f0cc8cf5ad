// Two logs of one tunnel (one per peer) on one time line: events both logs
// show are matched -- a message one peer sent and the other received (same
// exchange, request/response and message ID), or an SA one peer receives on
// and the other sends on (same SPI) -- and the clock offset between the two
// devices estimated from them.
//
// Offset theta = B's clock reading - A's at the same instant. A message A->B
// sent at a and received at b says theta <= b - a (its delay is >= 0); one
// B->A says theta >= b - a. The tightest of these bounds, each widened by the
// timestamps' resolution, is the interval reported; the estimate is its
// middle (equal delays both ways). Without messages in both logs, SPIs:
// the median of install-time differences, the interval their range.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tools/ingest/ingest.hpp"

namespace rekeysim::ingest {

// Where a merged record came from.
struct Evidence {
  models::PeerId peer = models::PeerId::kA;
  std::uint64_t line = 0;  // 1-based line in that peer's log
};

struct Alignment {
  enum class Method { kNone, kMessages, kSpis, kSameClock };
  Method method = Method::kNone;
  sim::SimTime offset{};  // B clock - A clock
  sim::SimTime low{};     // the interval offset lies in (see above)
  sim::SimTime high{};
  bool one_sided = false;  // messages matched one way only: low or high is not a bound
  std::size_t messages_matched = 0;
  std::size_t spis_matched = 0;
  // What the two logs have in common, whatever the method (one_tunnel()):
  // the keyed messages each log shows (sent or received, retransmissions
  // left out), the distinct SPIs each names (SA installs, outbound switches,
  // DELETEs) and how many of those SPIs both name. Counted on the kept keys
  // (AlignKeys thinning keeps a key alike in both logs).
  std::size_t messages_shown[2] = {0, 0};
  std::size_t spis_named[2] = {0, 0};
  std::size_t spis_shared = 0;
  // Whether a SPI could be shared at all: one log names inbound SPIs and the
  // other outbound ones. Cisco IOS debugs name only the router's own inbound
  // SPIs (the DELETEs it sends, RECVD_PKT_INV_SPI; received payloads are
  // ENCR), so two IOS logs of one tunnel share none.
  bool spis_comparable = false;
};
std::string_view to_string(Alignment::Method m);

// Whether two logs look like the two ends of one tunnel, from what they
// have in common. The rule (M = the keyed messages the smaller log shows):
//  - if one log names inbound SPIs and the other outbound ones
//    (spis_comparable), at least one SPI is named in both (an SA's SPIs
//    are random 32-bit values: two tunnels share none, and one shared is
//    enough, e.g. a short excerpt around one DELETE);
//  - else, if both logs show keyed messages, at least min(3, M) and at least
//    20% of M were matched (a message ID is a small counter: two unrelated
//    tunnels match a few messages by chance, at a spurious offset);
//  - else nothing ties the logs: not one tunnel.
// Returns "" when they do, else the reason ("N of M messages matched, K SPIs
// shared") for the error message.
std::string not_one_tunnel(const Alignment& al);
// How far past its one bound a one-sided interval is reported to reach.
inline constexpr sim::SimTime kOneSidedSpan = sim::seconds(1);

struct Merged {
  std::vector<models::TraceRecord> records;  // time order; t = 0 at A's first line
  std::vector<Evidence> evidence;            // parallel to records
  Alignment alignment;                       // kNone for one log
  sim::SimTime resolution[2] = {sim::seconds(1), sim::seconds(1)};  // each log's timestamps
};

// One log (its records as they are) or two (b's shifted onto a's clock).
// a's records must be peer A's and b's peer B's. The records are moved out
// of a and b (left empty), so a long log is held once. The same alignment,
// order and times as AlignKeys + align() + MergedStream, all in memory.
Merged merge(IngestResult& a, IngestResult* b);

// Two logs without holding them: pass 1 reads each log into an AlignKeys
// (the keys the alignment matches on, bounded), align() estimates the
// offset, pass 2 reads both logs again through a MergedStream.
//
// What the alignment needs of one log: each message's key (exchange,
// request/response, message ID; a DELETE's SPI) with its time, and each SA
// install's SPI with its time. Bounded: past kMaxKept entries only the keys
// whose hash falls in 1/2^level of the hash space are kept, the level
// raised as needed. The same key hashes alike in both logs, so a send kept
// still finds its receipt; the bounds then come from a sample of the pairs
// spread over the whole log (they can only be wider). Below kMaxKept
// entries (level 0) everything is kept and align() gives what merge() gave
// on the held records.
class AlignKeys {
 public:
  static constexpr std::size_t kMaxKept = std::size_t{1} << 15;
  // Feed every record of one log, in log order.
  void add(const models::TraceRecord& r);
  // Once the log is read: its style and first clock reading (IngestResult).
  void finish(const IngestResult& log);
  std::size_t size() const { return entries_.size(); }
  std::size_t peak() const { return peak_; }  // most entries held at once
  unsigned level() const { return level_; }   // 0: every key kept
  // The earliest record time of the log (nullopt: no record), for t = 0.
  std::optional<sim::SimTime> earliest() const { return earliest_; }

  enum class Kind : std::uint8_t { kSent, kReceived, kRetransmit, kInstalledIn, kSwitchedOut };
  struct Entry {
    std::int64_t t_ns;     // record time (since the log's first line)
    std::uint32_t id;      // message ID, or the SPI (DELETE, install, switch)
    std::int8_t exchange;  // ExchangeType, -1 for a DELETE matched by its SPI
    bool response;
    Kind kind;
  };
  const std::vector<Entry>& entries() const { return entries_; }
  // Drops what a coarser level would not keep (align() brings both logs to one level).
  void thin_to(unsigned level);
  Style style() const { return style_; }
  std::int64_t clock_reading_ns() const { return clock_ns_; }

 private:
  std::vector<Entry> entries_;
  std::size_t peak_ = 0;
  unsigned level_ = 0;
  std::optional<sim::SimTime> earliest_;
  Style style_ = Style::kPanos;
  std::int64_t clock_ns_ = 0;
};

// The offset of b's clock against a's (a is peer A's log). Brings both to
// one thinning level first.
Alignment align(AlignKeys& a, AlignKeys& b);

// Where B's records go on A's time line: b time + shift, then everything
// minus t0 (t0 is the earliest such time when it is before A's t = 0, else 0).
struct Placement {
  sim::SimTime shift{};
  sim::SimTime t0{};
};
Placement place(const AlignKeys& a, const AlignKeys& b, const Alignment& al);

// Pass 2: both logs' records in one time order (B's placed), as merge()
// orders them: by time, A's before B's at one instant, each log in its own
// order. A log whose times step back by less than kReorderWindow is put in
// order; what is held is the records within kReorderWindow of the newest
// read (plus the readers' own 2 * kStreamKeep), not the logs.
class MergedStream {
 public:
  static constexpr sim::SimTime kReorderWindow = sim::seconds(10);
  MergedStream(RecordStream& a, RecordStream& b, const Placement& placement);
  MergedStream(MergedStream&&) noexcept;
  ~MergedStream();
  bool next(models::TraceRecord& r, Evidence& e);
  std::size_t peak_held() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace rekeysim::ingest
