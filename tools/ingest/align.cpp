#include "tools/ingest/align.hpp"

#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <tuple>

namespace rekeysim::ingest {

namespace {

using models::TraceKind;
using models::TraceRecord;
using Kind = AlignKeys::Kind;
using Entry = AlignKeys::Entry;

using Key = std::tuple<int, bool, std::uint32_t>;  // exchange, response, message ID

Key key_of(const Entry& e) {
  return Key{e.exchange, e.response, e.id};
}

bool is_message(Kind k) {
  return k == Kind::kSent || k == Kind::kReceived || k == Kind::kRetransmit;
}

// What thins an entry: its key (a message) or its SPI (an SA), mixed
// (splitmix64) so that any bit of it is as good as any other.
std::uint64_t thin_hash(const Entry& e) {
  std::uint64_t x = is_message(e.kind)
                        ? (std::uint64_t{static_cast<std::uint8_t>(e.exchange)} << 40) ^
                              (std::uint64_t{e.response} << 32) ^ e.id
                        : (std::uint64_t{1} << 48) ^ e.id;
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

bool kept_at(const Entry& e, unsigned level) {
  return level == 0 || (thin_hash(e) >> (64 - level)) == 0;
}

// Times as clock readings (microsecond resolution is enough for logs).
std::int64_t reading(const AlignKeys& log, std::int64_t t_ns) {
  return log.clock_reading_ns() + t_ns;
}

struct Pair {
  std::int64_t sent;      // reading at the sender
  std::int64_t received;  // reading at the receiver
  bool a_to_b;
};

// Sends of `from` matched to receipts in `to` with the same key, nearest to
// the offset guess (within 5 s of it).
void match(const AlignKeys& from, const AlignKeys& to, bool a_to_b, std::int64_t guess,
           std::vector<Pair>& out) {
  const std::size_t first = out.size();
  std::map<Key, std::vector<std::int64_t>> received;
  for (const Entry& r : to.entries()) {
    if (r.kind == Kind::kReceived) received[key_of(r)].push_back(reading(to, r.t_ns));
  }
  // A message the sender re-sent may have been received as any copy: pairing
  // the receipt with the first send would read a lost first copy as a
  // second-long delay, so such messages are not used.
  std::set<Key> resent;
  for (const Entry& r : from.entries()) {
    if (r.kind == Kind::kRetransmit) resent.insert(key_of(r));
  }
  const std::int64_t expect_sign = a_to_b ? 1 : -1;
  for (const Entry& r : from.entries()) {
    // Retransmissions are left out: the receipt may be of either copy.
    if (r.kind != Kind::kSent) continue;
    const Key k = key_of(r);
    if (resent.contains(k)) continue;
    auto it = received.find(k);
    if (it == received.end()) continue;
    const std::int64_t s = reading(from, r.t_ns);
    std::int64_t best = 0;
    std::int64_t best_err = 5'000'000'000;
    int candidates = 0;
    for (std::int64_t v : it->second) {
      // received - sent = theta (A->B) or -theta (B->A), plus the delay.
      const std::int64_t err = std::abs((v - s) - expect_sign * guess);
      if (err < 5'000'000'000) ++candidates;
      if (err < best_err) {
        best_err = err;
        best = v;
      }
    }
    // Two receipts that could be this message (PAN-OS logs a DELETE request
    // and a DELETE response naming the same SPI alike): ambiguous, not used.
    if (candidates == 1) out.push_back({s, best, a_to_b});
  }
  // One receipt claimed by two sends (a peer that names one SPI in two
  // DELETE requests, the second after the first was answered): only one of
  // them is its send, and the other would put the receipt before its send.
  std::map<std::int64_t, int> claims;
  for (std::size_t i = first; i < out.size(); ++i) ++claims[out[i].received];
  const auto ambiguous = [&](const Pair& p) { return claims[p.received] > 1; };
  out.erase(std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), ambiguous),
            out.end());
}

// The most common difference (1 s bins) over every same-key send/receipt
// pair: the coarse offset, whatever the time zones.
std::optional<std::int64_t> coarse_offset(const AlignKeys& a, const AlignKeys& b) {
  std::map<Key, std::vector<std::int64_t>> a_sent, a_recv, b_sent, b_recv;
  auto collect = [](const AlignKeys& log, auto& sent, auto& recv) {
    for (const Entry& r : log.entries()) {
      if (r.kind == Kind::kSent) sent[key_of(r)].push_back(reading(log, r.t_ns));
      if (r.kind == Kind::kReceived) recv[key_of(r)].push_back(reading(log, r.t_ns));
    }
  };
  collect(a, a_sent, a_recv);
  collect(b, b_sent, b_recv);
  std::map<std::int64_t, std::size_t> votes;
  std::size_t budget = 4'000'000;
  auto vote = [&](const auto& sent, const auto& recv, std::int64_t sign) {
    for (const auto& [k, ts] : sent) {
      auto it = recv.find(k);
      if (it == recv.end()) continue;
      for (std::int64_t s : ts) {
        for (std::int64_t v : it->second) {
          if (budget == 0) return;
          --budget;
          const std::int64_t d = sign * (v - s);
          ++votes[d >= 0 ? d / 1'000'000'000 : (d - 999'999'999) / 1'000'000'000];
        }
      }
    }
  };
  vote(a_sent, b_recv, 1);
  vote(b_sent, a_recv, -1);
  if (votes.empty()) return std::nullopt;
  // A bin and its upper neighbour together (a delay may cross a second).
  std::int64_t best = 0;
  std::size_t best_n = 0;
  for (const auto& [bin, n] : votes) {
    const auto next = votes.find(bin + 1);
    const std::size_t both = n + (next == votes.end() ? 0 : next->second);
    if (both > best_n) {
      best_n = both;
      best = bin;
    }
  }
  return best * 1'000'000'000 + 500'000'000;
}

Alignment by_messages(const AlignKeys& a, const AlignKeys& b) {
  Alignment al;
  const auto guess = coarse_offset(a, b);
  if (!guess) return al;
  std::vector<Pair> pairs;
  match(a, b, true, *guess, pairs);
  match(b, a, false, *guess, pairs);
  const std::int64_t res = std::max(resolution(a.style()).ns(), resolution(b.style()).ns());
  // A pair far (> 1 s) from the median difference of its direction is a
  // mismatch (a message ID reused), not a delay: one would break the bounds.
  auto median_of = [&](bool a_to_b) {
    std::vector<std::int64_t> d;
    for (const Pair& p : pairs)
      if (p.a_to_b == a_to_b) d.push_back(p.received - p.sent);
    if (d.empty()) return std::int64_t{0};
    std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2), d.end());
    return d[d.size() / 2];
  };
  const std::int64_t med[2] = {median_of(false), median_of(true)};
  std::erase_if(pairs, [&](const Pair& p) {
    return std::abs((p.received - p.sent) - med[p.a_to_b ? 1 : 0]) > 1'000'000'000;
  });
  std::optional<std::int64_t> lo, hi;
  for (const Pair& p : pairs) {
    if (p.a_to_b) {
      const std::int64_t bound = p.received - p.sent + res;  // theta <= b - a
      hi = hi ? std::min(*hi, bound) : bound;
    } else {
      const std::int64_t bound = p.sent - p.received - res;  // theta >= b - a
      lo = lo ? std::max(*lo, bound) : bound;
    }
  }
  if (!lo && !hi) return al;
  al.method = Alignment::Method::kMessages;
  al.messages_matched = pairs.size();
  if (lo && hi && *lo > *hi) std::swap(lo, hi);  // inconsistent bounds: report their span
  if (lo && hi) {
    al.low = sim::nanoseconds(*lo);
    al.high = sim::nanoseconds(*hi);
    al.offset = sim::nanoseconds(*lo + (*hi - *lo) / 2);
  } else {
    // Messages one way only (PAN-OS names no SPI in what it sends): one
    // bound. The estimate is that bound, which keeps every receipt after its
    // send; the interval reaches kOneSidedSpan beyond it.
    al.one_sided = true;
    const std::int64_t bound = hi ? *hi : *lo;
    al.offset = sim::nanoseconds(bound);
    al.low = hi ? sim::nanoseconds(bound) - kOneSidedSpan : sim::nanoseconds(bound);
    al.high = hi ? sim::nanoseconds(bound) : sim::nanoseconds(bound) + kOneSidedSpan;
  }
  return al;
}

