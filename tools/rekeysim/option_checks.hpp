// Validators for command-line values, shared by every subcommand so a value
// is never clamped, wrapped or silently replaced by a default.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace rekeysim::cli {

// A decimal integer in [lo, hi], digits only: "-1", "+1", "1e3", " 1" and
// values past hi (including past 2^64-1) are usage errors naming the range.
CLI::Validator unsigned_in(std::uint64_t lo, std::uint64_t hi);
// A value that is not the empty string ("--out ''" is an error, not stdout).
CLI::Validator non_empty();

}  // namespace rekeysim::cli
