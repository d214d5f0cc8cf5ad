// Output files appear whole or not at all: content goes to a temporary file
// in the same directory, which is renamed over the target (rename(2) is
// atomic within a file system). On any error the temporary is removed.
#pragma once

#include <string>
#include <string_view>

namespace rekeysim::cli {

// Throws std::runtime_error("cannot write <path>: <reason>").
void write_file_atomic(const std::string& path, std::string_view content);

}  // namespace rekeysim::cli
