// Issue 14 faults 2 and 3: one bound on worker threads for every command, and
// a pool that cannot start all its workers fails at once instead of hanging.
#include <catch2/catch.hpp>

#include <atomic>
#include <system_error>
#include <thread>

#include "tools/runner/runner.hpp"
#include "tools/runner/threads.hpp"

using namespace rekeysim::runner;

namespace {

// Starts `ok` threads, then fails like pthread_create under RLIMIT_NPROC.
ThreadStarter failing_after(unsigned ok, std::atomic<unsigned>& started) {
  return [ok, &started](std::function<void()> body) {
    if (started.load() >= ok)
      throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                              "pthread_create");
    ++started;
    return std::thread(std::move(body));
  };
}

models::TrialOutcome one_episode(const models::TrialConfig&, std::uint64_t, std::uint64_t) {
  models::TrialOutcome t;
  t.episodes = 1;
  return t;
}

}  // namespace

TEST_CASE("fault14.3 pool start failure: WorkerPool joins the started workers and throws") {
  std::atomic<unsigned> started{0};
  REQUIRE_THROWS_AS(WorkerPool(4, failing_after(2, started)), PoolStartError);
  CHECK(started.load() == 2);
  started = 0;
  try {
    WorkerPool pool(3, failing_after(0, started));
    FAIL("no exception");
  } catch (const PoolStartError& e) {
    CHECK(std::string(e.what()).find("cannot start worker thread 1 of 3") != std::string::npos);
  }
}

TEST_CASE("fault14.3 pool start failure: a Runner whose third thread fails throws, no hang") {
  std::atomic<unsigned> started{0};
  REQUIRE_THROWS_AS(Runner(8, one_episode, 16, failing_after(2, started)), PoolStartError);
  // The same starter with room for every thread runs normally.
  started = 0;
  Runner ok(2, one_episode, 16, failing_after(2, started));
  CHECK(ok.run_point({}, 1, 40).episodes == 40);
}

TEST_CASE("fault14.3 pool start failure: a WorkerPool runs every posted job before joining") {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(3);
    for (int i = 0; i < 100; ++i) pool.post([&] { ++ran; });
  }
  CHECK(ran.load() == 100);
}

TEST_CASE("fault14.2 thread bound: threads never exceed work items or cores, and are >= 1") {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  CHECK(effective_threads(100000, 1'000'000) == cores);
  CHECK(effective_threads(kMaxThreads, 1'000'000) == cores);
  CHECK(effective_threads(0, 1'000'000) == cores);
  CHECK(effective_threads(8, 1) == 1);
  CHECK(effective_threads(0, 0) == 1);
  CHECK(effective_threads(1, 1'000'000) == 1);
}
