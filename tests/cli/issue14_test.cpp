// Issue 14: output files, thread bounds, integer and time bounds, progress.
// Each test is named after the fault it pins ("fault14.N"). Every file and
// FIFO is made in a scratch directory; the only device written is /dev/full,
// which a write cannot change.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "run_cli.hpp"

using namespace cli_test;
namespace fs = std::filesystem;

extern char** environ;

namespace {

const std::string kQuick = " --trials 3 --set duration=2d -q ";

std::string staggered() {
  return source("scenarios/kb-incident-staggered.yaml");
}
std::string kb() {
  return source("scenarios/kb-incident.yaml");
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::vector<fs::path> partials(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find(".rekeysim-partial.") != std::string::npos)
      out.push_back(e.path());
  }
  return out;
}

// Starts rekeysim with `args`, stdout and stderr to files in `dir`.
pid_t spawn(const std::vector<std::string>& args, const TempDir& dir) {
  std::vector<std::string> all = {REKEYSIM_BIN};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, (dir / "stdout").c_str(), O_WRONLY | O_CREAT, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, (dir / "stderr").c_str(), O_WRONLY | O_CREAT, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, REKEYSIM_BIN, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  REQUIRE(rc == 0);
  return pid;
}

// Runs `trace --trial 0` (a whole trial, far more JSON Lines than a pipe
// holds) with --out a regular file and --jsonl a FIFO that is open but never
// read: rekeysim stages --out, then blocks writing the FIFO. Sends `sig` once
// the staged temporary exists and returns the wait status.
int interrupted_final_write(const TempDir& dir, int sig) {
  const std::string fifo = dir / "records.jsonl";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  const pid_t pid = spawn(
      {"trace", kb(), "--trial", "0", "--threads", "1", "--out", dir / "log.txt", "--jsonl", fifo},
      dir);
  int status = 0;
  bool exited = false;
  while (partials(dir.path).empty()) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!exited) {
    ::kill(pid, sig);
    REQUIRE(::waitpid(pid, &status, 0) == pid);
  }
  ::close(reader);
  REQUIRE_FALSE(exited);  // it must still have been writing
  return status;
}

}  // namespace

