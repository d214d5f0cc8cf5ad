// `rekeysim ingest` on hostile or mistaken input: an overlong line, a log
// with no usable line, a byte order mark, a read-only output, a directory
// given as a log. Each is exit 0 or 2 with a message, never a crash, and
// leaves nothing behind in the scratch directory.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "run_cli.hpp"

using cli_test::run;
using cli_test::slurp;
using cli_test::source;
using cli_test::TempDir;

namespace {

namespace fs = std::filesystem;

std::string panos_sample() {
  return slurp(source("tests/data/panos/ikemgr-delete-race.log"));
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The names in `dir` other than `keep`.
std::vector<std::string> others(const TempDir& dir, const std::vector<std::string>& keep) {
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir.path)) {
    const std::string name = e.path().filename().string();
    if (std::find(keep.begin(), keep.end(), name) == keep.end()) left.push_back(name);
  }
  return left;
}

}  // namespace

TEST_CASE("ingest robust: a 100 KB line is unusable, never matched, no crash, nothing left") {
  // std::regex recursed once per character of such a line: SIGSEGV in
  // PanosReader::looks_like, and a --out temporary left behind.
  TempDir dir;
  const std::string prefix = "2025-07-06 03:32:18.287 -0400 [INFO]: { 7: }: ";
  const std::string long_line = prefix + std::string(100'000, 'x');
  write(dir / "panos.log", long_line + "\n" + panos_sample());
  const auto r = run("ingest " + (dir / "panos.log") + " --verbose --out " + (dir / "x.jsonl"));
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.find("panos.log:1: unusable: line too long (" + std::to_string(long_line.size()) +
                   " bytes)\n") != std::string::npos);
  CHECK(r.err.find("style panos (detected), 9 lines: 8 used, 0 skipped (no record kind), 1 "
                   "unusable") != std::string::npos);
  CHECK(r.out.find("  collisions     1\n") != std::string::npos);
  CHECK(others(dir, {"panos.log", "x.jsonl"}).empty());

  // The same in a strongSwan log read with --style strongswan.
  const std::string sw = slurp(source("tests/data/strongswan-5.9.8/identical-timers-a.log"));
  const std::string first = sw.substr(0, sw.find('\n'));
  write(dir / "sw.log", sw + first + std::string(100'000, 'y') + "\n");
  const auto s =
      run("ingest " + (dir / "sw.log") + " --style strongswan --out " + (dir / "s.jsonl"));
  INFO(s.err);
  CHECK(s.status == 0);
  CHECK(s.err.find("style strongswan, 1175 lines:") != std::string::npos);
  CHECK(s.err.find(" 1 unusable;") != std::string::npos);
  const auto line_no = std::count(sw.begin(), sw.end(), '\n') + 1;
  CHECK(s.err.find("sw.log:" + std::to_string(line_no) + ": unusable: line too long (") !=
        std::string::npos);
  CHECK(others(dir, {"panos.log", "x.jsonl", "sw.log", "s.jsonl"}).empty());
}

TEST_CASE("ingest robust: a log with no usable line is exit 2 naming the file, style and form") {
  TempDir dir;
  const std::string kb = source("tests/data/panos/ikemgr-delete-race.log");
  const auto ios = run("ingest --style cisco-ios " + kb + " --out " + (dir / "x.jsonl"));
  CHECK(ios.status == 2);
  CHECK(ios.out.empty());
  CHECK(ios.err.find(kb + ": error: no usable line: all 8 lines are unusable as style cisco-ios "
                          "(given by --style); a cisco-ios line looks like \"Jul  6 "
                          "03:32:18.287: IKEv2:(SESSION ID = 1,SA ID = 1):Sending Packet") !=
        std::string::npos);
  CHECK(ios.err.find("styles: panos, strongswan, cisco-asa, libreswan, cisco-ios, juniper-srx") !=
        std::string::npos);
  CHECK(others(dir, {}).empty());

  // With two logs, B's style is named by its own flag.
  const auto b = run("ingest " + kb + " " + kb + " --style-b libreswan");
  CHECK(b.status == 2);
  CHECK(b.err.find("unusable as style libreswan (given by --style-b)") != std::string::npos);

  // `rekeysim trace` output with both peers interleaved is not one device's
  // log: detected as cisco-asa (its lines carry the ASA shape after the
  // prefix) or no style at all, the message says what it is.
  for (const std::string style : {"cisco-asa", "panos"}) {
    INFO(style);
    const auto t = run("trace " + source("scenarios/kb-incident.yaml") +
                       " --first cant_find_sa --style " + style);
    REQUIRE(t.status == 0);
    REQUIRE((t.out.starts_with("A(") || t.out.starts_with("B(")));
    write(dir / "both.log", t.out);
    const auto r = run("ingest " + (dir / "both.log"));
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("both.log: error: ") != std::string::npos);
    CHECK(r.err.find("it looks like `rekeysim trace` output with both peers interleaved") !=
          std::string::npos);
    CHECK(r.err.find("--peer a` and `--peer b`") != std::string::npos);
  }
}

TEST_CASE("ingest robust: each style's example line in the message is read as that style") {
  // The form the no-usable-line message shows must itself be usable.
  TempDir dir;
  for (const std::string style :
       {"panos", "strongswan", "cisco-asa", "libreswan", "cisco-ios", "juniper-srx"}) {
    INFO(style);
    write(dir / "junk.log", "not a log line\n");
    const auto probe = run("ingest --style " + style + " " + (dir / "junk.log"));
    const auto from = probe.err.find("line looks like \"");
    REQUIRE(from != std::string::npos);
    const auto start = from + std::string("line looks like \"").size();
    const std::string example = probe.err.substr(start, probe.err.find("\"; styles:") - start);
    write(dir / "one.log", example + "\n");
    const auto r = run("ingest " + (dir / "one.log"));
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.err.find("style " + style + " (detected), 1 lines: ") != std::string::npos);
    CHECK(r.err.find(" 0 unusable;") != std::string::npos);
  }
}

TEST_CASE("ingest robust: a UTF-8 byte order mark before the first line is not part of it") {
  // With the BOM kept, line 1 of the KB sample was unusable and its
  // collision lost.
  TempDir dir;
  write(dir / "bom.log", "\xEF\xBB\xBF" + panos_sample());
  const auto plain = run("ingest " + source("tests/data/panos/ikemgr-delete-race.log"));
  const auto bom = run("ingest " + (dir / "bom.log"));
  REQUIRE(plain.status == 0);
  CHECK(bom.status == 0);
  CHECK(bom.err.find("style panos (detected), 8 lines: 8 used, 0 skipped (no record kind), 0 "
                     "unusable") != std::string::npos);
  CHECK(bom.out.find("  collisions     1\n") != std::string::npos);
  // The same report but for the file name.
  std::string expected = plain.out;
  for (std::size_t p; (p = expected.find("ikemgr-delete-race.log")) != std::string::npos;)
    expected.replace(p, std::string("ikemgr-delete-race.log").size(), "bom.log");
  const std::string shown = source("tests/data/panos/bom.log");
  for (std::size_t p; (p = expected.find(shown)) != std::string::npos;)
    expected.replace(p, shown.size(), dir / "bom.log");
  CHECK(bom.out == expected);
}