Alignment by_spis(const AlignKeys& a, const AlignKeys& b) {
  // A's inbound SPI of an SA is B's outbound SPI of it, and vice versa.
  std::map<std::uint32_t, std::int64_t> a_in, a_out;
  for (const Entry& r : a.entries()) {
    if (r.kind == Kind::kInstalledIn) a_in.emplace(r.id, reading(a, r.t_ns));
    if (r.kind == Kind::kSwitchedOut) a_out.emplace(r.id, reading(a, r.t_ns));
  }
  std::vector<std::int64_t> diffs;
  for (const Entry& r : b.entries()) {
    if (r.kind == Kind::kSwitchedOut) {
      if (auto it = a_in.find(r.id); it != a_in.end())
        diffs.push_back(reading(b, r.t_ns) - it->second);
    }
    if (r.kind == Kind::kInstalledIn) {
      if (auto it = a_out.find(r.id); it != a_out.end())
        diffs.push_back(reading(b, r.t_ns) - it->second);
    }
  }
  Alignment al;
  if (diffs.empty()) return al;
  std::sort(diffs.begin(), diffs.end());
  const std::int64_t res = std::max(resolution(a.style()).ns(), resolution(b.style()).ns());
  al.method = Alignment::Method::kSpis;
  al.spis_matched = diffs.size();
  al.offset = sim::nanoseconds(diffs[diffs.size() / 2]);
  al.low = sim::nanoseconds(diffs.front() - res);
  al.high = sim::nanoseconds(diffs.back() + res);
  return al;
}

