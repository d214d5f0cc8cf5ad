// `rekeysim test` end to end: the built binary on the case library, on a
// failing case (exit 1, ladders side by side) and on bad input (exit 2,
// file:line:column, nothing run or written).
#include <catch2/catch.hpp>

#include <fstream>

#include "../cli/run_cli.hpp"

using cli_test::run;
using cli_test::slurp;
using cli_test::source;
using cli_test::TempDir;

namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::size_t count_lines_starting(const std::string& text, const std::string& prefix) {
  std::size_t n = 0, at = 0;
  while (at < text.size()) {
    if (text.compare(at, prefix.size(), prefix) == 0) ++n;
    const std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return n;
}

const char* kFailing =
    "name: wrong winner\n"
    "peers:\n"
    "  a: &p {profile: rfc7296, behaviour: {collision_resolution: strongswan_min_nonce}}\n"
    "  b: *p\n"
    "script: [lowest_nonce: N1, rekey_child: a, rekey_child: b, settle: true]\n"
    "expect:\n"
    "  child_sas: {a: [\"1/2\", \"3/5\", \"6/4\"]}\n"
    "  messages:\n"
    "    - A->B CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS}\n"
    "    - B->A CREATE_CHILD_SA request 0 {N(REKEY_SA,2), SA(ESP,4), Nonce, TS}\n"
    "    - B->A CREATE_CHILD_SA response 2 {SA(ESP,5), Nonce, TS}\n"
    "    - A->B CREATE_CHILD_SA response 0 {SA(ESP,6), Nonce, TS}\n"
    "    - A->B INFORMATIONAL request 3 {D(ESP,1)}\n";

}  // namespace

TEST_CASE("rekeysim test: a directory of passing cases, one time-free line each, exit 0",
          "[cases][cli]") {
  const auto r = run("test " + source("scenarios/cases/child_rekey"));
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(count_lines_starting(r.out, "PASS ") == 9);
  CHECK(count_lines_starting(r.out, "FAIL ") == 0);
  CHECK(r.out.find("PASS CR-01 Child SA rekey, IKE initiator A\n") != std::string::npos);
  CHECK(r.out.find("9 case(s), 9 passed, 0 failed\n") != std::string::npos);
  CHECK(r.err.empty());
  CHECK(run("test " + source("scenarios/cases/child_rekey")).out ==
        r.out);  // no times, no order change
}

TEST_CASE("rekeysim test: a failing case exits 1 with the failed expectation and both ladders",
          "[cases][cli]") {
  TempDir dir;
  write(dir / "wrong.yaml", kFailing);
  const auto r = run("test " + source("scenarios/cases/delete/dl-50-crossing-deletes.yaml") + " " +
                     (dir / "wrong.yaml"));
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(r.out.find("PASS DL-50 crossing DELETEs get empty responses\nFAIL wrong winner\n") !=
        std::string::npos);
  // settle delivers to A first, so A's SA from B's exchange is 5/4; N1 lowest: B's wins.
  CHECK(r.out.find(
            "wrong.yaml:7:18: expect.child_sas.a: expected [1/2, 3/5, 6/4], got [1/2, 5/4, 3/6]") !=
        std::string::npos);
  // Expected and actual side by side; differing rows marked.
  CHECK(r.out.find("A --> B  CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS} | "
                   "A --> B  CREATE_CHILD_SA request 2 {N(REKEY_SA,1), SA(ESP,3), Nonce, TS}\n") !=
        std::string::npos);
  CHECK(r.out.find("  ! 5  A --> B  INFORMATIONAL request 3 {D(ESP,1)}") != std::string::npos);
  CHECK(r.out.find("| A --> B  INFORMATIONAL request 3 {D(ESP,3)}\n") != std::string::npos);
  CHECK(r.out.find("  ! 6 ") != std::string::npos);  // only in the actual ladder
  CHECK(r.out.find("2 case(s), 1 passed, 1 failed\n") != std::string::npos);
}

TEST_CASE("rekeysim test: bad input exits 2 with file:line:column, runs and writes nothing",
          "[cases][cli]") {
  TempDir dir;
  write(dir / "good.yaml", kFailing);
  write(dir / "bad.yaml",
        "peers: {a: {profile: rfc7296}, b: {profile: rfc7296}}\nscript:\n  - advance: soon\n");
  const auto r = run("test " + (dir / "good.yaml") + " " + (dir / "bad.yaml") + " --junit " +
                     (dir / "out.xml"));
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err.rfind(dir / "bad.yaml" + ":3:14: error: script[0].advance:", 0) == 0);
  CHECK(r.err.find("; expected a duration like") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "out.xml"));

  const auto missing = run("test " + (dir / "nope.yaml"));
  CHECK(missing.status == 2);
  CHECK(missing.err == dir / "nope.yaml" +
                           ":1:1: error: no such file or directory; expected a case "
                           "file (.yaml) or a directory of them\n");
  std::filesystem::create_directories(dir / "none");
  const auto none = run("test " + (dir / "none"));
  CHECK(none.status == 2);
  CHECK(none.err.find("no case files (*.yaml) in this directory") != std::string::npos);
  const auto junit_dir =
      run("test " + source("scenarios/cases/delete") + " --junit " + dir.path.string());
  CHECK(junit_dir.status == 2);
  CHECK(junit_dir.out.empty());
  const auto no_args = run("test");
  CHECK(no_args.status == 2);
}

TEST_CASE("rekeysim test --junit: one testcase per case, failures carry the report",
          "[cases][cli]") {
  TempDir dir;
  write(dir / "wrong.yaml", kFailing);
  const auto r = run("test " + source("scenarios/cases/delete") + " " + (dir / "wrong.yaml") +
                     " --junit " + (dir / "cases.xml"));
  CHECK(r.status == 1);
  const std::string xml = slurp(dir / "cases.xml");
  CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rekeysim test\" "
                  "tests=\"12\" failures=\"1\"",
                  0) == 0);
  CHECK(count_lines_starting(xml, "    <testcase ") == 12);
  CHECK(xml.find("<testcase name=\"DL-50 crossing DELETEs get empty responses\" classname=\"" +
                 source("scenarios/cases/delete/dl-50-crossing-deletes.yaml") +
                 "\" time=\"0\"/>") != std::string::npos);
  CHECK(
      xml.find(
          "<failure message=\"expect.child_sas.a: expected [1/2, 3/5, 6/4], got [1/2, 5/4, 3/6]\" "
          "type=\"expectation\">FAIL wrong winner\n") != std::string::npos);
  CHECK(xml.find("A --&gt; B  INFORMATIONAL") != std::string::npos);  // escaped
  // Same cases, same document.
  const auto again = run("test " + source("scenarios/cases/delete") + " " + (dir / "wrong.yaml") +
                         " --junit " + (dir / "again.xml"));
  CHECK(slurp(dir / "again.xml") == xml);
}
