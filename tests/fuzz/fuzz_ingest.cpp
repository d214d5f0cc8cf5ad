// libFuzzer harness: the log readers of `rekeysim ingest` (PAN-OS ikemgr.log
// and strongSwan charon), with the style detected and with each style forced.
// A log either reads (every non-empty line counted as used, skipped or
// unusable) or raises IngestError naming the styles tried; nothing else.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "tools/ingest/ingest.hpp"

namespace {
void read_one(const std::string& text, std::optional<rekeysim::ingest::Style> style) {
  std::istringstream in(text);
  rekeysim::ingest::IngestOptions o;
  o.style = style;
  try {
    const auto r = rekeysim::ingest::ingest(in, o);
    if (r.used + r.skipped + r.unusable > r.lines) std::abort();
  } catch (const rekeysim::ingest::IngestError&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  read_one(text, std::nullopt);
  for (auto s : rekeysim::ingest::kStyles) read_one(text, s);
  return 0;
}
