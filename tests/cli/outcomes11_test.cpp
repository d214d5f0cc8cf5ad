// Issue 11 (fresh-clone tester): bounds and outcome wording of `run`.
// Each test is named after the defect it pins ("fix11.N").
#include <catch2/catch.hpp>

#include <string>

#include "run_cli.hpp"

using namespace cli_test;

namespace {

std::string kb() {
  return source("scenarios/kb-incident.yaml");
}

}  // namespace

TEST_CASE("fix11.1 worker_race_window above 10s is exit 2 naming the field") {
  for (const std::string v : {"11s", "2d", "3650d"}) {
    for (const std::string peer : {"a", "b"}) {
      INFO(peer << " " << v);
      const Result r =
          run("validate " + kb() + " --set peers." + peer + ".behaviour.worker_race_window=" + v);
      CHECK(r.status == 2);
      CHECK(r.err.find("error: peers." + peer + ".behaviour.worker_race_window: ") !=
            std::string::npos);
      CHECK(r.err.find("at most 10s") != std::string::npos);
    }
  }
  // The bound itself is a valid window.
  const Result ok = run("validate " + kb() + " --set peers.a.behaviour.worker_race_window=10s");
  CHECK(ok.status == 0);
}
