// strongSwan charon view: exact lines for the three synthetic traces, and
// the message shapes of the real 5.9.8 logs.
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include "golden.hpp"
#include "synthetic.hpp"
#include "tools/trace/trace_views.hpp"

using rekeysim::trace::LogContext;
using rekeysim::trace::LogStyle;
using rekeysim::trace::render_log;

namespace {

std::string peer_log(const std::vector<models::TraceRecord>& records, models::PeerId p) {
  LogContext c;
  c.only_peer = p;
  return render_log(records, LogStyle::kStrongswan, c);
}

}  // namespace

TEST_CASE(
    "strongSwan view: normal rekey initiator logs generate/parse, establish, rekeyed SA close",
    "[trace][strongswan]") {
  const std::string a = peer_log(synthetic::normal_rekey(), models::PeerId::kA);
  const std::string expected =
      "Jul  6 07:51:00.000 01[IKE] <conn|1> establishing CHILD_SA net{2} reqid 1\n"
      "Jul  6 07:51:00.000 01[ENC] <conn|1> generating CREATE_CHILD_SA request 5 [ N(REKEY_SA) SA "
      "No KE TSi TSr ]\n"
      "Jul  6 07:51:00.032 02[ENC] <conn|1> parsed CREATE_CHILD_SA response 5 [ SA No KE TSi TSr "
      "]\n"
      "Jul  6 07:51:00.032 02[IKE] <conn|1> inbound CHILD_SA net{2} established with SPIs "
      "a1a1a1a1_i b2b2b2b2_o and TS 10.1.0.0/16 === 10.2.0.0/16\n"
      "Jul  6 07:51:00.032 02[IKE] <conn|1> outbound CHILD_SA net{2} established with SPIs "
      "a1a1a1a1_i b2b2b2b2_o and TS 10.1.0.0/16 === 10.2.0.0/16\n"
      "Jul  6 07:51:00.032 02[IKE] <conn|1> closing CHILD_SA net{1} with SPIs c0000001_i (0 bytes) "
      "c0000002_o (0 bytes) and TS 10.1.0.0/16 === 10.2.0.0/16\n"
      "Jul  6 07:51:00.032 02[IKE] <conn|1> sending DELETE for ESP CHILD_SA with SPI c0000001\n"
      "Jul  6 07:51:00.032 02[ENC] <conn|1> generating INFORMATIONAL request 6 [ D ]\n"
      "Jul  6 07:51:00.064 03[ENC] <conn|1> parsed INFORMATIONAL response 6 [ D ]\n"
      "Jul  6 07:51:00.064 03[IKE] <conn|1> received DELETE for ESP CHILD_SA with SPI c0000002\n"
      "Jul  6 07:51:00.064 03[KNL] <conn|1> deleting SAD entry with SPI c0000002\n"
      "Jul  6 07:51:05.064 04[KNL] <conn|1> deleting SAD entry with SPI c0000001\n";
  CHECK(a == expected);
}

TEST_CASE("strongSwan view: the rekey responder switches outbound on the DELETE and answers with D",
          "[trace][strongswan]") {
  const std::string b = peer_log(synthetic::normal_rekey(), models::PeerId::kB);
  const std::string expected =
      "Jul  6 07:51:00.016 01[ENC] <conn|1> parsed CREATE_CHILD_SA request 5 [ N(REKEY_SA) SA No "
      "KE TSi TSr ]\n"
      "Jul  6 07:51:00.016 01[IKE] <conn|1> inbound CHILD_SA net{2} established with SPIs "
      "b2b2b2b2_i a1a1a1a1_o and TS 10.2.0.0/16 === 10.1.0.0/16\n"
      "Jul  6 07:51:00.016 01[ENC] <conn|1> generating CREATE_CHILD_SA response 5 [ SA No KE TSi "
      "TSr ]\n"
      "Jul  6 07:51:00.048 02[ENC] <conn|1> parsed INFORMATIONAL request 6 [ D ]\n"
      "Jul  6 07:51:00.048 02[IKE] <conn|1> received DELETE for ESP CHILD_SA with SPI c0000001\n"
      "Jul  6 07:51:00.048 02[KNL] <conn|1> deleting SAD entry with SPI c0000001\n"
      "Jul  6 07:51:00.048 02[IKE] <conn|1> outbound CHILD_SA net{2} established with SPIs "
      "b2b2b2b2_i a1a1a1a1_o and TS 10.2.0.0/16 === 10.1.0.0/16\n"
      "Jul  6 07:51:00.048 02[IKE] <conn|1> closing CHILD_SA net{1} with SPIs c0000002_i (0 bytes) "
      "c0000001_o (0 bytes) and TS 10.2.0.0/16 === 10.1.0.0/16\n"
      "Jul  6 07:51:00.048 02[IKE] <conn|1> sending DELETE for ESP CHILD_SA with SPI c0000002\n"
      "Jul  6 07:51:00.048 02[ENC] <conn|1> generating INFORMATIONAL response 6 [ D ]\n"
      "Jul  6 07:51:05.048 03[KNL] <conn|1> deleting SAD entry with SPI c0000002\n";
  CHECK(b == expected);
}

