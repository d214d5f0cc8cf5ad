#include "tools/ingest/align.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace rekeysim::ingest {

namespace {

using models::TraceKind;
using models::TraceRecord;

using Key = std::tuple<int, bool, std::uint32_t>;  // exchange, response, message ID

// A DELETE is matched by the SPI it names (unique in a log), anything else
// by exchange, direction and message ID; nullopt: nothing to match it by.
std::optional<Key> key_of(const models::Message& m) {
  if (m.delete_protocol == models::ProtocolId::kEsp && m.delete_count > 0)
    return Key{-1, m.is_response, m.delete_spis[0]};
  if (m.message_id == kUnknownMessageId) return std::nullopt;
  return Key{static_cast<int>(m.exchange), m.is_response, m.message_id};
}

// Times as clock readings (microsecond resolution is enough for logs).
std::int64_t reading(const IngestResult& r, sim::SimTime t) {
  return r.clock_reading_us.value_or(0) * 1000 + t.ns();
}

struct Pair {
  std::int64_t sent;      // reading at the sender
  std::int64_t received;  // reading at the receiver
  bool a_to_b;
};

// Sends of `from` matched to receipts in `to` with the same key, nearest to
// the offset guess (within 5 s of it).
void match(const IngestResult& from, const IngestResult& to, bool a_to_b, std::int64_t guess,
           std::vector<Pair>& out) {
  const std::size_t first = out.size();
  std::map<Key, std::vector<std::int64_t>> received;
  for (const TraceRecord& r : to.records) {
    if (r.kind != TraceKind::kMessageReceived) continue;
    if (const auto k = key_of(r.message)) received[*k].push_back(reading(to, r.time));
  }
  // A message the sender re-sent may have been received as any copy: pairing
  // the receipt with the first send would read a lost first copy as a
  // second-long delay, so such messages are not used.
  std::set<Key> resent;
  for (const TraceRecord& r : from.records) {
    if (r.kind != TraceKind::kRetransmit) continue;
    if (const auto k = key_of(r.message)) resent.insert(*k);
  }
  const std::int64_t expect_sign = a_to_b ? 1 : -1;
  for (const TraceRecord& r : from.records) {
    // Retransmissions are left out: the receipt may be of either copy.
    if (r.kind != TraceKind::kMessageSent) continue;
    const auto k = key_of(r.message);
    if (!k || resent.contains(*k)) continue;
    auto it = received.find(*k);
    if (it == received.end()) continue;
    const std::int64_t s = reading(from, r.time);
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
std::optional<std::int64_t> coarse_offset(const IngestResult& a, const IngestResult& b) {
  std::map<Key, std::vector<std::int64_t>> a_sent, a_recv, b_sent, b_recv;
  auto collect = [](const IngestResult& log, auto& sent, auto& recv) {
    for (const TraceRecord& r : log.records) {
      const auto k = key_of(r.message);
      if (!k) continue;
      if (r.kind == TraceKind::kMessageSent) sent[*k].push_back(reading(log, r.time));
      if (r.kind == TraceKind::kMessageReceived) recv[*k].push_back(reading(log, r.time));
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

Alignment by_messages(const IngestResult& a, const IngestResult& b) {
  Alignment al;
  const auto guess = coarse_offset(a, b);
  if (!guess) return al;
  std::vector<Pair> pairs;
  match(a, b, true, *guess, pairs);
  match(b, a, false, *guess, pairs);
  const std::int64_t res = std::max(resolution(a.style).ns(), resolution(b.style).ns());
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

Alignment by_spis(const IngestResult& a, const IngestResult& b) {
  // A's inbound SPI of an SA is B's outbound SPI of it, and vice versa.
  std::map<std::uint32_t, std::int64_t> a_in, a_out;
  for (const TraceRecord& r : a.records) {
    if (r.kind == TraceKind::kChildSaInstalled && r.spi_in != 0)
      a_in.emplace(r.spi_in, reading(a, r.time));
    if (r.kind == TraceKind::kOutboundSwitched && r.spi_out != 0)
      a_out.emplace(r.spi_out, reading(a, r.time));
  }
  std::vector<std::int64_t> diffs;
  for (const TraceRecord& r : b.records) {
    if (r.kind == TraceKind::kOutboundSwitched && r.spi_out != 0) {
      if (auto it = a_in.find(r.spi_out); it != a_in.end())
        diffs.push_back(reading(b, r.time) - it->second);
    }
    if (r.kind == TraceKind::kChildSaInstalled && r.spi_in != 0) {
      if (auto it = a_out.find(r.spi_in); it != a_out.end())
        diffs.push_back(reading(b, r.time) - it->second);
    }
  }
  Alignment al;
  if (diffs.empty()) return al;
  std::sort(diffs.begin(), diffs.end());
  const std::int64_t res = std::max(resolution(a.style).ns(), resolution(b.style).ns());
  al.method = Alignment::Method::kSpis;
  al.spis_matched = diffs.size();
  al.offset = sim::nanoseconds(diffs[diffs.size() / 2]);
  al.low = sim::nanoseconds(diffs.front() - res);
  al.high = sim::nanoseconds(diffs.back() + res);
  return al;
}

}  // namespace

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
  Alignment al = by_messages(a, *b);
  if (al.method == Alignment::Method::kNone) al = by_spis(a, *b);
  if (al.method == Alignment::Method::kNone) al.method = Alignment::Method::kSameClock;
  m.alignment = al;
  // A B time t (since B's first line) is A time t + (B0 - A0) - theta.
  const sim::SimTime shift =
      sim::microseconds(b->clock_reading_us.value_or(0) - a.clock_reading_us.value_or(0)) -
      al.offset;
  // Stable by time over both logs (indices first, so the records are copied
  // once): within one instant A's records stay before B's and each log keeps
  // its own order.
  const std::size_t na = a.records.size();
  auto time_of = [&](std::size_t k) {
    return k < na ? a.records[k].time : b->records[k - na].time + shift;
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
      m.records.back().time += shift;
      m.evidence.push_back({models::PeerId::kB, line_of(*b, k - na)});
    }
  }
  std::vector<TraceRecord>().swap(a.records);
  std::vector<TraceRecord>().swap(b->records);
  const sim::SimTime t0 = m.records.empty() ? sim::SimTime{} : m.records.front().time;
  if (t0 < sim::SimTime{}) {
    for (auto& r : m.records) r.time -= t0;
  }
  return m;
}

}  // namespace rekeysim::ingest
