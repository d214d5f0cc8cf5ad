// Progress of a long run on stderr (architecture principle 5): points,
// trials done, trial rate and ETA, redrawn in place at most a few times a
// second, and only when stderr is a terminal (never in pipes, logs or CI).
// Wall-clock time is read here for the display only; it never reaches a
// simulation.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace rekeysim::runner {

class Progress {
 public:
  // enabled = false: silent (use stderr_is_terminal() && !quiet).
  Progress(bool enabled, std::size_t points, std::uint64_t trials_per_point,
           std::FILE* out = stderr);
  ~Progress();

  void start_point(std::size_t index);
  void trials_done(std::uint64_t done_in_point);  // cumulative within the point
  void finish();                                  // clears the line

  static bool stderr_is_terminal();

 private:
  void draw(bool force);

  bool enabled_;
  std::size_t points_;
  std::uint64_t trials_per_point_;
  std::FILE* out_;
  std::size_t point_ = 0;
  std::uint64_t done_in_point_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

}  // namespace rekeysim::runner
