// strongSwan charon lines -> TraceRecords. Shapes: the file logger with or
// without a date ("Jul  6 03:32:18.287 09[IKE] <conn|1> msg" as
// tools/trace/log_strongswan.cpp writes it, "16:34:18.980 16[IKE] msg" as the
// real 5.9.8 logs in tests/cli/data have it); messages are the 5.9.14 and
// 6.0 format strings of src/libcharon (see tools/trace/README.md).
#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <utility>
#include <vector>

#include "tools/ingest/readers.hpp"

namespace rekeysim::ingest::detail {

namespace {

using models::CollisionKind;
using models::ExchangeType;
using models::TraceKind;
using models::TraceRecord;

const std::regex& prefix_re() {
  static const std::regex re(
      R"(^(?:[A-Z][a-z]{2} +(\d{1,2}) )?(\d\d):(\d\d):(\d\d)(?:\.(\d{3,6}))? (?:\S+ charon(?:-systemd)?(?:\[\d+\])?: (?:\d\d\[[A-Z]{3}\] )?|\d\d\[[A-Z]{3}\] )(?:<[^>]*> )?(.*)$)");
  return re;
}

class StrongswanReader : public LineReader {
 public:
  explicit StrongswanReader(models::PeerId peer) : peer_(peer) {}

  bool looks_like(const std::string& line) const override {
    return std::regex_match(line, prefix_re());
  }

  LineUse read(const std::string& line, IngestResult& out) override {
    std::smatch m;
    if (!std::regex_match(line, m, prefix_re())) return LineUse::kUnusable;
    // Month and day when the line has them (a month boundary is found by the
    // long-log test: by day of month alone 1 Aug came before 31 Jul); without
    // a date, days are counted by the clock going backwards (LogClock).
    std::string frac = m[5].matched ? m[5].str() : "0";
    const auto t = clock_.at(m[1].matched ? month_number(line.substr(0, 3)) : 0,
                             m[1].matched ? std::stoi(m[1]) : 0, std::stoi(m[2]), std::stoi(m[3]),
                             std::stoi(m[4]), fraction_us(frac));
    if (!t) return LineUse::kUnusable;
    if (!out.clock_reading_us) out.clock_reading_us = clock_.first_reading_us();
    note_rollovers(out, clock_);
    now_ = *t;
    return message(m[6].str(), out);
  }

 private:
  TraceRecord& add(IngestResult& out, TraceKind kind) {
    TraceRecord r;
    r.time = now_;
    r.peer = peer_;
    r.kind = kind;
    out.records.push_back(r);
    return out.records.back();
  }

