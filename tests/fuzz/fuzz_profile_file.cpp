// libFuzzer harness: the user profile file reader (`profile: file.yaml`,
// tools/scenario/profile_file). The input is written to a scratch file (the
// reader takes a path) and loaded; it must load or raise ScenarioError.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tools/scenario/profile_file.hpp"

namespace {
// Leaked on purpose: the atexit handler below runs after static destructors
// of objects constructed later, so it must not use a destructible string.
const std::string* g_dir = nullptr;

const std::string& scratch_dir() {
  if (g_dir == nullptr) {
    g_dir = new std::string((std::filesystem::temp_directory_path() /
                             ("rekeysim-fuzz-profile-" + std::to_string(::getpid())))
                                .string());
    std::filesystem::create_directories(*g_dir);
    // libFuzzer ends with exit(): the scratch directory goes with the process.
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*g_dir, ec);
    });
  }
  return *g_dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = scratch_dir() + "/p.yaml";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  rekeysim::scenario::Setting s;
  s.path = "peers.a.profile";
  s.pos = {"fuzz.yaml", 1, 1};
  s.dir = scratch_dir();
  try {
    (void)rekeysim::scenario::load_profile_file(s, "p.yaml");
  } catch (const rekeysim::scenario::ScenarioError&) {
  }
  return 0;
}
