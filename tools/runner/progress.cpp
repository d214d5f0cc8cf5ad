#include "tools/runner/progress.hpp"

#include <unistd.h>

#include <system_error>
#include <utility>

namespace rekeysim::runner {

Progress::Progress(Mode mode, std::size_t points, std::uint64_t trials_per_point,
                   double estimate_seconds, std::vector<std::string> point_names, std::FILE* out)
    : mode_(mode),
      points_(points),
      point_names_(std::move(point_names)),
      trials_per_point_(trials_per_point),
      estimate_seconds_(estimate_seconds),
      out_(out),
      start_(std::chrono::steady_clock::now()) {
  if (mode_ == Mode::kLines) {
    std::lock_guard lock(mutex_);
    line("started");
    // A failure to start the ticker only loses the periodic lines.
    try {
      ticker_ = std::thread([this] { tick(); });
    } catch (const std::system_error&) {
    }
  }
}

Progress::~Progress() {
  finish();
}

bool Progress::stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

std::string Progress::point_name() const {
  if (point_ < point_names_.size()) return point_names_[point_];
  return "point " + std::to_string(point_ + 1) + "/" + std::to_string(points_);
}

void Progress::start_point(std::size_t index) {
  std::lock_guard lock(mutex_);
  point_ = index;
  done_in_point_ = 0;
  draw(false);
}

void Progress::trials_done(std::uint64_t done_in_point) {
  std::lock_guard lock(mutex_);
  done_in_point_ = done_in_point;
  draw(false);
}

void Progress::finish() {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    stopping_ = true;
    if (mode_ == Mode::kTerminal && drawn_) {
      std::fprintf(out_, "\r\033[K");
      std::fflush(out_);
    }
    if (mode_ == Mode::kLines) line("finished");
    drawn_ = false;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void Progress::tick() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, kLineInterval, [this] { return stopping_; })) line("running");
}

void Progress::line(const char* what) {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::uint64_t total = static_cast<std::uint64_t>(points_) * trials_per_point_;
  const std::uint64_t done =
      static_cast<std::uint64_t>(point_) * trials_per_point_ + done_in_point_;
  std::fprintf(out_, "progress: %s: %s, trials %llu/%llu, elapsed %.0fs", what,
               point_name().c_str(), static_cast<unsigned long long>(done_in_point_),
               static_cast<unsigned long long>(trials_per_point_), elapsed);
  if (done > 0 && done < total) {
    const double eta = elapsed / static_cast<double>(done) * static_cast<double>(total - done);
    std::fprintf(out_, ", ETA %.0fs", eta);
  } else if (done == 0 && estimate_seconds_ > 0) {
    std::fprintf(out_, ", estimated total %.0fs", estimate_seconds_);
  }
  std::fprintf(out_, "\n");
  std::fflush(out_);
}

void Progress::draw(bool force) {
  if (mode_ != Mode::kTerminal) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  drawn_ = true;
  const std::uint64_t total = static_cast<std::uint64_t>(points_) * trials_per_point_;
  const std::uint64_t done =
      static_cast<std::uint64_t>(point_) * trials_per_point_ + done_in_point_;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  std::fprintf(out_, "\r\033[K%s  trials %llu/%llu  %.0f trials/s  ETA %dm%02ds",
               point_name().c_str(), static_cast<unsigned long long>(done_in_point_),
               static_cast<unsigned long long>(trials_per_point_), rate, static_cast<int>(eta) / 60,
               static_cast<int>(eta) % 60);
  std::fflush(out_);
}

}  // namespace rekeysim::runner
