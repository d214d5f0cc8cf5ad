#include "tools/rekeysim/interrupt.hpp"

#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <stdexcept>

namespace rekeysim::cli {

namespace {

constexpr int kSlots = 64;

struct Slot {
  std::atomic<bool> used{false};    // taken by a TempRegistration
  std::atomic<bool> active{false};  // path is complete: the handler may unlink it
  char path[PATH_MAX]{};
};

std::array<Slot, kSlots> g_slots;

extern "C" void on_signal(int sig) {
  for (auto& s : g_slots) {
    if (s.active.load(std::memory_order_acquire)) ::unlink(s.path);
  }
  ::_exit(128 + sig);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGHUP, &sa, nullptr);
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  ::sigaction(SIGPIPE, &ign, nullptr);
}

TempRegistration::TempRegistration(const std::string& path) {
  if (path.size() >= PATH_MAX) throw std::runtime_error("path too long: " + path);
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (g_slots[i].used.compare_exchange_strong(expected, true)) {
      std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
      g_slots[i].active.store(true, std::memory_order_release);
      slot_ = i;
      return;
    }
  }
  throw std::runtime_error("too many temporary files at once");
}

TempRegistration::~TempRegistration() {
  release();
}

void TempRegistration::release() {
  if (slot_ < 0) return;
  g_slots[slot_].active.store(false, std::memory_order_release);
  g_slots[slot_].used.store(false, std::memory_order_release);
  slot_ = -1;
}

}  // namespace rekeysim::cli
