// strongSwan charon file-logger shapes, with time_format "%b %e %T",
// milliseconds and ike_name=yes:
//   "Jul  6 03:32:18.287 09[IKE] <conn|1> <message>"
// Two wordings share this writer because the logger and almost every
// message are the same in both versions:
//  - 5.9.x (style "strongswan"): format strings of strongSwan 5.9.14
//    src/libcharon, as in the real 5.9.8 logs the strongswan-5.9 profile was
//    checked against (file:line in README.md).
//  - 6.x (style "strongswan-6"): strongSwan 6.0 rewrote Child SA collision
//    handling; the differing messages follow src/libcharon/sa/ikev2/tasks/
//    child_rekey.c and child_delete.c of
//    https://github.com/strongswan/strongswan (commit 3b902ea59b, 6.0.6-23):
//    "detected rekey collision for CHILD_SA n{u}", "rekeyed CHILD_SA ... with
//    ...", "closing CHILD_SA ... we tried to rekey because the peer started to
//    delete it before receiving our request", "delay closing of inbound
//    CHILD_SA n{u} for 5s", "peer didn't find CHILD_SA n{u} we tried to rekey,
//    create a replacement", "received TEMPORARY_FAILURE notify", "abort
//    active rekeying for CHILD_SA n{u} because the peer successfully rekeyed
//    it before receiving our request[, waiting for delete]".
// CHILD_SA unique ids {n} are assigned per peer in order of first
// appearance, as charon does; worker thread numbers are a deterministic
// stand-in (a new "job" at each received message or new instant).
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "tools/trace/format_common.hpp"
#include "tools/trace/log_styles.hpp"

namespace rekeysim::trace::detail {

namespace {

using models::CollisionKind;
using models::ExchangeType;
using models::NotifyType;
using models::PeerId;
using models::ProtocolId;
using models::TraceKind;
using models::TraceRecord;

const char* short_notify(NotifyType n) {
  // encoding/payloads/notify_payload.c short names.
  switch (n) {
    case NotifyType::kRekeySa:
      return "REKEY_SA";
    case NotifyType::kTemporaryFailure:
      return "TEMP_FAIL";
    case NotifyType::kChildSaNotFound:
      return "NO_CHILD_SA";
    case NotifyType::kNoProposalChosen:
      return "NO_PROP";
    case NotifyType::kInvalidKePayload:
      return "INVAL_KE";
    case NotifyType::kNoAdditionalSas:
      return "NO_ADD_SAS";
    case NotifyType::kNone:
      return "";
  }
  return "";
}

class StrongswanWriter {
 public:
  StrongswanWriter(std::span<const TraceRecord> records, const LogContext& c, bool v6)
      : records_(records), c_(c), v6_(v6) {
    for (auto& p : peers_) {
      p.next_child_uid = c.first_child_unique_id;
      p.ike_uid = c.ike_sa_unique_id;
    }
  }

  std::vector<LogLine> run() {
    // SPI pairs known anywhere in the trace, so a CHILD_SA named first by one
    // half (a DELETE we send) is still printed with both SPIs.
    for (const TraceRecord& r : records_) {
      auto& pairs = pairs_[static_cast<std::size_t>(r.peer)];
      if (r.spi_in != 0 && r.spi_out != 0) pairs[r.spi_in] = r.spi_out;
      if (r.new_spi_in != 0 && r.new_spi_out != 0) pairs[r.new_spi_in] = r.new_spi_out;
    }
    for (std::size_t i = 0; i < records_.size(); ++i) write(i);
    return std::move(lines_);
  }

 private:
  struct ChildSa {
    std::uint32_t in = 0;
    std::uint32_t out = 0;
  };
  struct PeerState {
    int next_child_uid = 1;
    int pending_uid = 0;  // allocated by "establishing CHILD_SA", bound on send
    std::map<std::uint32_t, int> uid_by_in;
    std::map<std::uint32_t, int> uid_by_out;
    std::map<int, ChildSa> child;
    std::set<int> closed;
    int ike_uid = 1;
    std::map<std::uint64_t, int> ike_uid_by_spi;
    std::map<std::uint32_t, int> retransmits;  // message ID -> retransmissions so far
    int job = 0;
    bool has_time = false;
    sim::SimTime last_time{};
    bool saw_create_child = false;
    std::optional<sim::SimTime> temp_failure_at;        // last TEMPORARY_FAILURE received
    std::vector<std::uint32_t> peer_deleted_out;        // SPIs in the last DELETE received
    std::map<std::uint32_t, std::uint32_t> own_new_in;  // old inbound SPI -> SPI we proposed
  };

