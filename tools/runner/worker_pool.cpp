#include "tools/runner/worker_pool.hpp"

#include <string>
#include <system_error>

namespace rekeysim::runner {

ThreadStarter default_thread_starter() {
  return [](std::function<void()> body) { return std::thread(std::move(body)); };
}

WorkerPool::WorkerPool(unsigned threads, ThreadStarter start) {
  const unsigned n = threads > 0 ? threads : 1;
  workers_.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    try {
      workers_.push_back(start([this] { work(); }));
    } catch (const std::exception& e) {
      stop_and_join();
      throw PoolStartError("cannot start worker thread " + std::to_string(i + 1) + " of " +
                           std::to_string(n) + ": " + e.what());
    }
  }
}

WorkerPool::~WorkerPool() {
  stop_and_join();
}

void WorkerPool::stop_and_join() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
}

void WorkerPool::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void WorkerPool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left to run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace rekeysim::runner
