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
};
std::string_view to_string(Alignment::Method m);
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
// of a and b (left empty), so a long log is held once.
Merged merge(IngestResult& a, IngestResult* b);

}  // namespace rekeysim::ingest