// What the two logs have in common (Alignment::messages_shown, spis_*).
// Each SPI a log names is one of its peer's inbound SPIs (an install, a
// DELETE it sends: RFC 7296 1.4.1, a DELETE names the sender's inbound SPI)
// or outbound ones (a switch, a DELETE it receives); an SA's SPI is the
// inbound SPI at one end and the outbound at the other, so only SPIs of
// opposite directions can be shared.
void count_common(const AlignKeys& a, const AlignKeys& b, Alignment& al) {
  std::set<std::uint32_t> in[2], out[2];
  const AlignKeys* logs[2] = {&a, &b};
  for (int l = 0; l < 2; ++l) {
    for (const Entry& e : logs[l]->entries()) {
      if (e.kind == Kind::kSent || e.kind == Kind::kReceived) ++al.messages_shown[l];
      if (is_message(e.kind) && e.exchange != -1) continue;
      const bool inbound =
          e.kind == Kind::kInstalledIn || e.kind == Kind::kSent || e.kind == Kind::kRetransmit;
      (inbound ? in : out)[l].insert(e.id);
    }
    std::set<std::uint32_t> all = in[l];
    all.insert(out[l].begin(), out[l].end());
    al.spis_named[l] = all.size();
  }
  al.spis_comparable = (!in[0].empty() && !out[1].empty()) || (!out[0].empty() && !in[1].empty());
  std::set<std::uint32_t> shared;
  for (std::uint32_t spi : in[0])
    if (out[1].contains(spi)) shared.insert(spi);
  for (std::uint32_t spi : out[0])
    if (in[1].contains(spi)) shared.insert(spi);
  al.spis_shared = shared.size();
}

}  // namespace

std::string not_one_tunnel(const Alignment& al) {
  const std::size_t m = std::min(al.messages_shown[0], al.messages_shown[1]);
  const bool by_spi = al.spis_comparable;
  const bool by_message = m > 0;
  const std::size_t n = al.messages_matched;
  const bool ok = by_spi       ? al.spis_shared > 0
                  : by_message ? n >= std::min<std::size_t>(3, m) && 5 * n >= m
                               : false;
  if (ok) return "";
  return std::to_string(n) + " of " + std::to_string(m) + " messages matched, " +
         std::to_string(al.spis_shared) + " SPIs shared";
}

