// Runs the built rekeysim binary and captures exit status, stdout, stderr.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

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

// One RFC 4180 line split into fields (a quoted field may hold commas and "").
inline std::vector<std::string> csv_fields(const std::string& s) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"' && quoted && i + 1 < s.size() && s[i + 1] == '"') {
      field += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  out.push_back(field);
  return out;
}

// RFC 4180 rows (a quoted field may hold commas), keyed by the header.
inline std::vector<std::map<std::string, std::string>> csv_rows(const std::string& csv) {
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < csv.size();) {
    const std::size_t nl = csv.find('\n', at);
    lines.push_back(csv.substr(at, nl - at));
    at = nl == std::string::npos ? csv.size() : nl + 1;
  }
  std::vector<std::map<std::string, std::string>> rows;
  if (lines.empty()) return rows;
  const auto head = csv_fields(lines[0]);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto cells = csv_fields(lines[i]);
    if (cells.size() != head.size())
      throw std::runtime_error("csv_rows: line " + std::to_string(i + 1) + " has " +
                               std::to_string(cells.size()) + " fields, the header " +
                               std::to_string(head.size()));
    std::map<std::string, std::string> row;
    for (std::size_t k = 0; k < head.size(); ++k) row[head[k]] = cells[k];
    rows.push_back(row);
  }
  return rows;
}

}  // namespace cli_test
