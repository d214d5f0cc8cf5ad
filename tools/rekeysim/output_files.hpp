// The output files of one command (--out, --plot, --svg, --jsonl), checked
// before anything is simulated and written together at the end, so a run that
// fails (exit 2) leaves every existing output as it was.
//
// What a path may name, and what happens to it:
//   - nothing yet, or a regular file: the content goes to a temporary file in
//     the same directory, named `.<name>.rekeysim-partial.<pid>.<n>` (hidden,
//     never a name a run produces as output), which is renamed over the target
//     once every output is ready. An existing target's permission bits (and,
//     for root, its owner) are kept. An existing file the caller may not
//     write (access(W_OK), e.g. mode 0444 for its owner) is refused before
//     anything runs, as a shell redirection would be, though the directory
//     would allow the rename.
//   - a character or block device, or a FIFO: written through in place (the
//     node is never replaced), e.g. /dev/null, /dev/stdout, a named pipe. The
//     device's error is the run's error: /dev/full gives "No space left on
//     device" and exit 2; a FIFO nobody reads gives an error at once instead
//     of blocking.
//   - a symbolic link: followed deliberately, so the file or device the link
//     points at is written (as above) and the link itself stays a link. A
//     dangling link is refused (nothing to follow).
//   - a directory, a socket, an empty name, or the same file twice: refused.
// Temporaries are removed on error and on SIGINT/SIGTERM (see interrupt.hpp);
// only a SIGKILL can leave one behind, under the recognisable name above.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace rekeysim::cli {

class OutputFiles {
 public:
  // Registers `path` as the destination of `option` (e.g. "--out"), after
  // checking that it can be written: its directory exists and is writable, it
  // is not a directory, socket or dangling link, and no other option names the
  // same file. Throws std::runtime_error("<option>: cannot write <path>: <why>").
  void add(const std::string& option, const std::string& path);
  // Registers a file the command reads (`what`: "the scenario", "LOG"): no
  // output may be the same regular file, which commit() would replace with
  // what was read from it (`ingest x.log --scenario x.log`). Inputs that do
  // not exist or are not regular files (stdin, a FIFO) are not recorded.
  // Throws std::runtime_error("<option>: cannot write <path>: the same file
  // as <what>, which it reads") from whichever of add/add_input comes second.
  void add_input(const std::string& what, const std::string& path);
  // Whether `option` was registered.
  bool has(std::string_view option) const;
  // The content for a registered option (replaces any earlier content).
  void put(std::string_view option, std::string content);
  // Content too large to hold (ingest --out of a long log), instead of put():
  // what is written to the stream goes to a temporary file beside the target
  // (in the temporary directory for a device or FIFO), which commit()
  // renames over the target (copies to the device) like put()'s content. A
  // write error is reported by commit(). The stream lives until commit().
  std::ostream& stream(std::string_view option);
  // Content for standard output, printed after every file was written (so a
  // failed file write prints nothing).
  void put_stdout(std::string content) { stdout_ = std::move(content); }
  // Writes every output that has content: temporaries first, then devices and
  // FIFOs, then the renames. On any error every temporary is removed, no
  // regular target has been replaced, and std::runtime_error says which
  // output failed and why.
  void commit();

 private:
  struct Streamed;
  struct Output {
    std::string option;
    std::string path;    // as given
    std::string target;  // symlinks resolved
    bool write_through = false;
    std::optional<std::string> content;
    std::shared_ptr<Streamed> streamed;  // stream()'s temporary, if used
  };
  std::vector<Output> outputs_;
  struct Input {
    std::string what;
    dev_t dev;
    ino_t ino;
  };
  std::vector<Input> inputs_;
  std::optional<std::string> stdout_;
};

}  // namespace rekeysim::cli
