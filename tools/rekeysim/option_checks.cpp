#include "tools/rekeysim/option_checks.hpp"

namespace rekeysim::cli {

CLI::Validator unsigned_in(std::uint64_t lo, std::uint64_t hi) {
  const std::string range = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        if (text.empty()) return "empty value; expected " + range;
        unsigned __int128 v = 0;
        for (char c : text) {
          if (c < '0' || c > '9') return "\"" + text + "\" is not " + range;
          v = v * 10 + static_cast<unsigned>(c - '0');
          if (v > hi) return text + " is out of range; expected " + range;
        }
        if (v < lo) return text + " is out of range; expected " + range;
        return {};
      },
      "UINT", "unsigned_in");
}

CLI::Validator non_empty() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return text.empty() ? "empty value; expected a non-empty value" : std::string();
      },
      "TEXT", "non_empty");
}

}  // namespace rekeysim::cli
