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
