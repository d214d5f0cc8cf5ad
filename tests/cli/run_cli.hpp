// Runs the built rekeysim binary and captures exit status, stdout, stderr.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cli_test {

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string source(const std::string& rel) {
  return std::string(REKEYSIM_SOURCE_DIR) + "/" + rel;
}

// A fresh directory per call, removed by the caller's TempDir.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("rekeysim_cli_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// `args` is appended to the binary path as shell words (callers quote).
inline Result run(const std::string& args) {
  TempDir io;
  const std::string cmd = std::string(REKEYSIM_BIN) + " " + args + " >" + (io / "out") + " 2>" +
                          (io / "err") + " </dev/null";
  const int raw = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(io / "out");
  r.err = slurp(io / "err");
  return r;
}

}  // namespace cli_test
