// The style plumbing of render_log on hand-built traces: two styles
// interleaved in trace order, one peer alone, message IDs lined up with a
// real log, episodes counted once each (--nth) and a normal rekey found as
// one; plus exact lines of the 6.x and vendor styles for the normal rekey.
#include <catch2/catch.hpp>
#include <sstream>

#include "synthetic.hpp"
#include "tools/trace/trace_views.hpp"

using namespace rekeysim::trace;

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("render_log: each peer in its own style, interleaved in trace order", "[trace][styles]") {
  const auto records = synthetic::normal_rekey();
  LogContext c;
  const std::string both = render_log(records, LogStyle::kPanos, LogStyle::kStrongswan6, c);
  c.only_peer = models::PeerId::kA;
  const std::string a = render_log(records, LogStyle::kPanos, c);
  c.only_peer = models::PeerId::kB;
  const std::string b = render_log(records, LogStyle::kStrongswan6, c);
  std::string got_a;
  std::string got_b;
  for (const auto& l : lines(both)) {
    if (l.starts_with("A| ")) got_a += l.substr(3) + "\n";
    if (l.starts_with("B| ")) got_b += l.substr(3) + "\n";
  }
  CHECK(got_a == a);
  CHECK(got_b == b);
  // A's DELETE transmit (t + 32 ms) comes after B's lines at t + 16 ms.
  const auto all = lines(both);
  std::size_t b_first = all.size();
  std::size_t a_delete = all.size();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].starts_with("B| ") && b_first == all.size()) b_first = i;
    if (all[i].find("IKEv2 INFO transmit") != std::string::npos) a_delete = i;
  }
  CHECK(b_first < a_delete);
}

TEST_CASE("with_message_ids: each peer's first request gets the ID asked for, responses follow",
          "[trace][styles]") {
  const auto records = synthetic::normal_rekey();  // A's requests 5 and 6, B answers them
  LogContext c;
  c.first_message_id[0] = 0x344;
  const auto shifted = with_message_ids(records, c);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.kind != models::TraceKind::kMessageSent && r.kind != models::TraceKind::kMessageReceived)
      continue;
    CHECK(shifted[i].message.message_id == r.message.message_id - 5 + 0x344);
  }
  LogContext none;
  const auto same = with_message_ids(records, none);
  for (std::size_t i = 0; i < records.size(); ++i) {
    CHECK(same[i].message.message_id == records[i].message.message_id);
  }
  c.only_peer = models::PeerId::kA;
  CHECK(render_log(records, LogStyle::kPanos, c).find("message_id: 0x00000345") !=
        std::string::npos);
}

TEST_CASE("first_message_id shifts the counter of one IKE SA, never one whose creation is shown",
          "[trace][styles]") {
  // RFC 7296 2.2: Message IDs count per IKE SA, and a new IKE SA (IKE_SA_INIT,
  // or an IKE rekey, 2.18) numbers from 0. The shift used to move every
  // message of the peer, so after an IKE rekey the new IKE SA's requests went
  // on from the log's numbers where a device starts again at 0.
  using synthetic::PeerId;
  using synthetic::ProtocolId;
  constexpr std::uint64_t kOld = 0x1111222233334444ull;  // synthetic's IKE SA
  constexpr std::uint64_t kNew = 0x5555666677778888ull;
  synthetic::TraceWriter w(sim::seconds(10));
  w.send(PeerId::kA, synthetic::informational(5, false, 0));
  w.after(synthetic::kOneWay).send(PeerId::kB, synthetic::informational(5, true, 0));
  models::Message ike_rekey;
  ike_rekey.exchange = models::ExchangeType::kCreateChildSa;
  ike_rekey.message_id = 6;
  ike_rekey.ike_sa = kOld;
  ike_rekey.sa_protocol = ProtocolId::kIke;
  ike_rekey.sa_spi = kNew;
  w.after(sim::seconds(1)).send(PeerId::kA, ike_rekey);
  models::Message on_new = synthetic::informational(0, false, 0);
  on_new.ike_sa = kNew;
  w.after(sim::seconds(1)).send(PeerId::kA, on_new);
  on_new.message_id = 1;
  w.after(sim::seconds(1)).send(PeerId::kA, on_new);
  // B's own first request is on the new IKE SA only: nothing of B's to shift.
  on_new.message_id = 0;
  w.after(sim::seconds(1)).send(PeerId::kB, on_new);
  LogContext c;
  c.first_message_id[0] = 0x344;
  c.first_message_id[1] = 0x99;
  const auto& records = w.records();
  const auto shifted = with_message_ids(records, c);
  REQUIRE(shifted.size() == 6);
  CHECK(shifted[0].message.message_id == 0x344);  // A's request on the old IKE SA
  CHECK(shifted[1].message.message_id == 0x344);  // B's answer numbered by A
  CHECK(shifted[2].message.message_id == 0x345);  // the IKE rekey, still on the old one
  CHECK(shifted[3].message.message_id == 0);      // the new IKE SA numbers from 0
  CHECK(shifted[4].message.message_id == 1);
  CHECK(shifted[5].message.message_id == 0);  // B's counter on the new IKE SA
  const MessageIdShift s = message_id_shift(records, c);
  CHECK(s.ike_sa[0] == kOld);
  CHECK(s.by[1] == 0);

  // A window that starts with the IKE SA's own IKE_SA_INIT shows its whole
  // history: IDs 0 and 1 as RFC 7296 1.2 has them, whatever was asked.
  synthetic::TraceWriter fresh(sim::seconds(0));
  models::Message init;
  init.exchange = models::ExchangeType::kIkeSaInit;
  init.ike_sa = kNew;
  init.sa_protocol = ProtocolId::kIke;
  init.sa_spi = kNew;
  fresh.send(PeerId::kA, init);
  models::Message auth = init;
  auth.exchange = models::ExchangeType::kIkeAuth;
  auth.message_id = 1;
  fresh.after(sim::seconds(1)).send(PeerId::kA, auth);
  const auto kept = with_message_ids(fresh.records(), c);
  CHECK(kept[0].message.message_id == 0);
  CHECK(kept[1].message.message_id == 1);
}

