// `rekeysim ingest` on hostile or mistaken input: an overlong line, a log
// with no usable line, a byte order mark, a read-only output, a directory
// given as a log. Each is exit 0 or 2 with a message, never a crash, and
// leaves nothing behind in the scratch directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

// Runs `bin args...` as an unprivileged user: nobody (65534) when the test
// runs as root (for whom access() says every file is writable), else the
// caller. stdout and stderr go to files in `dir`. -1 if the child could not
// become nobody.
int run_unprivileged(const TempDir& dir, const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int out = ::open((dir / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open((dir / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) ::_exit(100);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(101);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(103);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  if (WEXITSTATUS(status) == 101) return -1;
  return WEXITSTATUS(status);
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
  // (A copy: the same file given twice is refused before styles are read.)
  const std::string kb_copy = dir / "kb-copy.log";
  std::filesystem::copy_file(kb, kb_copy);
  const auto b = run("ingest " + kb + " " + kb_copy + " --style-b libreswan");
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

TEST_CASE("ingest robust: a read-only --out or --scenario target is refused, not replaced") {
  // The atomic rename would replace a mode 0444 file in a writable
  // directory; `echo x > file` fails there, and so must every output.
  TempDir dir;
  // The unprivileged child must reach the binary and the inputs even when the
  // checkout is in a directory only root may enter: copies in the scratch
  // directory, which anyone may write (it is the rename's directory).
  const std::string bin = dir / "rekeysim";
  fs::copy_file(REKEYSIM_BIN, bin);
  fs::copy_file(source("tests/data/panos/ikemgr-delete-race.log"), dir / "kb.log");
  fs::copy_file(source("scenarios/kb-incident.yaml"), dir / "kb.yaml");
  fs::permissions(dir.path, fs::perms::all);
  fs::permissions(bin, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  for (const char* f : {"kb.log", "kb.yaml"})
    fs::permissions(dir / f,
                    fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  struct Case {
    std::vector<std::string> args;
    std::string option;
  };
  const std::string ro = dir / "ro.out";
  const std::vector<Case> cases = {
      {{bin, "ingest", dir / "kb.log", "--out", ro}, "--out"},
      {{bin, "ingest", dir / "kb.log", "--scenario", ro}, "--scenario"},
      {{bin, "run", dir / "kb.yaml", "--trials", "1", "--out", ro}, "--out"},
  };
  for (const auto& c : cases) {
    INFO(c.args[1] + " " + c.option);
    write(ro, "keep me\n");
    fs::permissions(ro, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    // The unprivileged user owns the file: only its mode says no.
    if (::geteuid() == 0 && ::chown(ro.c_str(), 65534, 65534) != 0) FAIL("chown to nobody");
    const int status = run_unprivileged(dir, c.args);
    if (status < 0) {
      WARN("SKIPPED: could not run the binary as user nobody");
      return;
    }
    INFO(slurp(dir / "stderr"));
    CHECK(status == 2);
    CHECK(slurp(dir / "stderr")
              .find(c.option + ": cannot write " + ro +
                    ": Permission denied (it is read-only); nothing written") != std::string::npos);
    CHECK(slurp(dir / "stdout").empty());
    CHECK(slurp(ro) == "keep me\n");
    struct stat st {};
    REQUIRE(::stat(ro.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0444);
    CHECK(others(dir, {"rekeysim", "kb.log", "kb.yaml", "ro.out", "stdout", "stderr"}).empty());
    fs::remove(ro);
  }
  // A writable target in the same place is still replaced.
  write(ro, "old\n");
  if (::geteuid() == 0 && ::chown(ro.c_str(), 65534, 65534) != 0) FAIL("chown to nobody");
  CHECK(run_unprivileged(dir, {bin, "ingest", dir / "kb.log", "--out", ro}) == 0);
  CHECK(slurp(ro).find("\"message_id\":836") != std::string::npos);
}

TEST_CASE("ingest robust: a directory, control bytes, - for standard input, --peer b labels") {
  TempDir dir;
  const std::string kb = source("tests/data/panos/ikemgr-delete-race.log");
  const auto d = run("ingest " + dir.path.string());
  CHECK(d.status == 2);
  CHECK(d.err.find(dir.path.string() + ": error: is a directory; expected a log file") !=
        std::string::npos);

  // An unusable line with ESC and CR is echoed escaped, with and without --verbose.
  write(dir / "esc.log", panos_sample() + "\x1b[2J\rgone\n");
  for (const std::string flag : {"", " --verbose"}) {
    const auto e = run("ingest " + (dir / "esc.log") + flag);
    CHECK(e.status == 0);
    CHECK(e.err.find("esc.log:9: unusable: \\x1b[2J\\x0dgone\n") != std::string::npos);
    CHECK(e.err.find('\x1b') == std::string::npos);
  }

  // - reads standard input: the same report as the file (but for the name).
  const auto file = run("ingest " + kb);
  // (run() ends the command line with its own </dev/null: a direct system().)
  CHECK(file.status == 0);
  const int raw = std::system(
      (std::string(REKEYSIM_BIN) + " ingest - <" + kb + " >" + (dir / "o") + " 2>" + (dir / "e"))
          .c_str());
  CHECK(WEXITSTATUS(raw) == 0);
  CHECK(slurp(dir / "e").find("-: style panos (detected), 8 lines: 8 used") != std::string::npos);
  CHECK(slurp(dir / "o").find("  collisions     1\n") != std::string::npos);
  CHECK(run("ingest - -").status == 2);

  // One log of peer B: labelled B.
  const auto b = run("ingest " + kb + " --peer b");
  CHECK(b.status == 0);
  CHECK(b.out.starts_with("log B: " + kb));
  CHECK(b.out.find("t = 0 at log B's first timestamp") != std::string::npos);
  CHECK(b.out.find("log A") == std::string::npos);
}
