// Issue 11 part 1 end to end: --set before validation, the margin error, a
// fractional margin shown resolved, and the lifetime rules of a profile.
#include <catch2/catch.hpp>

#include <fstream>

#include "run_cli.hpp"

using namespace cli_test;

TEST_CASE("CLI: a --set that makes a file valid is applied before validation") {
  TempDir dir;
  const std::string file = dir / "s.yaml";
  // Invalid alone: margin 9m + fuzz 100% x 9m is not less than 10m.
  std::ofstream(file) << "duration: 1d\npeers:\n  a: {child: {lifetime: 10m, margin: 9m}}\n"
                         "  b: {}\n";
  const Result alone = run("validate " + file);
  CHECK(alone.status == 2);
  CHECK(alone.err.find("is not less than lifetime 10m (" + file + ":3:25)") != std::string::npos);
  const Result fixed = run("validate " + file + " --set peers.a.child.margin=1m");
  CHECK(fixed.status == 0);
  CHECK(fixed.out.find("child.lifetime 10m, child.margin 1m") != std::string::npos);
  const Result worse = run("validate " + file + " --set peers.a.child.lifetime=5m");
  CHECK(worse.status == 2);
  CHECK(worse.err.starts_with("--set:1:24: error: peers.a.child: margin 9m (" + file + ":3:38)"));
}

TEST_CASE("CLI: validate shows a fractional margin resolved against the final lifetime") {
  TempDir dir;
  const std::string file = dir / "s.yaml";
  std::ofstream(file) << "duration: 1d\npeers:\n  a: {profile: cisco-asa, child: {lifetime: 1h}}\n"
                         "  b: {profile: strongswan, child: {lifetime: 11h}}\n";
  const Result r = run("validate " + file);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("profile cisco-asa, child.lifetime 1h, child.margin 10% (6m)") !=
        std::string::npos);
  CHECK(r.out.find("profile strongswan, child.lifetime 11h, child.margin 1/11 (1h)") !=
        std::string::npos);
}

TEST_CASE("CLI: rekeysim profiles NAME shows each lifetime rule with source and status") {
  const Result r = run("profiles cisco-asa");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("lifetime rules") != std::string::npos);
  CHECK(r.out.find("child: margin 10% of the lifetime, fuzz 0% of the margin  [assumption]") !=
        std::string::npos);
  CHECK(r.out.find("lifetime 1h set alone: rekey at 54m") != std::string::npos);
  CHECK(r.out.find("ike: margin 10% of the lifetime") != std::string::npos);
}