std::string_view to_string(Alignment::Method m) {
  switch (m) {
    case Alignment::Method::kMessages:
      return "messages";
    case Alignment::Method::kSpis:
      return "SPIs";
    case Alignment::Method::kSameClock:
      return "none matched: clocks assumed equal";
    case Alignment::Method::kNone:
      break;
  }
  return "one log";
}

void AlignKeys::add(const TraceRecord& r) {
  earliest_ = earliest_ ? std::min(*earliest_, r.time) : r.time;
  Entry e{r.time.ns(), 0, 0, false, Kind::kSent};
  switch (r.kind) {
    case TraceKind::kMessageSent:
    case TraceKind::kMessageReceived:
    case TraceKind::kRetransmit: {
      const models::Message& m = r.message;
      e.kind = r.kind == TraceKind::kMessageSent       ? Kind::kSent
               : r.kind == TraceKind::kMessageReceived ? Kind::kReceived
                                                       : Kind::kRetransmit;
      e.response = m.is_response;
      // A DELETE is matched by the SPI it names (unique in a log), anything
      // else by exchange, direction and message ID.
      if (m.delete_protocol == models::ProtocolId::kEsp && m.delete_count > 0) {
        e.exchange = -1;
        e.id = m.delete_spis[0];
      } else if (m.message_id != kUnknownMessageId) {
        e.exchange = static_cast<std::int8_t>(m.exchange);
        e.id = m.message_id;
      } else {
        return;  // nothing to match it by
      }
      break;
    }
    case TraceKind::kChildSaInstalled:
      if (r.spi_in == 0) return;
      e.kind = Kind::kInstalledIn;
      e.id = r.spi_in;
      break;
    case TraceKind::kOutboundSwitched:
      if (r.spi_out == 0) return;
      e.kind = Kind::kSwitchedOut;
      e.id = r.spi_out;
      break;
    default:
      return;
  }
  if (!kept_at(e, level_)) return;
  entries_.push_back(e);
  // (Level 63 keeps a 2^-63 share: only a log of one repeated key gets there.)
  while (entries_.size() > kMaxKept && level_ < 63) thin_to(level_ + 1);
  if (entries_.size() > kMaxKept) entries_.pop_back();
  peak_ = std::max(peak_, entries_.size());
}

void AlignKeys::thin_to(unsigned level) {
  if (level <= level_) return;
  level_ = level;
  std::erase_if(entries_, [&](const Entry& e) { return !kept_at(e, level_); });
}

void AlignKeys::finish(const IngestResult& log) {
  style_ = log.style;
  clock_ns_ = log.clock_reading_us.value_or(0) * 1000;
}

Alignment align(AlignKeys& a, AlignKeys& b) {
  const unsigned level = std::max(a.level(), b.level());
  a.thin_to(level);
  b.thin_to(level);
  Alignment al = by_messages(a, b);
  if (al.method == Alignment::Method::kNone) al = by_spis(a, b);
  if (al.method == Alignment::Method::kNone) al.method = Alignment::Method::kSameClock;
  count_common(a, b, al);
  return al;
}

Placement place(const AlignKeys& a, const AlignKeys& b, const Alignment& al) {
  Placement p;
  // A B time t (since B's first line) is A time t + (B0 - A0) - theta.
  p.shift = sim::nanoseconds(b.clock_reading_ns() - a.clock_reading_ns()) - al.offset;
  std::optional<sim::SimTime> first = a.earliest();
  if (b.earliest())
    first = first ? std::min(*first, *b.earliest() + p.shift) : *b.earliest() + p.shift;
  if (first && *first < sim::SimTime{}) p.t0 = *first;
  return p;
}

