// PAN-OS ikemgr.log view: exact lines, and the line shapes of the real KB
// sample (tests/trace/data/panos-ikemgr-delete-race.log).
#include <regex>
#include <sstream>
#include <vector>

#include <catch2/catch.hpp>

#include "golden.hpp"
#include "synthetic.hpp"
#include "tools/trace/trace_views.hpp"

using rekeysim::trace::LogContext;
using rekeysim::trace::LogStyle;
using rekeysim::trace::render_log;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The names and addresses of the KB sample.
LogContext kb_context() {
  LogContext c;
  c.gateway_name = "awspanw-panwfwx";
  c.tunnel_name = "awspanw-panwfwx:panwon_proxy";
  c.a_address = "10.18.152.5";
  c.b_address = "192.104.67.227";
  c.only_peer = models::PeerId::kA;
  return c;
}

// Masks what the KB sample masked or mangled: SPI digits and addresses.
std::string normalise(std::string line) {
  line = std::regex_replace(line, std::regex("0x[0-9A-FX]{8}"), "0xSPI");
  line = std::regex_replace(line, std::regex("[0-9]{1,3}(\\.[0-9]{1,3}){3}"), "IP");
  return line;
}

}  // namespace

TEST_CASE("PAN-OS view: crossing DELETEs reproduce the KB ikemgr.log sample line for line",
          "[trace][panos]") {
  const auto records = synthetic::crossing_deletes();
  const std::string log = render_log(records, LogStyle::kPanos, kb_context());
  const auto ours = lines_of(log);
  const auto real = lines_of(golden::read_file(std::string(REKEYSIM_TRACE_TEST_DIR) +
                                               "/data/panos-ikemgr-delete-race.log"));
  REQUIRE(real.size() == 8);
  REQUIRE(ours.size() == real.size());
  for (std::size_t i = 0; i < real.size(); ++i) {
    INFO("line " << i + 1 << "\n ours: " << ours[i] << "\n real: " << real[i]);
    CHECK(normalise(ours[i]) == normalise(real[i]));
  }
}

TEST_CASE("PAN-OS view: every line has a KB sample shape", "[trace][panos]") {
  // Prefix: timestamp with milliseconds and UTC offset, level, "{ gw: tunnel}".
  const std::regex prefixed(
      R"(^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} [+-]\d{4} \[(INFO|PNTF|PWRN|PERR)\]: \{ \d+: \d*\}: .+$)");
  // The un-prefixed continuation of an IPSEC KEY banner.
  const std::regex continuation(
      R"(^====> (Deleted|Installed) SA: [0-9.]+\[\d+\]-[0-9.]+\[\d+\] SPI:0x[0-9A-F]{8}/0x[0-9A-F]{8} <====$)");
  const std::regex spi_upper(R"(0x[0-9A-F]{8}\b)");
  LogContext c;
  for (const auto& records : {synthetic::normal_rekey(), synthetic::simultaneous_rekey(),
                              synthetic::crossing_deletes()}) {
    const auto lines = lines_of(render_log(records, LogStyle::kPanos, c));
    REQUIRE_FALSE(lines.empty());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      // Both peers interleaved: strip the "A| " / "B| " prefix.
      REQUIRE(lines[i].size() > 3);
      const std::string line = lines[i].substr(3);
      INFO(line);
      const bool is_continuation = line.starts_with("====>");
      if (is_continuation) {
        CHECK(std::regex_match(line, continuation));
        // A continuation always follows its banner.
        REQUIRE(i > 0);
        CHECK(lines[i - 1].find("====> IPSEC KEY ") != std::string::npos);
      } else {
        CHECK(std::regex_match(line, prefixed));
      }
    }
  }
}

TEST_CASE("PAN-OS view: can't find sa is a PWRN line naming the peer's DELETE SPI in upper case",
          "[trace][panos]") {
  LogContext c;
  c.only_peer = models::PeerId::kB;
  const auto lines = lines_of(render_log(synthetic::crossing_deletes(), LogStyle::kPanos, c));
  int found = 0;
  for (const auto& l : lines) {
    if (l.find("can't find sa") != std::string::npos) {
      ++found;
      CHECK(l.find("[PWRN]: { 7: }: can't find sa for proto ESP spi 0xD3A1BD45") !=
            std::string::npos);
    }
  }
  CHECK(found == 1);
}

TEST_CASE("PAN-OS view: golden output of a normal, a simultaneous rekey and crossing deletes",
          "[trace][panos][golden]") {
  LogContext c;
  golden::check("normal_rekey.panos.log",
                render_log(synthetic::normal_rekey(), LogStyle::kPanos, c));
  golden::check("simultaneous_rekey.panos.log",
                render_log(synthetic::simultaneous_rekey(), LogStyle::kPanos, c));
  golden::check("crossing_deletes.panos.log",
                render_log(synthetic::crossing_deletes(), LogStyle::kPanos, c));
}

TEST_CASE("PAN-OS view: without inferred lines only sample-verified shapes remain",
          "[trace][panos]") {
  LogContext c;
  c.inferred_lines = false;
  const std::string log = render_log(synthetic::normal_rekey(), LogStyle::kPanos, c);
  CHECK(log.find("IPSEC KEY INSTALLED") == std::string::npos);
  CHECK(log.find("negotiation is started") == std::string::npos);
  CHECK(log.find("IKEv2 INFO transmit: gateway rekeysim-gw, message_id: 0x00000006") !=
        std::string::npos);
  CHECK(log.find("IPSEC KEY DELETED") != std::string::npos);
}

TEST_CASE("PAN-OS view: timestamps follow the context's epoch and UTC offset", "[trace][panos]") {
  LogContext c;
  c.epoch_unix_seconds = 1751774400;  // 2025-07-06 04:00:00 UTC
  c.utc_offset_minutes = 330;         // +0530
  c.only_peer = models::PeerId::kA;
  const auto lines = lines_of(render_log(synthetic::crossing_deletes(), LogStyle::kPanos, c));
  REQUIRE_FALSE(lines.empty());
  // 04:00 UTC + 5:30 + 3:32:18.287 of simulated time.
  CHECK(lines[0].starts_with("2025-07-06 13:02:18.287 +0530 [INFO]: { 7: }: "));
}

TEST_CASE("log views of an empty trace are empty", "[trace][panos]") {
  const std::vector<models::TraceRecord> none;
  for (auto style : {LogStyle::kPlain, LogStyle::kPanos, LogStyle::kStrongswan}) {
    CHECK(render_log(none, style, LogContext{}).empty());
  }
  CHECK(rekeysim::trace::render_jsonl(none).empty());
  CHECK(rekeysim::trace::render_ladder_svg(none, {}).find("</svg>") != std::string::npos);
}
