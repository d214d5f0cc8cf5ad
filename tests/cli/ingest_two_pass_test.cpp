// Two logs read without holding them: pass 1 keeps the alignment's keys
// (AlignKeys, bounded), pass 2 merges both logs by time (MergedStream). The
// result must be what merge() gives on the held records -- the same
// alignment, the same records in the same order with the same lines -- and
// what is held must not grow with the logs. Asserted structurally (entries
// and records held), never by timing or RSS.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>

#include "run_cli.hpp"
#include "tools/ingest/align.hpp"
#include "tools/ingest/timeline.hpp"
#include "tools/rekeysim/output_files.hpp"
#include "tools/trace/trace_views.hpp"

namespace {

using rekeysim::ingest::AlignKeys;
using rekeysim::ingest::Evidence;
using rekeysim::ingest::IngestOptions;
using rekeysim::ingest::Style;

std::string stamp(long long ms) {
  char at[32];
  std::snprintf(at, sizeof at, "%02lld:%02lld:%02lld.%03lld ", (ms / 3'600'000) % 24,
                (ms / 60'000) % 60, (ms / 1000) % 60, ms % 1000);
  return at;
}

// Both peers' charon logs (dateless stamps) of n Child SA rekeys a minute
// apart, A initiating: A's request reaches B 15 ms later, B's answer reaches
// A 15 ms after that. B's clock reads `offset_ms` ahead of A's. Message IDs
// restart every 50 rekeys (a new IKE SA), so keys recur as in real logs.
std::pair<std::string, std::string> charon_pair(int n, long long offset_ms) {
  std::string a, b;
  char buf[256];
  for (int k = 0; k < n; ++k) {
    const long long t = 60'000LL * k + 10'000;
    const int mid = 2 + k % 50;
    const unsigned spi = 0x20000000u + static_cast<unsigned>(k);
    std::snprintf(buf, sizeof buf,
                  "12[ENC] <conn|1> generating CREATE_CHILD_SA request %d [ N(REKEY_SA) SA No "
                  "TSi TSr ]\n",
                  mid);
    a += stamp(t) + buf;
    std::snprintf(buf, sizeof buf,
                  "05[ENC] <conn|1> parsed CREATE_CHILD_SA request %d [ N(REKEY_SA) SA No TSi "
                  "TSr ]\n",
                  mid);
    b += stamp(t + 15 + offset_ms) + buf;
    std::snprintf(buf, sizeof buf,
                  "05[ENC] <conn|1> generating CREATE_CHILD_SA response %d [ SA No TSi TSr ]\n",
                  mid);
    b += stamp(t + 16 + offset_ms) + buf;
    std::snprintf(buf, sizeof buf,
                  "14[ENC] <conn|1> parsed CREATE_CHILD_SA response %d [ SA No TSi TSr ]\n", mid);
    a += stamp(t + 31) + buf;
    std::snprintf(buf, sizeof buf,
                  "14[IKE] <conn|1> inbound CHILD_SA net{%d} established with SPIs %08x_i "
                  "%08x_o and TS 10.1.0.0/16 === 10.2.0.0/16\n",
                  k + 1, spi, spi ^ 0xFFFFu);
    a += stamp(t + 31) + buf;
  }
  return {a, b};
}

IngestOptions options(models::PeerId peer) {
  IngestOptions o;
  o.style = Style::kStrongswan;
  o.peer = peer;
  return o;
}

struct TwoPass {
  rekeysim::ingest::Alignment alignment;
  std::vector<models::TraceRecord> records;
  std::vector<Evidence> evidence;
  std::size_t keys_peak[2] = {0, 0};
  unsigned level = 0;
  std::size_t merge_peak = 0;
  std::size_t analyser_peak = 0;
  bool keep = true;
};

// What `ingest A B` does with two files, over strings.
TwoPass two_pass(const std::string& a, const std::string& b, bool keep = true) {
  TwoPass out;
  out.keep = keep;
  AlignKeys keys[2];
  rekeysim::ingest::IngestResult res[2];
  const std::string* text[2] = {&a, &b};
  for (int i = 0; i < 2; ++i) {
    auto o = options(i == 0 ? models::PeerId::kA : models::PeerId::kB);
    o.on_record = [&keys, i](const models::TraceRecord& r, std::uint64_t) { keys[i].add(r); };
    std::istringstream in(*text[i]);
    res[i] = rekeysim::ingest::ingest(in, o);
    keys[i].finish(res[i]);
    out.keys_peak[i] = keys[i].peak();
  }
  out.alignment = rekeysim::ingest::align(keys[0], keys[1]);
  out.level = keys[0].level();
  const auto placement = rekeysim::ingest::place(keys[0], keys[1], out.alignment);
  std::istringstream in_a(a), in_b(b);
  rekeysim::ingest::RecordStream sa(in_a, options(models::PeerId::kA));
  rekeysim::ingest::RecordStream sb(in_b, options(models::PeerId::kB));
  rekeysim::ingest::MergedStream m(sa, sb, placement);
  rekeysim::ingest::Analyser an(Style::kStrongswan, Style::kStrongswan);
  models::TraceRecord r;
  Evidence e;
  while (m.next(r, e)) {
    an.feed(r, e);
    if (keep) {
      out.records.push_back(r);
      out.evidence.push_back(e);
    }
  }
  out.merge_peak = m.peak_held();
  out.analyser_peak = an.peak_held();
  return out;
}

rekeysim::ingest::Merged held(const std::string& a, const std::string& b) {
  std::istringstream in_a(a), in_b(b);
  auto ra = rekeysim::ingest::ingest(in_a, options(models::PeerId::kA));
  auto rb = rekeysim::ingest::ingest(in_b, options(models::PeerId::kB));
  return rekeysim::ingest::merge(ra, &rb);
}

void check_same(const TwoPass& s, const rekeysim::ingest::Merged& h) {
  CHECK(s.alignment.method == h.alignment.method);
  CHECK(s.alignment.offset == h.alignment.offset);
  CHECK(s.alignment.low == h.alignment.low);
  CHECK(s.alignment.high == h.alignment.high);
  CHECK(s.alignment.messages_matched == h.alignment.messages_matched);
  CHECK(s.alignment.spis_matched == h.alignment.spis_matched);
  REQUIRE(s.records.size() == h.records.size());
  // Byte for byte as --out writes them, and from the same lines.
  CHECK(rekeysim::trace::render_jsonl(s.records) == rekeysim::trace::render_jsonl(h.records));
  bool same_lines = true;
  for (std::size_t i = 0; i < s.evidence.size(); ++i)
    same_lines &=
        s.evidence[i].peer == h.evidence[i].peer && s.evidence[i].line == h.evidence[i].line;
  CHECK(same_lines);
}

}  // namespace

TEST_CASE("ingest two passes: the strongSwan lab pairs merge as the held records do") {
  for (const char* name : {"identical-timers", "staggered-3s"}) {
    INFO(name);
    const std::string d = cli_test::source("tests/data/strongswan-5.9.8/");
    const std::string a = cli_test::slurp(d + name + "-a.log");
    const std::string b = cli_test::slurp(d + name + "-b.log");
    const auto s = two_pass(a, b);
    CHECK(s.level == 0);  // small logs: every key kept
    CHECK(s.alignment.method == rekeysim::ingest::Alignment::Method::kMessages);
    check_same(s, held(a, b));
  }
}

TEST_CASE("ingest two passes: a synthetic pair with a 2.5 s clock offset merges as held") {
  const auto [a, b] = charon_pair(500, 2500);
  const auto s = two_pass(a, b);
  CHECK(s.level == 0);
  REQUIRE(s.alignment.method == rekeysim::ingest::Alignment::Method::kMessages);
  // 15 ms each way: B's receipt says theta <= 2515 ms (+1 ms step), A's
  // receipt of the answer theta >= 2485 ms (-1 ms); the middle is exact.
  CHECK(s.alignment.low == sim::milliseconds(2484));
  CHECK(s.alignment.high == sim::milliseconds(2516));
  CHECK(s.alignment.offset == sim::milliseconds(2500));
  check_same(s, held(a, b));
  // B's receipt of each request comes after A's send of it on A's time line.
  for (std::size_t i = 0; i + 1 < s.records.size(); ++i)
    CHECK(s.records[i].time <= s.records[i + 1].time);
}

TEST_CASE("ingest two passes: what is held stays bounded when the logs grow tenfold") {
  // 2000 and 20000 rekeys: 8000 and 80000 message keys per pair, the larger
  // beyond AlignKeys::kMaxKept, so the keys are thinned.
  const auto small = charon_pair(2000, -1750);
  const auto large = charon_pair(20000, -1750);
  const auto s = two_pass(small.first, small.second, false);
  const auto l = two_pass(large.first, large.second, false);
  CHECK(s.level == 0);
  CHECK(l.level > 0);
  for (int i = 0; i < 2; ++i) {
    CHECK(s.keys_peak[i] <= AlignKeys::kMaxKept);
    CHECK(l.keys_peak[i] <= AlignKeys::kMaxKept);
  }
  // The merge holds the records of one reorder window, whatever the length.
  CHECK(l.merge_peak <= 16);
  CHECK(l.merge_peak == s.merge_peak);
  CHECK(l.analyser_peak <= 64);
  // The thinned keys still find the offset, to the same step.
  REQUIRE(l.alignment.method == rekeysim::ingest::Alignment::Method::kMessages);
  CHECK(l.alignment.messages_matched > 1000);
  CHECK(l.alignment.messages_matched < 2 * 20000);
  CHECK(l.alignment.low == sim::milliseconds(-1750 - 16));
  CHECK(l.alignment.high == sim::milliseconds(-1750 + 16));
  CHECK(l.alignment.offset == s.alignment.offset);
  CHECK(l.alignment.offset == sim::milliseconds(-1750));
}

TEST_CASE("ingest two passes: AlignKeys thins by key, so a kept send keeps its receipt") {
  AlignKeys a, b;
  models::TraceRecord r;
  r.kind = models::TraceKind::kMessageSent;
  r.message.exchange = models::ExchangeType::kInformational;
  r.message.delete_protocol = models::ProtocolId::kEsp;
  r.message.delete_count = 1;
  const std::uint32_t n = 10 * AlignKeys::kMaxKept;
  for (std::uint32_t k = 0; k < n; ++k) {
    r.time = sim::milliseconds(k);
    r.message.delete_spis[0] = 0xC0000000u + k;
    r.kind = models::TraceKind::kMessageSent;
    a.add(r);
    r.kind = models::TraceKind::kMessageReceived;
    r.time += sim::milliseconds(7);
    b.add(r);
  }
  CHECK(a.peak() <= AlignKeys::kMaxKept);
  CHECK(b.peak() <= AlignKeys::kMaxKept);
  CHECK(a.size() > AlignKeys::kMaxKept / 4);
  CHECK(a.level() == b.level());
  REQUIRE(a.size() == b.size());
  bool same = true;
  for (std::size_t i = 0; i < a.size(); ++i) same &= a.entries()[i].id == b.entries()[i].id;
  CHECK(same);
  const auto al = rekeysim::ingest::align(a, b);
  CHECK(al.messages_matched == a.size());
  CHECK(al.one_sided);
  CHECK(al.offset == sim::milliseconds(7) + rekeysim::ingest::resolution(Style::kPanos));
}

TEST_CASE("ingest two logs --out: the records written are the held merge's, file or pipe") {
  cli_test::TempDir dir;
  const auto [a, b] = charon_pair(300, 1200);
  std::ofstream(dir.path / "a.log") << a;
  std::ofstream(dir.path / "b.log") << b;
  const auto files =
      cli_test::run("ingest " + (dir.path / "a.log").string() + " " +
                    (dir.path / "b.log").string() + " --out " + (dir.path / "two.jsonl").string());
  REQUIRE(files.status == 0);
  const auto h = held(a, b);
  CHECK(cli_test::slurp(dir.path / "two.jsonl") == rekeysim::trace::render_jsonl(h.records));
  // A FIFO cannot be read twice: held, with the same output.
  const auto fifo = dir.path / "b.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] { std::ofstream(fifo) << b; });
  const auto piped = cli_test::run("ingest " + (dir.path / "a.log").string() + " " + fifo.string() +
                                   " --out " + (dir.path / "piped.jsonl").string());
  writer.join();
  REQUIRE(piped.status == 0);
  CHECK(cli_test::slurp(dir.path / "piped.jsonl") == cli_test::slurp(dir.path / "two.jsonl"));
  CHECK(piped.out.substr(piped.out.find("alignment:")) ==
        files.out.substr(files.out.find("alignment:")));
}

TEST_CASE("OutputFiles stream: replaces the target only at commit, leaves nothing otherwise") {
  cli_test::TempDir dir;
  const auto target = dir.path / "x.jsonl";
  std::ofstream(target) << "old\n";
  auto files_in_dir = [&] {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path)) ++n;
    return n;
  };
  {
    rekeysim::cli::OutputFiles files;
    files.add("--out", target.string());
    files.stream("--out") << "new\n";
    CHECK(files_in_dir() == 2);  // the target and the hidden temporary
    CHECK(cli_test::slurp(target) == "old\n");
  }  // not committed (a failed run): the temporary goes, the target stays
  CHECK(files_in_dir() == 1);
  CHECK(cli_test::slurp(target) == "old\n");
  rekeysim::cli::OutputFiles files;
  files.add("--out", target.string());
  files.add("--jsonl", "/dev/null");
  files.stream("--out") << "new\n";
  files.stream("--jsonl") << "to the device, through a temporary elsewhere\n";
  files.commit();
  CHECK(files_in_dir() == 1);
  CHECK(cli_test::slurp(target) == "new\n");
}