TEST_CASE("fault14.1 device outputs: --out /dev/full fails with the device's error, exit 2") {
  const Result r = run("run " + staggered() + kQuick + "--out /dev/full");
  CHECK(r.status == 2);
  CHECK(r.err.find("--out: cannot write /dev/full: No space left on device") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat("/dev/full", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
}

TEST_CASE("fault14.1 device outputs: a FIFO is written through, never replaced") {
  TempDir dir;
  const std::string fifo = dir / "out.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0640) == 0);
  SECTION("with a reader, the reader gets the output") {
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(reader >= 0);
    const Result r = run("run " + staggered() + kQuick + "--out " + fifo);
    CHECK(r.status == 0);
    char buf[65536];
    const ssize_t n = ::read(reader, buf, sizeof buf);
    ::close(reader);
    REQUIRE(n > 0);
    CHECK(std::string(buf, static_cast<std::size_t>(n)).find("scenario kb-incident-staggered") !=
          std::string::npos);
  }
  SECTION("without a reader, a clear error instead of blocking") {
    const Result r = run("run " + staggered() + kQuick + "--out " + fifo);
    CHECK(r.status == 2);
    CHECK(r.err.find("no process is reading this FIFO") != std::string::npos);
  }
  struct stat st {};
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  CHECK((st.st_mode & 0777) == 0640);
  CHECK(partials(dir.path).empty());
}

TEST_CASE("fault14.1 device outputs: symlinks are followed, the link and the mode are kept") {
  TempDir dir;
  write_text(dir / "real.svg", "old");
  REQUIRE(::chmod((dir / "real.svg").c_str(), 0600) == 0);
  fs::create_symlink("real.svg", dir / "link.svg");
  const Result r = run("sweep " + kb() + kQuick + "--plot " + (dir / "link.svg") + " --out " +
                       (dir / "table.txt"));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(fs::is_symlink(dir / "link.svg"));
  CHECK(fs::read_symlink(dir / "link.svg") == "real.svg");
  CHECK(slurp(dir / "real.svg").starts_with("<svg") | slurp(dir / "real.svg").starts_with("<?xml"));
  struct stat st {};
  REQUIRE(::stat((dir / "real.svg").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  SECTION("a dangling link is refused before anything runs") {
    fs::create_symlink("missing.txt", dir / "dangling");
    const Result d = run("run " + staggered() + kQuick + "--out " + (dir / "dangling"));
    CHECK(d.status == 2);
    CHECK(d.err.find("symbolic link to a missing file") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "missing.txt"));
  }
}

TEST_CASE("fault14.2 thread bound: every subcommand takes at most 1024 threads") {
  for (const std::string cmd : {"run", "sweep", "recommend", "validate", "trace"}) {
    INFO(cmd);
    const Result r = run(cmd + " " + staggered() + " --threads 100000");
    CHECK(r.status == 2);
    CHECK(r.err.find("--threads: 100000 is out of range; expected an integer from 0 to 1024") !=
          std::string::npos);
  }
  // The bound itself is accepted; only as many threads as trials are started.
  const Result ok = run("run " + staggered() + kQuick + "--threads 1024");
  CHECK(ok.status == 0);
}

TEST_CASE("fault14.3 pool start failure: under RLIMIT_NPROC rekeysim exits 3 at once") {
  // Only the child gets the limit (one process for its user, so no thread can
  // start); root ignores RLIMIT_NPROC, so a root child first becomes nobody.
  TempDir dir;
  // The unprivileged child must reach the binary and the scenario even when
  // the checkout sits in a directory only root may enter (mktemp -d is 0700):
  // run copies from the scratch directory.
  namespace fs = std::filesystem;
  const std::string bin = dir / "rekeysim";
  const std::string scenario = dir / "scenario.yaml";
  fs::copy_file(REKEYSIM_BIN, bin);
  fs::copy_file(cli_test::source("scenarios/kb-incident-staggered.yaml"), scenario);
  fs::permissions(dir.path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(bin, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(scenario, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                fs::perms::others_read);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int out = ::open((dir / "stdout").c_str(), O_WRONLY | O_CREAT, 0644);
    const int err = ::open((dir / "stderr").c_str(), O_WRONLY | O_CREAT, 0644);
    if (out < 0 || err < 0) ::_exit(100);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(101);
    const struct rlimit one { 1, 1 };
    if (::setrlimit(RLIMIT_NPROC, &one) != 0) ::_exit(102);
    ::execl(bin.c_str(), bin.c_str(), "run", scenario.c_str(), "--trials", "4", "--threads", "2",
            "--set", "duration=2d", "-q", static_cast<char*>(nullptr));
    ::_exit(103);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  INFO(slurp(dir / "stderr"));
  CHECK(WEXITSTATUS(status) == 3);
  CHECK(slurp(dir / "stderr").find("cannot start worker thread") != std::string::npos);
  CHECK(slurp(dir / "stdout").empty());
}

TEST_CASE("fault14.4 time overflow: a latency that would overflow is exit 2 naming the field") {
  for (const std::string v : {"106751d", "9999d", "2d"}) {
    INFO(v);
    const Result r = run("run " + kb() + kQuick + "--set network.latency=" + v);
    CHECK(r.status == 2);
    CHECK(r.err.find("error: network.latency: ") != std::string::npos);
    CHECK(r.out.empty());
  }
  const Result lognormal =
      run("validate " + kb() + " --set 'network.jitter={dist: lognormal, sigma: 6}'");
  CHECK(lognormal.status == 2);
  CHECK(lognormal.err.find("can delay a message by more than 1d") != std::string::npos);
  // At the jitter that reaches past the bound (the --set), not at the file's
  // latency; a latency over the bound on its own is still named itself (above).
  CHECK(
      lognormal.err.starts_with("--set:1:16: error: network.jitter: latency with jitter "
                                "(lognormal(16ms, 6))"));
  // Both within the bound alone, only the latency from --set: the --set is
  // what broke the file, so the error points at it (it pointed at the file's
  // jitter, a tester's finding).
  const Result set_latency = run("validate " + kb() + " --set network.latency=86399999ms");
  CHECK(set_latency.status == 2);
  CHECK(set_latency.err.starts_with("--set:1:17: error: network.latency: latency with jitter"));
  const Result both_set =
      run("validate " + kb() + " --set network.latency=86399999ms --set network.jitter=1ms");
  CHECK(both_set.status == 2);
  CHECK(both_set.err.starts_with("--set:2:16: error: network.jitter: latency with jitter"));
  // A fuzz from --set that makes the file's lifetime too short is reported
  // at the --set, the message still naming every setting's origin.
  const Result fuzz = run("validate " + source("scenarios/rare-collision.yaml") +
                          " --set peers.a.child.fuzz=1000000");
  CHECK(fuzz.status == 2);
  CHECK(fuzz.err.starts_with("--set:1:20: error: peers.a.child: margin 9m ("));
  CHECK(fuzz.err.find("fuzz 100000000% (--set 1) x margin") != std::string::npos);
  const Result rekeys =
      run("validate " + kb() + " --set rekeys=1000000000 --set peers.a.child.lifetime=3650d");
  CHECK(rekeys.status == 2);
  CHECK(rekeys.err.find("error: rekeys: ") != std::string::npos);
  const Result retransmit = run("validate " + kb() +
                                " --set peers.a.behaviour.retransmit.timeout=1h"
                                " --set peers.a.behaviour.retransmit.base=10"
                                " --set peers.a.behaviour.retransmit.tries=100"
                                " --set peers.a.behaviour.retransmit.cap=0");
  CHECK(retransmit.status == 2);
  CHECK(retransmit.err.find("peers.a.behaviour.retransmit.timeout: ") != std::string::npos);
}

TEST_CASE("fault14.5 signals: SIGTERM/SIGINT during the final write remove the temporaries") {
  for (const int sig : {SIGTERM, SIGINT}) {
    TempDir dir;
    const int status = interrupted_final_write(dir, sig);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 128 + sig);
    CHECK(partials(dir.path).empty());
    CHECK_FALSE(fs::exists(dir / "log.txt"));
  }
}

TEST_CASE("fault14.5 signals: what a SIGKILL leaves is a hidden, recognisable partial file") {
  TempDir dir;
  const int status = interrupted_final_write(dir, SIGKILL);
  CHECK(WIFSIGNALED(status));
  const auto left = partials(dir.path);
  REQUIRE(left.size() == 1);
  const std::string name = left.front().filename().string();
  CHECK(name.starts_with(".log.txt.rekeysim-partial."));
  CHECK_FALSE(fs::exists(dir / "log.txt"));
}

TEST_CASE("fault14.6 outputs checked first: a bad output path replaces no other output") {
  TempDir dir;
  write_text(dir / "out.txt", "previous");
  SECTION("sweep with a --plot in a missing directory keeps --out") {
    const Result r = run("sweep " + kb() + kQuick + "--out " + (dir / "out.txt") + " --plot " +
                         (dir / "missing/plot.svg"));
    CHECK(r.status == 2);
    CHECK(r.err.find("--plot: cannot write") != std::string::npos);
    CHECK(r.err.find("does not exist") != std::string::npos);
  }
  SECTION("trace with a --svg that is a directory keeps --out") {
    fs::create_directory(dir / "adir");
    const Result r =
        run("trace " + kb() + " --trial 0 --out " + (dir / "out.txt") + " --svg " + (dir / "adir"));
    CHECK(r.status == 2);
    CHECK(r.err.find("--svg: cannot write") != std::string::npos);
    CHECK(r.err.find("is a directory") != std::string::npos);
  }
  SECTION("trace with --jsonl on /dev/full keeps --out and --svg") {
    const Result r = run("trace " + kb() + " --window 1s --out " + (dir / "out.txt") + " --svg " +
                         (dir / "ladder.svg") + " --jsonl /dev/full");
    CHECK(r.status == 2);
    CHECK(r.err.find("--jsonl: cannot write /dev/full: No space left on device") !=
          std::string::npos);
    CHECK_FALSE(fs::exists(dir / "ladder.svg"));
  }
  SECTION("the same file twice is refused") {
    const Result r = run("sweep " + kb() + kQuick + "--out " + (dir / "out.txt") + " --plot " +
                         (dir / "out.txt"));
    CHECK(r.status == 2);
    CHECK(r.err.find("the same file as --out") != std::string::npos);
  }
  CHECK(slurp(dir / "out.txt") == "previous");
  CHECK(partials(dir.path).empty());
}

TEST_CASE("fault14.8 integers: out-of-range values are errors, never clamped or wrapped") {
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"run " + staggered() + " --seed -1", "--seed: \"-1\" is not an integer from 0 to"},
      {"run " + staggered() + " --seed 18446744073709551616",
       "--seed: 18446744073709551616 is out of range"},
      {"run " + staggered() + " --trials -5", "--trials: \"-5\" is not an integer"},
      {"run " + staggered() + " --trials 1e3", "--trials: \"1e3\" is not an integer"},
      {"trace " + kb() + " --trial 18446744073709551615",
       "--trial: 18446744073709551615 is out of range"},
      {"trace " + kb() + " --trial -1", "--trial: \"-1\" is not an integer"},
      {"trace " + kb() + " --first ''", "--first: empty value"},
      {"run " + staggered() + " --out ''", "--out: empty value"},
      {"sweep " + kb() + " --plot ''", "--plot: empty value"},
      {"trace " + kb() + " --svg ''", "--svg: empty value"},
      {"trace " + kb() + " --window 1000000d", "--window: \"1000000d\" is too large"},
      {"trace " + kb() + " --window 4000d", "--window: \"4000d\" is too large"},
      {"run " + staggered() + " --set peers.a.child.lifetime=1ns",
       "peers.a.child.lifetime: 1ns is shorter than the minimum 1s; expected a lifetime of at "
       "least 1s"},
      {"run " + staggered() + " --set peers.b.ike.lifetime=999ms",
       "peers.b.ike.lifetime: 999ms is shorter than the minimum 1s"},
      {"run " + staggered() + " --set duration=4000d", "duration: \"4000d\" is too large"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    const Result r = run(c.args);
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.out.empty());
  }
  // The extremes that are valid are taken as written.
  const Result seed = run("validate " + staggered() + " --seed 18446744073709551615");
  CHECK(seed.status == 0);
  CHECK(seed.out.find("seed 18446744073709551615") != std::string::npos);
  const Result trial = run("trace " + kb() + " --trial 18446744073709551610 --set duration=1d");
  CHECK(trial.err.find("trial 18446744073709551610") != std::string::npos);
  CHECK(trial.err.find("note: trial 18446744073709551610 is beyond the scenario's trials 0..") !=
        std::string::npos);
}

TEST_CASE("fault14.9 estimates: validate prints the expected episodes and a run-time estimate") {
  const Result r = run("validate " + staggered() +
                       " --trials 10 --set duration=1000d "
                       "--set peers.a.child.margin=0 --set peers.a.child.lifetime=1s "
                       "--set peers.b.child.margin=0 --set peers.b.child.lifetime=1s "
                       "--set stagger=0");
  INFO(r.err);
  REQUIRE(r.status == 0);
  // 10 trials x 1000 days / 1 s = 8.64e8 episodes.
  CHECK(r.out.find("expected: about 864,000,000 rekey episodes") != std::string::npos);
  CHECK(r.out.find("estimated run time ") != std::string::npos);
}

TEST_CASE("fault14.9 estimates: --progress prints plain progress lines on a non-terminal") {
  const Result r = run("run " + staggered() + " --trials 3 --set duration=2d --progress");
  CHECK(r.status == 0);
  CHECK(r.err.find("progress: started: point 1/1, trials 0/3") != std::string::npos);
  CHECK(r.err.find("progress: finished: point 1/1, trials 3/3") != std::string::npos);
  CHECK(r.err.find("\r") == std::string::npos);
  const Result quiet = run("run " + staggered() + " --trials 3 --set duration=2d");
  CHECK(quiet.err.find("progress:") == std::string::npos);
}

TEST_CASE("fault14.6: one new file named two ways (x.txt, ./x.txt) is refused, not overwritten") {
  // A bare name and "./" + that name are one file in the working directory
  // (the test's build directory; the run is refused before anything is written).
  const std::string name = "fault14_6_same_" + std::to_string(::getpid()) + ".txt";
  const std::string scn =
      cli_test::source("scenarios/kb-incident.yaml") + " --set trials=2 --set duration=1d";
  const auto r = cli_test::run("trace " + scn + " --out " + name + " --svg ./" + name);
  CHECK(r.status == 2);
  CHECK(r.err.find("the same file as --out") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(name));
  std::filesystem::remove(name);
}
