// Durations, byte volumes and packet rates as users write them in scenarios.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/random.hpp"
#include "sim/time.hpp"

using sim::ParseError;
using sim::SimTime;

namespace {

constexpr std::int64_t kS = 1'000'000'000;

// Asserts that `parse(text)` throws ParseError naming `text` and an expected
// form that mentions `form_word`.
template <typename Parse>
void check_rejected(Parse parse, const std::string& text, const std::string& form_word) {
  INFO("input: \"" << text << "\"");
  try {
    parse(text);
    FAIL("accepted a malformed value");
  } catch (const ParseError& e) {
    CHECK(e.text() == text);
    CHECK(e.expected().find(form_word) != std::string::npos);
    CHECK(std::string(e.what()).find("\"" + text + "\"") != std::string::npos);
  }
}

}  // namespace

TEST_CASE("parse_duration reads single units, combinations and decimals exactly", "[time]") {
  CHECK(sim::parse_duration("8h").ns() == 8 * 3600 * kS);
  CHECK(sim::parse_duration("28800s").ns() == 28800 * kS);
  CHECK(sim::parse_duration("7h55m").ns() == (7 * 3600 + 55 * 60) * kS);
  CHECK(sim::parse_duration("1m30s").ns() == 90 * kS);
  CHECK(sim::parse_duration("1.5s").ns() == 1'500'000'000);
  CHECK(sim::parse_duration("0.1ms").ns() == 100'000);
  CHECK(sim::parse_duration("250ms").ns() == 250'000'000);
  CHECK(sim::parse_duration("0").ns() == 0);
  CHECK(sim::parse_duration("0s").ns() == 0);
  CHECK(sim::parse_duration("10us").ns() == 10'000);
  CHECK(sim::parse_duration("3d").ns() == 3 * 86400 * kS);
  CHECK(sim::parse_duration("1d2h3m4s5ms6us7ns").ns() ==
        ((86400 + 2 * 3600 + 3 * 60 + 4) * kS + 5'000'000 + 6'000 + 7));
  CHECK(sim::parse_duration("1m1.5s").ns() == 61'500'000'000);
  CHECK(sim::parse_duration("1.5h").ns() == 5400 * kS);
  CHECK(sim::parse_duration("0.000000001s").ns() == 1);
  CHECK(sim::parse_duration("1.000000000000s").ns() == kS);  // trailing zeros are exact
  CHECK(sim::parse_duration("9223372036854775807ns") == SimTime::max());
  CHECK(sim::parse_duration("106751d23h47m16s854ms775us807ns") == SimTime::max());
}

TEST_CASE("parse_duration rejects malformed values with the text and expected form", "[time]") {
  const auto parse = [](const std::string& s) { return sim::parse_duration(s); };
  for (const char* bad : {"8x",
                          "-1s",
                          "",
                          "1e400s",
                          "99999999999999999999h",
                          "1.5.2s",
                          "10 parsecs",
                          "s",
                          "5",
                          "1h1h",
                          "1s1h",
                          "1ms1s",
                          "0.5ns",
                          "1.5m30s",
                          "9223372036854775808ns",
                          "106751d23h47m16s854ms775us808ns",
                          "1 s",
                          " 1s",
                          "1s ",
                          "1.s",
                          ".5s",
                          "00",
                          "1H",
                          "+1s",
                          "1s-",
                          "nan",
                          "inf",
                          "1.0000000000000000001s"}) {
    check_rejected(parse, bad, "duration");
  }
}

TEST_CASE("format_duration gives the shortest exact rendering", "[time]") {
  CHECK(sim::format_duration(sim::seconds(28800)) == "8h");
  CHECK(sim::format_duration(sim::seconds(90)) == "1m30s");
  CHECK(sim::format_duration(sim::milliseconds(1500)) == "1.5s");
  CHECK(sim::format_duration(sim::milliseconds(250)) == "250ms");
  CHECK(sim::format_duration(SimTime{}) == "0");
  CHECK(sim::format_duration(sim::nanoseconds(1)) == "1ns");
  CHECK(sim::format_duration(sim::microseconds(1500)) == "1.5ms");
  CHECK(sim::format_duration(sim::hours(7) + sim::minutes(55)) == "7h55m");
  CHECK(sim::format_duration(sim::days(1) + sim::nanoseconds(1)) == "1d1ns");
  CHECK(sim::format_duration(sim::days(2)) == "2d");
  CHECK(sim::format_duration(sim::hours(1) + sim::milliseconds(2500)) == "1h2.5s");
  CHECK(sim::format_duration(-sim::seconds(3)) == "-3s");
}

TEST_CASE("Durations round trip: parse(format(t)) == t and format(parse(x)) == x", "[time]") {
  for (const char* canonical :
       {"8h", "7h55m", "1m30s", "1.5s", "250ms", "0", "10us", "3d", "1d2h3m4s5ms6us7ns", "1ns",
        "1.5ms", "2s1us", "1h2.5s", "9m", "106751d23h47m16.854775807s"}) {
    INFO(canonical);
    CHECK(sim::format_duration(sim::parse_duration(canonical)) == canonical);
  }
  sim::Rng rng(20261126);
  for (int i = 0; i < 100'000; ++i) {
    // Magnitudes from 1 ns to ~292 years, and values on round unit boundaries.
    const std::uint64_t span = std::uint64_t{1} << rng.uniform_int(63);
    std::int64_t ns = static_cast<std::int64_t>(rng.uniform_int(span));
    if (i % 4 == 0) ns -= ns % 1'000'000;
    if (i % 8 == 0) ns -= ns % 60'000'000'000;
    const SimTime t = SimTime::from_ns(ns);
    const std::string text = sim::format_duration(t);
    INFO(ns << " -> " << text);
    REQUIRE(sim::parse_duration(text) == t);
  }
  CHECK(sim::parse_duration(sim::format_duration(SimTime::max())) == SimTime::max());
}

TEST_CASE("from_seconds rounds to the nearest nanosecond and saturates", "[time]") {
  CHECK(sim::from_seconds(1.5).ns() == 1'500'000'000);
  CHECK(sim::from_seconds(0.25).ns() == 250'000'000);
  CHECK(sim::from_seconds(1e-9).ns() == 1);
  CHECK(sim::from_seconds(0.4e-9).ns() == 0);
  CHECK(sim::from_seconds(0.6e-9).ns() == 1);
  CHECK(sim::from_seconds(-0.6e-9).ns() == -1);
  CHECK(sim::from_seconds(0.0).ns() == 0);
  CHECK(sim::from_seconds(1e300) == SimTime::max());
  CHECK(sim::from_seconds(std::numeric_limits<double>::infinity()) == SimTime::max());
  CHECK(sim::from_seconds(-1e300).ns() == std::numeric_limits<std::int64_t>::min());
  CHECK_THROWS_AS(sim::from_seconds(std::numeric_limits<double>::quiet_NaN()),
                  std::invalid_argument);
}

TEST_CASE("parse_bytes reads vendor volumes with KB = 1024 B", "[time][bytes]") {
  CHECK(sim::parse_bytes("600B") == 600);
  CHECK(sim::parse_bytes("4608000KB") == 4608000ULL * 1024);
  CHECK(sim::parse_bytes("100MB") == 100ULL << 20);
  CHECK(sim::parse_bytes("2GB") == 2ULL << 30);
  CHECK(sim::parse_bytes("3TB") == 3ULL << 40);
  CHECK(sim::parse_bytes("1KiB") == 1024);
  CHECK(sim::parse_bytes("1.5KB") == 1536);
  CHECK(sim::parse_bytes("0") == 0);
  CHECK(sim::parse_bytes("0B") == 0);
  CHECK(sim::parse_bytes("18446744073709551615B") == std::numeric_limits<std::uint64_t>::max());
  const auto parse = [](const std::string& s) { return sim::parse_bytes(s); };
  for (const char* bad : {"", "5", "KB", "-1KB", "1 KB", "1kb", "1.1B", "1.5.2KB", "8x",
                          "18446744073709551616B", "17179869184GB", "1e3B", "1KB1B"}) {
    check_rejected(parse, bad, "byte volume");
  }
}

TEST_CASE("Byte volumes round trip through format_bytes", "[time][bytes]") {
  CHECK(sim::format_bytes(0) == "0B");
  CHECK(sim::format_bytes(1024) == "1KB");
  CHECK(sim::format_bytes(1536) == "1536B");
  CHECK(sim::format_bytes(4608000ULL * 1024) == "4500MB");
  CHECK(sim::format_bytes(2ULL << 30) == "2GB");
  for (const char* canonical : {"600B", "4500MB", "2GB", "3TB", "1KB", "0B"}) {
    CHECK(sim::format_bytes(sim::parse_bytes(canonical)) == canonical);
  }
  sim::Rng rng(7);
  for (int i = 0; i < 100'000; ++i) {
    std::uint64_t v = rng.next() >> rng.uniform_int(64);
    if (i % 3 == 0) v <<= 10 * rng.uniform_int(4);
    INFO(v);
    REQUIRE(sim::parse_bytes(sim::format_bytes(v)) == v);
  }
}

TEST_CASE("parse_rate reads packet rates exactly and rejects malformed ones", "[time][rate]") {
  CHECK(sim::parse_rate("200pps") == 200.0);
  CHECK(sim::parse_rate("1.5kpps") == 1500.0);
  CHECK(sim::parse_rate("0pps") == 0.0);
  CHECK(sim::parse_rate("0") == 0.0);
  CHECK(sim::parse_rate("2Mpps") == 2e6);
  CHECK(sim::parse_rate("0.1pps") == 0.1);
  CHECK(sim::parse_rate("0.001kpps") == 1.0);
  const auto parse = [](const std::string& s) { return sim::parse_rate(s); };
  const std::string huge = "1" + std::string(400, '0') + "pps";
  for (const std::string& bad :
       {std::string("200"), std::string("pps"), std::string("-1pps"), std::string("1e3pps"),
        std::string("1.5.2pps"), std::string("200 pps"), std::string("1kbps"), std::string(""),
        std::string("nanpps"), huge}) {
    check_rejected(parse, bad, "packet rate");
  }
}

TEST_CASE("Packet rates round trip through format_rate", "[time][rate]") {
  CHECK(sim::format_rate(200) == "200pps");
  CHECK(sim::format_rate(1500) == "1500pps");
  CHECK(sim::format_rate(0.1) == "0.1pps");
  sim::Rng rng(99);
  for (int i = 0; i < 20'000; ++i) {
    const double v = rng.uniform01() * std::pow(10.0, static_cast<double>(rng.uniform_int(12)) - 4);
    INFO(v);
    REQUIRE(sim::parse_rate(sim::format_rate(v)) == v);
  }
  CHECK_THROWS_AS(sim::format_rate(-1), std::invalid_argument);
}

TEST_CASE("An exponent is named as such, not as an unknown unit 'e'", "[time]") {
  // A tester wrote traffic.rate=1e3pps and read "unexpected text after the unit".
  const std::string why =
      "exponent notation is not accepted here; write the digits out (1000, "
      "not 1e3)";
  for (const char* s : {"1e3ms", "2E-3s", "1.5e+2h"}) {
    INFO(s);
    CHECK_THROWS_WITH(sim::parse_duration(s), Catch::Contains(why));
  }
  CHECK_THROWS_WITH(sim::parse_rate("1e3pps"), Catch::Contains(why));
  CHECK_THROWS_WITH(sim::parse_bytes("1e3B"), Catch::Contains(why));
  // Not an exponent: an unknown unit that happens to start with e.
  CHECK_THROWS_WITH(sim::parse_duration("1ex"), Catch::Contains("unknown unit 'ex'"));
  CHECK_THROWS_WITH(sim::parse_duration("1e"), Catch::Contains("unknown unit 'e'"));
}