TEST_CASE("find_all: an episode counts once, --first rekey finds only a rekey without trouble",
          "[trace][styles]") {
  const auto normal = synthetic::normal_rekey();
  CHECK(find_all(normal, EpisodeFilter::kRekey).size() == 1);
  CHECK(find_first(normal, EpisodeFilter::kRekey) == normal.front().time);
  CHECK(find_all(normal, EpisodeFilter::kCollision).empty());
  const auto sim = synthetic::simultaneous_rekey();
  CHECK(find_all(sim, EpisodeFilter::kRekey).empty());
  // Both peers detect the one collision: one episode.
  CHECK(find_all(sim, EpisodeFilter::kCollision).size() == 1);
  // Two rekeys an hour apart are two episodes; --nth 2 is the second.
  auto two = normal;
  for (auto r : normal) {
    r.time = r.time + sim::hours(1);
    two.push_back(r);
  }
  CHECK(find_all(two, EpisodeFilter::kRekey).size() == 2);
  CHECK(find_nth(two, EpisodeFilter::kRekey, 2) == normal.front().time + sim::hours(1));
  CHECK_FALSE(find_nth(two, EpisodeFilter::kRekey, 3));
  CHECK_FALSE(find_nth(two, EpisodeFilter::kRekey, 0));
}

TEST_CASE("style names: every style parses back from its name", "[trace][styles]") {
  for (std::string_view n : log_style_names()) {
    const auto s = parse_log_style(n);
    REQUIRE(s);
    CHECK(to_string(*s) == n);
  }
  CHECK_FALSE(parse_log_style("auto"));  // resolved by the caller from the profiles
  CHECK(parse_episode_filter("rekey") == EpisodeFilter::kRekey);
}

TEST_CASE("strongSwan 6 view: a normal rekey says it rekeyed and delays closing the old inbound SA",
          "[trace][styles]") {
  LogContext c;
  c.only_peer = models::PeerId::kB;
  const std::string b = render_log(synthetic::normal_rekey(), LogStyle::kStrongswan6, c);
  CHECK(b.find("<conn|1> rekeyed CHILD_SA net{1} with SPIs c0000002_i c0000001_o with net{2} "
               "with SPIs b2b2b2b2_i a1a1a1a1_o\n") != std::string::npos);
  CHECK(b.find("<conn|1> delay closing of inbound CHILD_SA net{1} for 5s\n") != std::string::npos);
  // 5.9 prints neither.
  const std::string old = render_log(synthetic::normal_rekey(), LogStyle::kStrongswan, c);
  CHECK(old.find("rekeyed CHILD_SA") == std::string::npos);
  CHECK(old.find("delay closing") == std::string::npos);
}

TEST_CASE("Cisco ASA view: the KB incident's SA changes as PFKEY debug and 602303/602304 syslog",
          "[trace][styles]") {
  LogContext c;
  c.only_peer = models::PeerId::kB;
  c.inferred_lines = false;
  const std::string b = render_log(synthetic::normal_rekey(), LogStyle::kCiscoAsa, c);
  CHECK(b.find("IKEv2-PLAT-4: Received PFKEY update SA for SPI 0xB2B2B2B2, error FALSE\n") !=
        std::string::npos);
  CHECK(b.find("%ASA-6-602303: IPSEC: An inbound LAN-to-LAN SA (SPI= 0xB2B2B2B2) between "
               "198.51.100.2 and 192.0.2.1 (user= 192.0.2.1) has been created.\n") !=
        std::string::npos);
  CHECK(b.find("%ASA-6-602304: IPSEC: An inbound LAN-to-LAN SA (SPI= 0xC0000002)") !=
        std::string::npos);
  CHECK(b.find("SENT PKT") == std::string::npos);  // inferred: off here
  c.syslog_wrap = "FTD";
  const std::string ftd = render_log(synthetic::normal_rekey(), LogStyle::kCiscoAsa, c);
  CHECK(ftd.find(": %FTD-7-711001: IKEv2-PLAT-5: RECV PKT [CREATE_CHILD_SA] [192.0.2.1]:4500->"
                 "[198.51.100.2]:4500") != std::string::npos);
  CHECK(ftd.find("%FTD-6-602303") != std::string::npos);
}