TEST_CASE("strongSwan view: simultaneous rekey logs detection and won/lost like charon 5.9",
          "[trace][strongswan]") {
  const auto records = synthetic::simultaneous_rekey();
  const std::string a = peer_log(records, models::PeerId::kA);
  const std::string b = peer_log(records, models::PeerId::kB);
  CHECK(a.find("detected CHILD_REKEY collision with CHILD_REKEY\n") != std::string::npos);
  CHECK(b.find("detected CHILD_REKEY collision with CHILD_REKEY\n") != std::string::npos);
  // A lost: deletes its own redundant child (established from its response).
  CHECK(a.find("CHILD_SA rekey collision lost, deleting redundant child net{2}\n") !=
        std::string::npos);
  CHECK(a.find("sending DELETE for ESP CHILD_SA with SPI a2a2a2a2\n") != std::string::npos);
  // B won: deletes the old child, which was its first.
  CHECK(b.find("CHILD_SA rekey collision won, deleting old child net{1}\n") != std::string::npos);
  CHECK(b.find("sending DELETE for ESP CHILD_SA with SPI c0000002\n") != std::string::npos);
  golden::check("simultaneous_rekey.strongswan.log",
                render_log(records, LogStyle::kStrongswan, LogContext{}));
}

TEST_CASE("strongSwan view: DELETE for a removed SPI is 'received DELETE for unknown'",
          "[trace][strongswan]") {
  const std::string a = peer_log(synthetic::crossing_deletes(), models::PeerId::kA);
  CHECK(a.find("received DELETE for unknown ESP CHILD_SA with SPI d6b2c300\n") !=
        std::string::npos);
  CHECK(a.find("received DELETE for ESP CHILD_SA with SPI d6b2c300") == std::string::npos);
  golden::check("crossing_deletes.strongswan.log",
                render_log(synthetic::crossing_deletes(), LogStyle::kStrongswan, LogContext{}));
}

TEST_CASE("strongSwan view: message lines have the shapes of the real 5.9.8 charon logs",
          "[trace][strongswan]") {
  // From tools' reference logs, e.g.
  // "16:35:19.012 01[ENC] generating CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No KE TSi TSr ]"
  const std::regex line(
      R"(^(A|B)\| [A-Z][a-z]{2} [ 1-3]\d \d{2}:\d{2}:\d{2}\.\d{3} \d{2}\[(IKE|ENC|KNL)\] <conn\|\d+> (.+)$)");
  const std::regex messages[] = {
      std::regex(
          R"(^(generating|parsed) (CREATE_CHILD_SA|INFORMATIONAL) (request|response) \d+ \[( [A-Za-z_()]+)* \]$)"),
      std::regex(
          R"(^(inbound |outbound )?CHILD_SA net\{\d+\} established with SPIs [0-9a-f]{8}_i [0-9a-f]{8}_o and TS .+ === .+$)"),
      std::regex(
          R"(^closing CHILD_SA net\{\d+\} with SPIs [0-9a-f]{8}_i \(\d+ bytes\) [0-9a-f]{8}_o \(\d+ bytes\) and TS .+$)"),
      std::regex(R"(^(sending|received) DELETE for (unknown )?ESP CHILD_SA with SPI [0-9a-f]{8}$)"),
      std::regex(R"(^detected CHILD_REKEY collision with CHILD_(REKEY|DELETE)$)"),
      std::regex(
          R"(^CHILD_SA rekey collision (won, deleting old|lost, deleting redundant) child net\{\d+\}$)"),
      std::regex(R"(^establishing CHILD_SA net\{\d+\} reqid 1$)"),
      std::regex(R"(^deleting SAD entry with SPI [0-9a-f]{8}$)"),
  };
  for (const auto& records : {synthetic::normal_rekey(), synthetic::simultaneous_rekey(),
                              synthetic::crossing_deletes()}) {
    std::istringstream in(render_log(records, LogStyle::kStrongswan, LogContext{}));
    for (std::string l; std::getline(in, l);) {
      INFO(l);
      std::smatch m;
      REQUIRE(std::regex_match(l, m, line));
      const std::string msg = m[3];
      bool known = false;
      for (const auto& re : messages) known = known || std::regex_match(msg, re);
      CHECK(known);
    }
  }
}
