// SIGINT / SIGTERM handling for the command line: temporary output files that
// exist at the moment of the signal are removed, then the process exits with
// 128 + the signal number (130 for SIGINT, 143 for SIGTERM), as a shell
// reports a process killed by that signal. SIGPIPE is ignored so that a write
// to a FIFO whose reader went away fails with EPIPE (an error message and
// exit 2) instead of killing the process silently.
//
// The registry is a fixed array of path buffers so the handler only calls
// async-signal-safe functions (unlink, _exit).
#pragma once

#include <string>

namespace rekeysim::cli {

// Installs the handlers; call once at start-up.
void install_interrupt_handlers();

// A temporary file the handler removes; call release() once it was renamed
// or removed normally. Throws std::runtime_error if the path is longer than
// PATH_MAX or more than 64 temporaries are registered at once.
class TempRegistration {
 public:
  explicit TempRegistration(const std::string& path);
  ~TempRegistration();
  TempRegistration(const TempRegistration&) = delete;
  TempRegistration& operator=(const TempRegistration&) = delete;
  void release();

 private:
  int slot_ = -1;
};

}  // namespace rekeysim::cli
