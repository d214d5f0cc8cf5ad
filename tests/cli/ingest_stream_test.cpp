// `rekeysim ingest` on a long log holds a bounded window, not the log: the
// reader hands each record on once it is complete and the analysis keeps
// only the current instant, the marks of the last kEpisodeGap and requests
// in flight. Asserted structurally (records held), never by timing or RSS.
#include <catch2/catch.hpp>
#include <cstdio>
#include <sstream>
#include <string>

#include "tools/ingest/align.hpp"
#include "tools/ingest/timeline.hpp"

namespace {

using rekeysim::ingest::Analyser;
using rekeysim::ingest::IngestOptions;
using rekeysim::ingest::Style;

// A charon log (dateless file-logger stamps, the clock wraps every day) of n
// Child SA rekeys a minute apart, each request answered 30 ms later and its
// new SA installed. Every 7th rekey crosses the peer's own (strongSwan's
// collision line).
std::string long_charon_log(int n) {
  std::string s;
  char buf[256];
  for (int k = 0; k < n; ++k) {
    const long long ms = 60'000LL * k;
    auto stamp = [](long long t) {
      char at[32];
      std::snprintf(at, sizeof at, "%02lld:%02lld:%02lld.%03lld ", (t / 3'600'000) % 24,
                    (t / 60'000) % 60, (t / 1000) % 60, t % 1000);
      return std::string(at);
    };
    const unsigned old_in = 0x10000000u + static_cast<unsigned>(k);
    const unsigned new_in = old_in + 1;
    std::snprintf(buf, sizeof buf,
                  "12[ENC] <conn|1> generating CREATE_CHILD_SA request %d [ N(REKEY_SA) SA No KE "
                  "TSi TSr ]\n",
                  k + 2);
    s += stamp(ms) + buf;
    if (k % 7 == 3)
      s += stamp(ms + 1) + "13[IKE] <conn|1> detected CHILD_REKEY collision with CHILD_REKEY\n";
    std::snprintf(buf, sizeof buf,
                  "14[ENC] <conn|1> parsed CREATE_CHILD_SA response %d [ SA No KE TSi TSr ]\n",
                  k + 2);
    s += stamp(ms + 30) + buf;
    std::snprintf(buf, sizeof buf,
                  "14[IKE] <conn|1> inbound CHILD_SA net{%d} established with SPIs %08x_i "
                  "%08x_o and TS 10.1.0.0/16 === 10.2.0.0/16\n",
                  k + 1, new_in, new_in ^ 0xFFFFu);
    s += stamp(ms + 30) + buf;
    (void)old_in;
  }
  return s;
}

}  // namespace

TEST_CASE("ingest streams: a 20000-rekey log is read holding a bounded window of records") {
  const int n = 20000;
  const std::string text = long_charon_log(n);
  IngestOptions opts;
  opts.style = Style::kStrongswan;
  std::optional<Analyser> analyser;
  opts.on_style = [&](Style s) { analyser.emplace(s, std::nullopt); };
  std::uint64_t handed = 0;
  opts.on_record = [&](const models::TraceRecord& r, std::uint64_t line) {
    ++handed;
    analyser->feed(r, {models::PeerId::kA, line});
  };
  std::istringstream in(text);
  const auto res = rekeysim::ingest::ingest(in, opts);
  CHECK(res.unusable == 0);
  CHECK(res.records.empty());  // all handed on
  CHECK(handed == res.record_count);
  REQUIRE(res.record_count >= 3u * n);
  // The bound: what the reader holds does not grow with the log.
  CHECK(res.peak_held <= 2 * rekeysim::ingest::kStreamKeep);
  CHECK(res.peak_held * 100 < res.record_count);
  const sim::SimTime resolution[2] = {res.resolution, res.resolution};
  const auto tl = analyser->finish(resolution);
  CHECK(analyser->peak_held() < 64);
  // What it read is the log's content, not a sample of it.
  CHECK(tl.rekey_requests[0] == static_cast<std::uint64_t>(n));
  CHECK(tl.pfs_requests[0] == static_cast<std::uint64_t>(n));
  REQUIRE(tl.collisions.has_value());
  CHECK(*tl.collisions == static_cast<std::uint64_t>((n + 3) / 7));
  CHECK(tl.one_way.n == static_cast<std::uint64_t>(n));
  CHECK(tl.one_way.median() == Approx(0.015));
  CHECK(tl.one_way.values_s.size() == rekeysim::ingest::Durations::kMaxKept);
  // Streamed and held give the same timeline.
  std::istringstream again(text);
  IngestOptions held_opts;
  held_opts.style = Style::kStrongswan;
  auto held = rekeysim::ingest::ingest(again, held_opts);
  CHECK(held.peak_held == held.record_count);
  const auto merged = rekeysim::ingest::merge(held, nullptr);
  const auto tl2 = rekeysim::ingest::analyse(merged, Style::kStrongswan, std::nullopt);
  CHECK(tl2.collisions == tl.collisions);
  CHECK(tl2.child_rekeys == tl.child_rekeys);
  CHECK(tl2.episodes.size() == tl.episodes.size());
  CHECK(tl2.one_way.stats.mean() == Approx(tl.one_way.stats.mean()));
}