  PeerState& st(PeerId p) { return peers_[static_cast<std::size_t>(p)]; }

  // Finds or allocates the unique id of the Child SA with these SPIs.
  int uid(PeerId p, std::uint32_t in, std::uint32_t out) {
    PeerState& s = st(p);
    const auto& pairs = pairs_[static_cast<std::size_t>(p)];
    if (in != 0 && out == 0) {
      if (auto it = pairs.find(in); it != pairs.end()) out = it->second;
    } else if (in == 0 && out != 0) {
      for (const auto& [i, o] : pairs) {
        if (o == out) in = i;
      }
    }
    int id = 0;
    if (in != 0) {
      if (auto it = s.uid_by_in.find(in); it != s.uid_by_in.end()) id = it->second;
    }
    if (id == 0 && out != 0) {
      if (auto it = s.uid_by_out.find(out); it != s.uid_by_out.end()) id = it->second;
    }
    if (id == 0) id = s.next_child_uid++;
    ChildSa& sa = s.child[id];
    if (in != 0) {
      sa.in = in;
      s.uid_by_in[in] = id;
    }
    if (out != 0) {
      sa.out = out;
      s.uid_by_out[out] = id;
    }
    return id;
  }

  std::string child_name(int id) const { return c_.child_sa_name + "{" + std::to_string(id) + "}"; }
  std::string ike_name(int id) const { return c_.ike_sa_name + "[" + std::to_string(id) + "]"; }

  std::string ts(PeerId p) const {
    const PeerView v = peer_view(c_, p);
    return v.local_subnet + " === " + v.remote_subnet;
  }
  std::string hosts(PeerId p) const {
    const PeerView v = peer_view(c_, p);
    return v.local_address + "[" + v.local_address + "]..." + v.remote_address + "[" +
           v.remote_address + "]";
  }

  void line(const TraceRecord& r, const char* group, const std::string& text) {
    PeerState& s = st(r.peer);
    const CivilTime t = civil_time(r.time, c_.epoch_unix_seconds, c_.utc_offset_minutes);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%s %2d %02d:%02d:%02d.%03d %02d[%s] <%s|%d> ",
                  month_abbrev(t.month), t.day, t.hour, t.minute, t.second, t.millisecond,
                  s.job % 16 + 1, group, c_.ike_sa_name.c_str(), s.ike_uid);
    lines_.push_back({r.peer, static_cast<std::size_t>(&r - records_.data()), buf + text});
  }

  std::string payloads(const models::Message& m) const {
    std::string s = "[";
    auto add = [&](const char* p) {
      s += ' ';
      s += p;
    };
    std::string notify;
    if (m.notify != NotifyType::kNone) notify = std::string("N(") + short_notify(m.notify) + ")";
    if (!notify.empty()) add(notify.c_str());
    if (m.sa_protocol != ProtocolId::kNone) add("SA");
    if (m.has_nonce) add("No");
    if (c_.pfs && m.exchange == ExchangeType::kCreateChildSa && m.has_nonce &&
        (m.sa_protocol == ProtocolId::kIke || m.has_ts)) {
      add("KE");
    }
    if (m.has_ts) add("TSi TSr");
    if (m.delete_protocol != ProtocolId::kNone) add("D");
    return s + " ]";
  }

  std::string spis(int id) {
    const ChildSa& sa = st_child(id);
    return hex_lower(sa.in) + "_i " + hex_lower(sa.out) + "_o";
  }
  const ChildSa& st_child(int id) { return current_->child[id]; }

  void closing(const TraceRecord& r, int id, bool expired) {
    PeerState& s = st(r.peer);
    if (s.closed.contains(id)) return;
    s.closed.insert(id);
    const ChildSa& sa = s.child[id];
    if (expired) {
      line(r, "IKE",
           "closing expired CHILD_SA " + child_name(id) + " with SPIs " + hex_lower(sa.in) + "_i " +
               hex_lower(sa.out) + "_o and TS " + ts(r.peer));
    } else {
      // Byte counters are not simulated; charon prints them, rekeysim prints 0.
      line(r, "IKE",
           "closing CHILD_SA " + child_name(id) + " with SPIs " + hex_lower(sa.in) +
               "_i (0 bytes) " + hex_lower(sa.out) + "_o (0 bytes) and TS " + ts(r.peer));
    }
  }

