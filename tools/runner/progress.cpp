#include "tools/runner/progress.hpp"

#include <unistd.h>

namespace rekeysim::runner {

Progress::Progress(bool enabled, std::size_t points, std::uint64_t trials_per_point, std::FILE* out)
    : enabled_(enabled),
      points_(points),
      trials_per_point_(trials_per_point),
      out_(out),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  finish();
}

bool Progress::stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

void Progress::start_point(std::size_t index) {
  point_ = index;
  done_in_point_ = 0;
  draw(false);
}

void Progress::trials_done(std::uint64_t done_in_point) {
  done_in_point_ = done_in_point;
  draw(false);
}

void Progress::finish() {
  if (enabled_ && drawn_) {
    std::fprintf(out_, "\r\033[K");
    std::fflush(out_);
  }
  drawn_ = false;
}

void Progress::draw(bool force) {
  if (!enabled_) return;
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
  std::fprintf(out_, "\r\033[Kpoint %zu/%zu  trials %llu/%llu  %.0f trials/s  ETA %dm%02ds",
               point_ + 1, points_, static_cast<unsigned long long>(done_in_point_),
               static_cast<unsigned long long>(trials_per_point_), rate, static_cast<int>(eta) / 60,
               static_cast<int>(eta) % 60);
  std::fflush(out_);
}

}  // namespace rekeysim::runner
