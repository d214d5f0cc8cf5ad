// Golden-file comparison. REKEYSIM_UPDATE_GOLDEN=1 rewrites the files
// instead (review the diff before committing it).
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

namespace golden {

inline std::string path(const std::string& name) {
  return std::string(REKEYSIM_TRACE_TEST_DIR) + "/golden/" + name;
}

inline std::string read_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void check(const std::string& name, const std::string& actual) {
  const char* update = std::getenv("REKEYSIM_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path(name), std::ios::binary) << actual;
  }
  const std::string expected = read_file(path(name));
  INFO("golden file tests/trace/golden/" << name);
  REQUIRE_FALSE(expected.empty());
  CHECK(actual == expected);
}

}  // namespace golden
