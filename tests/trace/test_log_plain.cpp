#include <catch2/catch.hpp>

#include "golden.hpp"
#include "synthetic.hpp"
#include "tools/trace/trace_views.hpp"

using rekeysim::trace::LogContext;
using rekeysim::trace::LogStyle;
using rekeysim::trace::render_log;

TEST_CASE("plain view: one line per record with time, peer, event and message summary",
          "[trace][plain]") {
  const auto records = synthetic::normal_rekey();
  LogContext c;
  c.peer_a_name = "fw";
  c.peer_b_name = "aws";
  const std::string log = render_log(records, LogStyle::kPlain, c);
  std::size_t lines = 0;
  for (char ch : log) lines += ch == '\n';
  CHECK(lines == records.size());
  CHECK(log.find("28260.000000 fw message_sent           CREATE_CHILD_SA req #5 "
                 "N(REKEY_SA 0xc0000001) SA(ESP 0xa1a1a1a1) Ni TSi TSr\n") != std::string::npos);
  CHECK(log.find(
            "28260.048000 aws message_sent           INFORMATIONAL resp #6 D(ESP 0xc0000002)\n") !=
        std::string::npos);
  CHECK(
      log.find(
          "rekey_completed        in 0xc0000001 out 0xc0000002 -> in 0xa1a1a1a1 out 0xb2b2b2b2") !=
      std::string::npos);
  c.only_peer = models::PeerId::kB;
  const std::string b = render_log(records, LogStyle::kPlain, c);
  // One device's log names no peer (was "... aws message_sent ...").
  CHECK(b.find(" fw ") == std::string::npos);
  CHECK(b.find(" aws ") == std::string::npos);
  CHECK(b.find("28260.048000 message_sent           INFORMATIONAL resp #6 D(ESP 0xc0000002)\n") !=
        std::string::npos);
  golden::check("crossing_deletes.plain.log",
                render_log(synthetic::crossing_deletes(), LogStyle::kPlain, LogContext{}));
}