  void write(std::size_t i) {
    const TraceRecord& r = records_[i];
    // Packets without an SA or lost to the link are the kernel's and the
    // network's: charon runs no job for them and logs nothing.
    if (r.kind == TraceKind::kEspNoSa || r.kind == TraceKind::kEspCleartext ||
        r.kind == TraceKind::kEspLinkDown)
      return;
    PeerState& s = st(r.peer);
    current_ = &s;
    current_peer_ = r.peer;
    // A new worker job for each message processed and each new instant.
    if (!s.has_time || r.time != s.last_time || r.kind == TraceKind::kMessageReceived) {
      if (s.has_time) ++s.job;
      s.has_time = true;
      s.last_time = r.time;
    }
    const models::Message& m = r.message;
    switch (r.kind) {
      case TraceKind::kRekeyStarted:
        if (r.sa_kind != models::SaKind::kChild) break;
        uid(r.peer, r.spi_in, r.spi_out);  // the old SA gets its id before the new one
        s.pending_uid = s.next_child_uid++;
        line(r, "IKE", "establishing CHILD_SA " + child_name(s.pending_uid) + " reqid 1");
        break;
      case TraceKind::kMessageSent: {
        if (m.exchange == ExchangeType::kCreateChildSa) s.saw_create_child = true;
        if (is_child_rekey_request(m) && m.sa_protocol == ProtocolId::kEsp) {
          s.own_new_in[m.notify_spi] = static_cast<std::uint32_t>(m.sa_spi);
        }
        if (is_child_rekey_request(m) && m.sa_protocol == ProtocolId::kEsp && s.pending_uid != 0) {
          const auto spi = static_cast<std::uint32_t>(m.sa_spi);
          s.uid_by_in[spi] = s.pending_uid;
          s.child[s.pending_uid].in = spi;
          s.pending_uid = 0;
        }
        if (m.delete_protocol == ProtocolId::kEsp) {
          // charon closes the CHILD_SA, then sends DELETE with its inbound SPI.
          for (int k = 0; k < m.delete_count && k < models::Message::kMaxDeleteSpis; ++k) {
            const std::uint32_t spi = m.delete_spis[static_cast<std::size_t>(k)];
            closing(r, uid_for_own_delete(s, m, k, spi), false);
            line(r, "IKE", "sending DELETE for ESP CHILD_SA with SPI " + hex_lower(spi));
          }
        } else if (m.delete_protocol == ProtocolId::kIke) {
          line(r, "IKE", "sending DELETE for IKE_SA " + ike_name(ike_uid_of(s, m.ike_sa)));
        }
        line(r, "ENC",
             "generating " + std::string{models::to_string(m.exchange)} +
                 (m.is_response ? " response " : " request ") + std::to_string(m.message_id) + " " +
                 payloads(m));
        break;
      }
      case TraceKind::kMessageReceived: {
        if (m.exchange == ExchangeType::kCreateChildSa) s.saw_create_child = true;
        line(r, "ENC",
             "parsed " + std::string{models::to_string(m.exchange)} +
                 (m.is_response ? " response " : " request ") + std::to_string(m.message_id) + " " +
                 payloads(m));
        if (m.is_response) s.retransmits.erase(m.message_id);
        if (is_child_rekey_request(m)) uid(r.peer, 0, m.notify_spi);  // the SA it replaces
        s.peer_deleted_out.clear();
        if (m.delete_protocol == ProtocolId::kEsp) {
          for (int k = 0; k < m.delete_count && k < models::Message::kMaxDeleteSpis; ++k) {
            s.peer_deleted_out.push_back(m.delete_spis[static_cast<std::size_t>(k)]);
          }
          for (int k = 0; k < m.delete_count && k < models::Message::kMaxDeleteSpis; ++k) {
            const std::uint32_t spi = m.delete_spis[static_cast<std::size_t>(k)];
            // An unknown SPI is logged by its own record (kDeleteForUnknownSpi).
            if (same_time_follows(records_, i, TraceKind::kDeleteForUnknownSpi, spi)) continue;
            line(r, "IKE", "received DELETE for ESP CHILD_SA with SPI " + hex_lower(spi));
          }
        } else if (m.delete_protocol == ProtocolId::kIke) {
          line(r, "IKE", "received DELETE for IKE_SA " + ike_name(ike_uid_of(s, m.ike_sa)));
        }
        break;
      }
      case TraceKind::kChildSaInstalled: {
        int id = 0;
        if (auto it = s.uid_by_in.find(r.spi_in); it != s.uid_by_in.end()) id = it->second;
        if (id == 0 && s.pending_uid != 0) {
          id = s.pending_uid;
          s.pending_uid = 0;
        }
        if (id != 0) {
          s.uid_by_in[r.spi_in] = id;
          s.uid_by_out[r.spi_out] = id;
          s.child[id] = {r.spi_in, r.spi_out};
        } else {
          id = uid(r.peer, r.spi_in, r.spi_out);
        }
        // An SA set up outside CREATE_CHILD_SA (IKE_AUTH) is installed in both
        // directions at once and logged once (child_create.c "%sCHILD_SA").
        const bool both = !s.saw_create_child && switch_follows(i, r.spi_out);
        if (both) skip_switch_.insert({static_cast<int>(r.peer), r.spi_out});
        line(r, "IKE",
             std::string(both ? "" : "inbound ") + "CHILD_SA " + child_name(id) +
                 " established with SPIs " + spis(id) + " and TS " + ts(r.peer));
        break;
      }
      case TraceKind::kOutboundSwitched: {
        if (skip_switch_.erase({static_cast<int>(r.peer), r.spi_out}) > 0) break;
        const int id = uid(r.peer, r.spi_in, r.spi_out);
        line(r, "IKE",
             "outbound CHILD_SA " + child_name(id) + " established with SPIs " + spis(id) +
                 " and TS " + ts(r.peer));
        break;
      }
      case TraceKind::kOutboundRemoved: {
        const int id = uid(r.peer, r.spi_in, r.spi_out);
        // DBG2: not in a default-level log, so only with LogContext::inferred_lines.
        if (c_.inferred_lines)
          line(r, "KNL", "deleting SAD entry with SPI " + hex_lower(r.spi_out));
        // 6.x child_delete.c: a rekeyed SA's inbound half outlives its
        // outbound half by delete_rekeyed_delay (5 s), and says so.
        if (const auto later = inbound_removed_after(i); v6_ && later) {
          line(r, "IKE",
               "delay closing of inbound CHILD_SA " + child_name(id) + " for " +
                   std::to_string((*later - r.time).ns() / 1'000'000'000) + "s");
        }
        break;
      }
      case TraceKind::kRekeyCompleted: {
        // Learn both pairs so later lines name the right CHILD_SA.
        const int old_id = uid(r.peer, r.spi_in, r.spi_out);
        const int new_id = uid(r.peer, r.new_spi_in, r.new_spi_out);
        if (v6_) {  // 6.x child_rekey.c, DBG0
          line(r, "IKE",
               "rekeyed CHILD_SA " + child_name(old_id) + " with SPIs " + spis(old_id) + " with " +
                   child_name(new_id) + " with SPIs " + spis(new_id));
        }
        break;
      }
      case TraceKind::kInboundRemoved: {
        uid(r.peer, r.spi_in, 0);
        if (c_.inferred_lines) line(r, "KNL", "deleting SAD entry with SPI " + hex_lower(r.spi_in));
        break;
      }
      case TraceKind::kChildSaDeleted:
        closing(r, uid(r.peer, r.spi_in, r.spi_out), false);
        break;
      case TraceKind::kHardExpired:
        if (r.sa_kind == models::SaKind::kChild) closing(r, uid(r.peer, r.spi_in, r.spi_out), true);
        break;
      case TraceKind::kCollisionDetected: {
        // 5.x names the colliding tasks (sa/task.c), child_rekey.c:599 / ike_rekey.c:434.
        const char* what = nullptr;
        switch (r.collision) {
          case CollisionKind::kSimultaneousChildRekey:
            what = "CHILD_REKEY collision with CHILD_REKEY";
            break;
          case CollisionKind::kRekeyVsDelete:
            what = "CHILD_REKEY collision with CHILD_DELETE";
            break;
          case CollisionKind::kSimultaneousIkeRekey:
            what = "IKE_REKEY collision with IKE_REKEY";
            break;
          case CollisionKind::kChildVsIkeRekey:
            what = "CHILD_REKEY collision with IKE_REKEY";
            break;
          case CollisionKind::kDeleteVsIkeRekey:
            what = "IKE_REKEY collision with CHILD_DELETE";
            break;
          default:
            break;  // crossing DELETEs are not reported by charon
        }
        if (v6_ && r.sa_kind == models::SaKind::kChild) {
          // 6.x names the CHILD_SA, not the tasks; a rekey/delete collision is
          // only reported by its outcome.
          if (r.collision == CollisionKind::kSimultaneousChildRekey) {
            line(r, "IKE",
                 "detected rekey collision for CHILD_SA " +
                     child_name(uid(r.peer, r.spi_in, r.spi_out)));
          }
          break;
        }
        if (what != nullptr) line(r, "IKE", std::string("detected ") + what);
        break;
      }
      case TraceKind::kCollisionResolved: {
        if (r.collision == CollisionKind::kSimultaneousIkeRekey) {
          line(r, "IKE",
               r.won ? "IKE_SA rekey collision won, waiting for delete for redundant IKE_SA " +
                           ike_name(s.ike_uid + 1)
                     : "IKE_SA rekey collision lost, deleting redundant IKE_SA " +
                           ike_name(s.ike_uid + 1));
          break;
        }
        // 6.x: a TEMPORARY_FAILURE answering our rekey after the peer's
        // rekey of the same SA completed aborts ours and keeps the peer's
        // (child_rekey.c ignore_child_sa_failure()).
        if (v6_ && !r.won && r.collision != CollisionKind::kRekeyVsDelete &&
            s.temp_failure_at == r.time) {
          const int id = uid(r.peer, r.spi_in, r.spi_out);
          line(r, "IKE",
               "abort active rekeying for CHILD_SA " + child_name(id) +
                   " because the peer successfully rekeyed it before receiving our request" +
                   (s.closed.contains(id) ? "" : ", waiting for delete"));
          break;
        }
        // spi_in/out: the SA being rekeyed; new_spi_in/out: this peer's own new SA.
        if (r.won) {
          line(r, "IKE",
               "CHILD_SA rekey collision won, deleting old child " +
                   child_name(uid(r.peer, r.spi_in, r.spi_out)));
        } else {
          // The redundant child is the one this peer's own request created
          // (new_spi_in names the surviving SA, the peer's).
          if (v6_ && r.collision == CollisionKind::kRekeyVsDelete) {
            line(r, "IKE",
                 "closing CHILD_SA " + child_name(uid(r.peer, r.spi_in, r.spi_out)) +
                     " we tried to rekey because the peer started to delete it before "
                     "receiving our request");
            break;
          }
          int id = 0;
          if (auto it = s.own_new_in.find(r.spi_in); it != s.own_new_in.end()) {
            id = uid(r.peer, it->second, 0);
          } else {
            id = uid(r.peer, r.spi_in, r.spi_out);
          }
          line(r, "IKE",
               std::string(r.collision == CollisionKind::kRekeyVsDelete
                               ? "CHILD_SA rekey/delete collision"
                               : "CHILD_SA rekey collision lost") +
                   ", deleting redundant child " + child_name(id));
        }
        break;
      }
      case TraceKind::kDeleteForUnknownSpi:
        line(r, "IKE", "received DELETE for unknown ESP CHILD_SA with SPI " + hex_lower(r.spi_in));
        break;
      case TraceKind::kRekeyForUnknownSpi:
        line(r, "IKE",
             "unable to rekey, ESP CHILD_SA with SPI " + hex_lower(r.spi_in) + " not found");
        break;
      case TraceKind::kNotifyReceived:
        if (r.notify == NotifyType::kTemporaryFailure) {
          s.temp_failure_at = r.time;
          line(r, "IKE",
               v6_ ? "received TEMPORARY_FAILURE notify"
                   : "received TEMPORARY_FAILURE notify, will retry later");
        } else if (r.notify == NotifyType::kChildSaNotFound) {
          line(r, "IKE",
               v6_ ? "peer didn't find CHILD_SA " + child_name(uid(r.peer, r.spi_in, 0)) +
                         " we tried to rekey, create a replacement"
                   : std::string("peer didn't find the CHILD_SA we tried to rekey"));
        } else if (r.notify != NotifyType::kNone) {
          line(r, "IKE", "received " + std::string{models::to_string(r.notify)} + " notify");
        }
        break;
      case TraceKind::kRetransmit: {
        if (m.is_response) {  // a cached response re-sent (task_manager_v2.c)
          line(r, "IKE",
               "received retransmit of request with ID " + std::to_string(m.message_id) +
                   ", retransmitting response");
          break;
        }
        const int n = ++s.retransmits[m.message_id];
        line(r, "IKE",
             "retransmit " + std::to_string(n) + " of request with message ID " +
                 std::to_string(m.message_id));
        break;
      }
      case TraceKind::kTunnelDown: {
        int most = 0;
        for (const auto& [mid, n] : s.retransmits) most = std::max(most, n);
        if (most > 0) {
          line(r, "IKE", "giving up after " + std::to_string(most) + " retransmits");
        } else {
          line(r, "IKE", "deleting IKE_SA " + ike_name(s.ike_uid) + " between " + hosts(r.peer));
        }
        s.retransmits.clear();
        down_[static_cast<std::size_t>(r.peer)] = true;
        break;
      }
      case TraceKind::kTunnelUp:
        if (down_[static_cast<std::size_t>(r.peer)]) ++s.ike_uid;
        down_[static_cast<std::size_t>(r.peer)] = false;
        s.ike_uid_by_spi[r.ike_spi] = s.ike_uid;
        line(r, "IKE", "IKE_SA " + ike_name(s.ike_uid) + " established between " + hosts(r.peer));
        break;
      case TraceKind::kIkeSaRekeyed:
        s.ike_uid_by_spi.emplace(r.ike_spi, s.ike_uid);
        ++s.ike_uid;
        s.ike_uid_by_spi[r.new_ike_spi] = s.ike_uid;
        line(r, "IKE", "IKE_SA " + ike_name(s.ike_uid) + " rekeyed between " + hosts(r.peer));
        break;
      case TraceKind::kIkeSaDeleted:
        line(r, "IKE",
             "deleting IKE_SA " + ike_name(ike_uid_of(s, r.ike_spi)) + " between " + hosts(r.peer));
        break;
      default:
        break;  // charon does not log ESP drops (kernel XfrmInNoStates), losses, completions
    }
  }

  // The CHILD_SA a DELETE we send names by our inbound SPI. If that SPI was
  // never seen, it is the pair of the SA the peer's DELETE we are answering
  // named by our outbound SPI.
  int uid_for_own_delete(PeerState& s, const models::Message& m, int k, std::uint32_t spi) {
    if (auto it = s.uid_by_in.find(spi); it != s.uid_by_in.end()) return it->second;
    const auto idx = static_cast<std::size_t>(k);
    if (m.is_response && idx < s.peer_deleted_out.size()) {
      if (auto it = s.uid_by_out.find(s.peer_deleted_out[idx]); it != s.uid_by_out.end()) {
        s.uid_by_in[spi] = it->second;
        s.child[it->second].in = spi;
        return it->second;
      }
    }
    return uid(current_peer_, spi, 0);
  }

  int ike_uid_of(const PeerState& s, std::uint64_t spi) const {
    auto it = s.ike_uid_by_spi.find(spi);
    return it == s.ike_uid_by_spi.end() ? s.ike_uid : it->second;
  }

  // Time of a later kInboundRemoved of the same SA as the kOutboundRemoved at i.
  std::optional<sim::SimTime> inbound_removed_after(std::size_t i) const {
    const TraceRecord& r = records_[i];
    for (std::size_t j = i + 1; j < records_.size(); ++j) {
      const TraceRecord& q = records_[j];
      if (q.peer == r.peer && q.kind == TraceKind::kInboundRemoved && q.spi_in == r.spi_in) {
        if (q.time == r.time) return std::nullopt;
        return q.time;
      }
    }
    return std::nullopt;
  }

  bool switch_follows(std::size_t i, std::uint32_t spi_out) const {
    const TraceRecord& r = records_[i];
    for (std::size_t j = i + 1; j < records_.size() && records_[j].time == r.time; ++j) {
      if (records_[j].peer == r.peer && records_[j].kind == TraceKind::kOutboundSwitched &&
          records_[j].spi_out == spi_out) {
        return true;
      }
    }
    return false;
  }

  std::span<const TraceRecord> records_;
  const LogContext& c_;
  bool v6_ = false;  // strongSwan 6.x wording
  std::vector<LogLine> lines_;
  PeerState peers_[2];
  std::map<std::uint32_t, std::uint32_t> pairs_[2];  // inbound SPI -> outbound SPI
  PeerState* current_ = nullptr;
  PeerId current_peer_ = PeerId::kA;
  std::set<std::pair<int, std::uint32_t>> skip_switch_;
  bool down_[2] = {false, false};
};

}  // namespace

std::vector<LogLine> strongswan_lines(std::span<const TraceRecord> records, const LogContext& c) {
  return StrongswanWriter(records, c, false).run();
}

std::vector<LogLine> strongswan6_lines(std::span<const TraceRecord> records, const LogContext& c) {
  return StrongswanWriter(records, c, true).run();
}

}  // namespace rekeysim::trace::detail
