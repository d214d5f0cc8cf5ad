// Progress of a long run on stderr (architecture principle 5): points,
// trials done, trial rate and ETA. Two displays:
//   kTerminal: one line redrawn in place at most a few times a second, when
//              stderr is a terminal;
//   kLines:    plain lines ("progress: ..."), one at the start, one every
//              kLineInterval from a ticker thread (so a single long trial
//              still reports that it is alive, with the elapsed time and the
//              up-front estimate), and one at the end: for logs and CI, chosen
//              with --progress.
// Wall-clock time is read here for the display only; it never reaches a
// simulation.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rekeysim::runner {

class Progress {
 public:
  enum class Mode { kOff, kTerminal, kLines };
  static constexpr std::chrono::seconds kLineInterval{5};

  // estimate_seconds: the up-front estimate of the whole run (0 = none),
  // shown in kLines until measured trial rates give an ETA. point_names: what
  // to call each of the `points` runs ("point 2/5 outside the window" when
  // the window estimator runs a point twice); empty: "point i/points".
  Progress(Mode mode, std::size_t points, std::uint64_t trials_per_point,
           double estimate_seconds = 0, std::vector<std::string> point_names = {},
           std::FILE* out = stderr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void start_point(std::size_t index);
  void trials_done(std::uint64_t done_in_point);  // cumulative within the point
  void finish();  // clears the terminal line, or prints the final plain line

  static bool stderr_is_terminal();

 private:
  void draw(bool force);
  void line(const char* what);  // kLines; mutex_ held
  void tick();
  std::string point_name() const;  // mutex_ held

  Mode mode_;
  std::size_t points_;
  std::vector<std::string> point_names_;
  std::uint64_t trials_per_point_;
  double estimate_seconds_;
  std::FILE* out_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool finished_ = false;
  std::size_t point_ = 0;
  std::uint64_t done_in_point_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
  std::thread ticker_;
};

}  // namespace rekeysim::runner
