// Golden reports of `rekeysim ingest`: the whole output (the line counts on
// stderr, the timeline, the outcome counts and what is inferred, each with
// its lines) for the KB PAN-OS sample alone, both strongSwan identical-timers
// logs together and a public libreswan log. Paths are printed relative to
// the source tree so the files do not depend on where it is checked out.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

#include "run_cli.hpp"

using cli_test::run;
using cli_test::slurp;
using cli_test::source;

namespace {

std::string relative(std::string text) {
  const std::string root = source("");
  for (auto at = text.find(root); at != std::string::npos; at = text.find(root, at))
    text.erase(at, root.size());
  return text;
}

void check_ingest_golden(const std::string& name, const std::string& logs) {
  std::string args;
  for (std::size_t i = 0, j; i < logs.size(); i = j + 1) {
    j = logs.find(' ', i);
    if (j == std::string::npos) j = logs.size();
    args += " '" + source(logs.substr(i, j - i)) + "'";
  }
  const auto r = run("ingest" + args);
  REQUIRE(r.status == 0);
  const std::string actual = relative(r.err + r.out);
  const std::string path = source("tests/cli/golden/" + name);
  if (std::getenv("REKEYSIM_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  INFO("golden file " << path
                      << " (REKEYSIM_UPDATE_GOLDEN=1 rewrites it after a deliberate change)");
  CHECK(slurp(path) == actual);
}

}  // namespace

TEST_CASE("ingest golden: the KB PAN-OS sample alone") {
  check_ingest_golden("ingest.panos-kb.txt", "tests/data/panos/ikemgr-delete-race.log");
}

TEST_CASE("ingest golden: both strongSwan identical-timers logs together") {
  check_ingest_golden("ingest.strongswan-identical-timers.txt",
                      "tests/data/strongswan-5.9.8/identical-timers-a.log "
                      "tests/data/strongswan-5.9.8/identical-timers-b.log");
}

TEST_CASE("ingest golden: the public libreswan 4 rekey log") {
  check_ingest_golden("ingest.libreswan-4-public.txt", "tests/data/public/libreswan-4-rekey.log");
}
