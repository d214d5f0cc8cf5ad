// libFuzzer harness: the YAML scenario loader (tools/scenario). Any input must
// either load (every sweep point built) or raise ScenarioError; any other
// exception, crash, leak or undefined behaviour is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tools/scenario/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    // Relative profile paths resolve into a directory that does not exist,
    // so the harness reads no file of the machine it runs on.
    (void)rekeysim::scenario::load_scenario_text(text, "fuzz.yaml", "/nonexistent-rekeysim-fuzz");
  } catch (const rekeysim::scenario::ScenarioError&) {
  }
  return 0;
}