  LineUse message(const std::string& text, IngestResult& out) {
    static const std::regex msg(
        R"((generating|parsed) (\w+) (request|response) (\d{1,10}) \[(.*)\])");
    static const std::regex established(
        R"((inbound |outbound )?CHILD_SA \S+\{(\d+)\} established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o .*)");
    static const std::regex closing(
        R"(closing (expired )?CHILD_SA \S+\{\d+\} with SPIs ([0-9a-f]{8})_i.* ([0-9a-f]{8})_o.*)");
    static const std::regex del(
        R"((received|sending) DELETE for (unknown )?ESP CHILD_SA with SPI ([0-9a-f]{8}))");
    static const std::regex retransmit(R"(retransmit (\d+) of request with message ID (\d{1,10}))");
    static const std::regex unable(
        R"(unable to rekey, ESP CHILD_SA with SPI ([0-9a-f]{1,8}) not found)");
    std::smatch m;
    if (std::regex_match(text, m, msg)) {
      const auto exch = exchange_named(m[2].str());
      if (!exch) return LineUse::kSkipped;
      TraceRecord& r =
          add(out, m[1] == "generating" ? TraceKind::kMessageSent : TraceKind::kMessageReceived);
      models::Message& mm = r.message;
      mm.exchange = *exch;
      mm.is_response = m[3] == "response";
      mm.message_id = static_cast<std::uint32_t>(std::stoul(m[4]));
      const std::string payloads = " " + m[5].str() + " ";
      mm.has_ts = payloads.find(" TSi ") != std::string::npos;
      mm.has_nonce = payloads.find(" No ") != std::string::npos;
      mm.has_ke = payloads.find(" KE ") != std::string::npos;
      if (payloads.find(" SA ") != std::string::npos)
        mm.sa_protocol = mm.has_ts ? models::ProtocolId::kEsp : models::ProtocolId::kIke;
      if (payloads.find("N(REKEY_SA)") != std::string::npos)
        mm.notify = models::NotifyType::kRekeySa;
      if (payloads.find("N(TEMP_FAIL)") != std::string::npos)
        mm.notify = models::NotifyType::kTemporaryFailure;
      if (payloads.find("N(NO_CHILD_SA)") != std::string::npos)
        mm.notify = models::NotifyType::kChildSaNotFound;
      if (payloads.find(" D ") != std::string::npos) mm.delete_protocol = models::ProtocolId::kEsp;
      // A sent DELETE's SPIs were logged just before its "generating" line.
      // REKEY_SA names the rekeyed SA by the sender's inbound SPI (RFC 7296
      // 1.3.3); charon logs which SA it rekeys before the request ("creating
      // rekey job for CHILD_SA ESP/0x<in>/..", "net{N} state change: INSTALLED
      // => REKEYING"), else it is the newest SA, the one a peer rekeys.
      if (mm.notify == models::NotifyType::kRekeySa && !mm.is_response) {
        if (m[1] == "generating") {
          mm.notify_spi = rekeying_.value_or(live_.empty() ? 0 : live_.back().first);
          rekeying_.reset();
        } else {
          mm.notify_spi = live_.empty() ? 0 : live_.back().second;
        }
      }
      if (m[1] == "generating" && mm.delete_protocol != models::ProtocolId::kNone) {
        for (std::uint32_t spi : pending_delete_) {
          if (mm.delete_count < models::Message::kMaxDeleteSpis)
            mm.delete_spis[mm.delete_count++] = spi;
        }
      }
      pending_delete_.clear();
      last_message_ = out.records.size() - 1;
      // Our own DELETE in flight: a rekey request for the SA answered with
      // TEMPORARY_FAILURE is a rekey/delete collision (RFC 7296 2.25.1),
      // which 6.x answers without a collision line of its own.
      const bool esp_delete = mm.exchange == ExchangeType::kInformational &&
                              mm.delete_protocol != models::ProtocolId::kNone;
      if (m[1] == "generating" && !mm.is_response && esp_delete) delete_in_flight_ = mm.message_id;
      if (m[1] == "parsed" && mm.is_response && delete_in_flight_ == mm.message_id &&
          mm.exchange == ExchangeType::kInformational)
        delete_in_flight_.reset();
      if (m[1] == "generating" && mm.is_response && mm.exchange == ExchangeType::kCreateChildSa &&
          mm.notify == models::NotifyType::kTemporaryFailure && delete_in_flight_ &&
          !collision_logged_) {
        add(out, TraceKind::kCollisionDetected).collision = CollisionKind::kRekeyVsDelete;
      }
      collision_logged_ = false;
      return LineUse::kUsed;
    }
    if (std::regex_match(text, m, established)) {
      const auto in = parse_spi(m[3].str());
      const auto o = parse_spi(m[4].str());
      if (m[1] != "outbound ") live_.push_back({*in, *o});
      if (m[1] != "outbound ") {
        TraceRecord& r = add(out, TraceKind::kChildSaInstalled);
        r.spi_in = *in;
        r.spi_out = *o;
      }
      if (m[1] != "inbound ") {
        TraceRecord& r = add(out, TraceKind::kOutboundSwitched);
        r.spi_in = *in;
        r.spi_out = *o;
        // A collision won: the SA sent on until now stops carrying traffic
        // (child_rekey.c remove_outbound(), "deleting SAD entry" at DBG2 only),
        // also when the peer's DELETE of the old SA had moved us onto the
        // peer's own, redundant SA, which then stays until deleted.
        if (std::exchange(won_, false) && sending_ && sending_->first != *in &&
            std::ranges::find(live_, *sending_) != live_.end()) {
          TraceRecord& gone = add(out, TraceKind::kOutboundRemoved);
          gone.spi_in = sending_->first;
          gone.spi_out = sending_->second;
        }
        sending_ = std::pair{*in, *o};
      }
      return LineUse::kUsed;
    }
    if (std::regex_match(text, m, closing)) {
      TraceRecord& r =
          add(out, m[1].matched ? TraceKind::kHardExpired : TraceKind::kChildSaDeleted);
      r.spi_in = *parse_spi(m[2].str());
      r.spi_out = *parse_spi(m[3].str());
      std::erase_if(live_, [&](const auto& sa) { return sa.first == r.spi_in; });
      if (sending_ && sending_->first == r.spi_in) sending_.reset();
      return LineUse::kUsed;
    }
    if (std::regex_match(text, m, del)) {
      const std::uint32_t spi = *parse_spi(m[3].str());
      if (m[2].matched) {
        add(out, TraceKind::kDeleteForUnknownSpi).spi_in = spi;
        return LineUse::kUsed;
      }
      // The SPIs of a DELETE are logged next to its message line (before
      // "generating" when sending, after "parsed" when receiving).
      if (m[1] == "sending") {
        pending_delete_.push_back(spi);
        return LineUse::kUsed;
      }
      if (last_message_) {
        models::Message& mm = out.records[*last_message_].message;
        if (mm.delete_count < models::Message::kMaxDeleteSpis)
          mm.delete_spis[mm.delete_count++] = spi;
      }
      return LineUse::kUsed;
    }
    static const std::regex rekey_job(
        R"(creating rekey job for CHILD_SA ESP/0x([0-9a-f]{1,8})/.*)");
    if (std::regex_match(text, m, rekey_job)) {
      rekeying_ = parse_spi(m[1].str());
      return LineUse::kUsed;
    }
    if (std::regex_match(text, m, retransmit)) {
      TraceRecord& r = add(out, TraceKind::kRetransmit);
      r.message.message_id = static_cast<std::uint32_t>(std::stoul(m[2]));
      return LineUse::kUsed;
    }
    if (std::regex_match(text, m, unable)) {
      add(out, TraceKind::kRekeyForUnknownSpi).spi_in = *parse_spi(m[1].str());
      return LineUse::kUsed;
    }
    if (text.starts_with("establishing CHILD_SA ") && text.find(" reqid ") != std::string::npos) {
      add(out, TraceKind::kRekeyStarted);  // the SA rekeyed is named by the request's REKEY_SA
      return LineUse::kUsed;
    }
    if (text.starts_with("detected CHILD_REKEY collision with CHILD_REKEY") ||
        text.starts_with("detected rekey collision for CHILD_SA")) {
      add(out, TraceKind::kCollisionDetected).collision = CollisionKind::kSimultaneousChildRekey;
      return LineUse::kUsed;
    }
    if (text.starts_with("detected CHILD_REKEY collision with CHILD_DELETE")) {
      add(out, TraceKind::kCollisionDetected).collision = CollisionKind::kRekeyVsDelete;
      collision_logged_ = true;
      return LineUse::kUsed;
    }
    if (text.starts_with("detected IKE_REKEY collision with IKE_REKEY")) {
      TraceRecord& r = add(out, TraceKind::kCollisionDetected);
      r.collision = CollisionKind::kSimultaneousIkeRekey;
      r.sa_kind = models::SaKind::kIke;
      return LineUse::kUsed;
    }
    if (text.starts_with("CHILD_SA rekey collision won") ||
        text.starts_with("CHILD_SA rekey collision lost") ||
        text.starts_with("CHILD_SA rekey/delete collision")) {
      TraceRecord& r = add(out, TraceKind::kCollisionResolved);
      r.won = text.starts_with("CHILD_SA rekey collision won");
      won_ = r.won;
      r.collision = text.starts_with("CHILD_SA rekey/delete")
                        ? CollisionKind::kRekeyVsDelete
                        : CollisionKind::kSimultaneousChildRekey;
      return LineUse::kUsed;
    }
    return LineUse::kSkipped;
  }

  void rebase(std::size_t n) override { rebase_index(last_message_, n); }

 private:
  models::PeerId peer_;
  LogClock clock_;
  sim::SimTime now_{};
  std::optional<std::size_t> last_message_;
  std::vector<std::uint32_t> pending_delete_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> live_;  // Child SAs (in, out), oldest first
  std::optional<std::pair<std::uint32_t, std::uint32_t>> sending_;  // the SA sent on
  bool won_ = false;  // a "CHILD_SA rekey collision won" line since the last outbound switch
  std::optional<std::uint32_t> rekeying_;
  std::optional<std::uint32_t> delete_in_flight_;  // message ID of our DELETE request
  bool collision_logged_ =
      false;  // since the last message line                      // inbound SPI charon rekeys next
};

}  // namespace

std::unique_ptr<LineReader> make_strongswan_reader(models::PeerId peer) {
  return std::make_unique<StrongswanReader>(peer);
}

}  // namespace rekeysim::ingest::detail