Merged merge(IngestResult& a, IngestResult* b) {
  Merged m;
  m.resolution[0] = a.resolution;
  auto line_of = [](const IngestResult& r, std::size_t i) {
    return i < r.record_lines.size() ? r.record_lines[i] : 0;
  };
  if (!b) {
    m.evidence.reserve(a.records.size());
    for (std::size_t i = 0; i < a.records.size(); ++i)
      m.evidence.push_back({models::PeerId::kA, line_of(a, i)});
    m.records = std::move(a.records);
    a.records.clear();
    return m;
  }
  m.resolution[1] = b->resolution;
  AlignKeys ka, kb;
  for (const TraceRecord& r : a.records) ka.add(r);
  for (const TraceRecord& r : b->records) kb.add(r);
  ka.finish(a);
  kb.finish(*b);
  m.alignment = align(ka, kb);
  const Placement p = place(ka, kb, m.alignment);
  // Stable by time over both logs (indices first, so the records are copied
  // once): within one instant A's records stay before B's and each log keeps
  // its own order.
  const std::size_t na = a.records.size();
  auto time_of = [&](std::size_t k) {
    return k < na ? a.records[k].time : b->records[k - na].time + p.shift;
  };
  std::vector<std::uint32_t> order(na + b->records.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t x, std::uint32_t y) { return time_of(x) < time_of(y); });
  m.records.reserve(order.size());
  m.evidence.reserve(order.size());
  for (std::uint32_t k : order) {
    if (k < na) {
      m.records.push_back(a.records[k]);
      m.evidence.push_back({models::PeerId::kA, line_of(a, k)});
    } else {
      m.records.push_back(b->records[k - na]);
      m.records.back().time += p.shift;
      m.evidence.push_back({models::PeerId::kB, line_of(*b, k - na)});
    }
    m.records.back().time -= p.t0;
  }
  std::vector<TraceRecord>().swap(a.records);
  std::vector<TraceRecord>().swap(b->records);
  return m;
}

struct MergedStream::State {
  struct Item {
    sim::SimTime time;  // on A's clock, before t0
    int log;
    std::uint64_t seq;
    TraceRecord record;
    std::uint64_t line;
    // std::priority_queue puts the greatest first: the latest (time, log, seq) is "less".
    bool operator<(const Item& o) const {
      return std::tie(time, log, seq) > std::tie(o.time, o.log, o.seq);
    }
  };
  RecordStream* in[2];
  Placement placement;
  std::priority_queue<Item> heap;
  std::optional<sim::SimTime> newest[2];  // latest time read from each log
  bool done[2] = {false, false};
  std::uint64_t seq = 0;
  std::size_t peak = 0;

  // Whether no record still unread can come before `t`: each log's unread
  // records lie no more than kReorderWindow before its newest one.
  bool settled(sim::SimTime t) const {
    for (int l = 0; l < 2; ++l) {
      if (done[l]) continue;
      if (!newest[l] || !(t < *newest[l] - kReorderWindow)) return false;
    }
    return true;
  }
  // Reads one record from the log that is behind; false if both have ended.
  bool read_one() {
    int l = -1;
    for (int k = 0; k < 2; ++k) {
      if (done[k]) continue;
      if (l < 0 || !newest[k] || (newest[l] && *newest[k] < *newest[l])) l = k;
    }
    if (l < 0) return false;
    TraceRecord r;
    std::uint64_t line = 0;
    if (!in[l]->next(r, line)) {
      done[l] = true;
      return true;
    }
    const sim::SimTime t = l == 0 ? r.time : r.time + placement.shift;
    newest[l] = newest[l] ? std::max(*newest[l], t) : t;
    heap.push({t, l, seq++, r, line});
    peak = std::max(peak, heap.size());
    return true;
  }
};

MergedStream::MergedStream(RecordStream& a, RecordStream& b, const Placement& placement)
    : s_(std::make_unique<State>()) {
  s_->in[0] = &a;
  s_->in[1] = &b;
  s_->placement = placement;
}
MergedStream::MergedStream(MergedStream&&) noexcept = default;
MergedStream::~MergedStream() = default;

bool MergedStream::next(TraceRecord& r, Evidence& e) {
  State& s = *s_;
  while (s.heap.empty() || !s.settled(s.heap.top().time)) {
    if (!s.read_one()) break;
  }
  if (s.heap.empty()) return false;
  const State::Item& top = s.heap.top();
  r = top.record;
  r.time = top.time - s.placement.t0;
  e = {top.log == 0 ? models::PeerId::kA : models::PeerId::kB, top.line};
  s.heap.pop();
  return true;
}

std::size_t MergedStream::peak_held() const {
  return s_->peak;
}

}  // namespace rekeysim::ingest
