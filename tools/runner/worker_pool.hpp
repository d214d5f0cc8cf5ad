// A fixed set of worker threads running posted jobs. Unlike
// boost::asio::thread_pool, whose constructor blocks forever joining the
// workers it did start when a later thread cannot be created, a failure to
// start any worker stops and joins the ones already running and throws
// PoolStartError, so the command fails at once (exit 3) instead of hanging.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace rekeysim::runner {

class PoolStartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Starts one thread running `body`; tests substitute one that fails.
using ThreadStarter = std::function<std::thread(std::function<void()> body)>;
ThreadStarter default_thread_starter();

class WorkerPool {
 public:
  // Starts `threads` (>= 1) workers. Throws PoolStartError("cannot start
  // worker thread i of n: <reason>") after joining the workers already started.
  explicit WorkerPool(unsigned threads, ThreadStarter start = default_thread_starter());
  ~WorkerPool();  // runs the jobs still queued, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  unsigned size() const { return static_cast<unsigned>(workers_.size()); }
  // Queues a job. Jobs must not throw (catch inside; the runner stores the
  // exception for the caller).
  void post(std::function<void()> job);

 private:
  void work();
  void stop_and_join();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace rekeysim::runner
