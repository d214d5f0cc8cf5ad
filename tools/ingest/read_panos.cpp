// PAN-OS ikemgr.log lines -> TraceRecords. The shapes are the ones
// tools/trace/log_panos.cpp writes, from the 2025 KB sample
// (https://knowledgebase.paloaltonetworks.com/KCSArticleDetail?id=kA1Ki000000TNW8KAO):
//   "2025-07-06 03:32:18.287 -0400 [INFO]: { 7: }: <message>"
// plus the banner's un-prefixed continuation line "====> Deleted SA: ... <====".
#include <optional>
#include <regex>
#include <vector>

#include "sim/time.hpp"
#include "tools/ingest/readers.hpp"

namespace rekeysim::ingest::detail {

namespace {

using models::TraceKind;
using models::TraceRecord;

const std::regex& prefix_re() {
  static const std::regex re(
      R"(^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) ([+-])(\d\d)(\d\d) \[([A-Z]+)\]: \{\s*\d+\s*:\s*\d*\s*\}: (.*)$)");
  return re;
}

class PanosReader : public LineReader {
 public:
  explicit PanosReader(models::PeerId peer) : peer_(peer) {}

  bool looks_like(const std::string& line) const override {
    return std::regex_match(line, prefix_re());
  }

  LineUse read(const std::string& line, IngestResult& out) override {
    std::smatch m;
    if (!std::regex_match(line, m, prefix_re())) return continuation(line, out);
    banner_ = Banner::kNone;
    const std::int64_t days =
        sim::days_from_civil(std::stoll(m[1]), static_cast<unsigned>(std::stoi(m[2])),
                             static_cast<unsigned>(std::stoi(m[3])));
    const std::int64_t offset_min =
        (m[8] == "-" ? -1 : 1) * (std::stoll(m[9]) * 60 + std::stoll(m[10]));
    const std::int64_t ms = ((days * 86400 + std::stoll(m[4]) * 3600 + std::stoll(m[5]) * 60 +
                              std::stoll(m[6]) - offset_min * 60) *
                             1000) +
                            std::stoll(m[7]);
    if (first_ms_ && (ms - *first_ms_ > kMaxLogSpanSeconds * 1000 ||
                      *first_ms_ - ms > kMaxLogSpanSeconds * 1000))
      return LineUse::kUnusable;
    if (!first_ms_) {
      first_ms_ = ms;
      // The reading on the device's own clock, for aligning two logs, in UTC
      // (the line gives its zone): two logs stamped in different zones then
      // differ only by their clocks' difference.
      LogClock local;
      local.at(std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]), std::stoi(m[5]), std::stoi(m[6]),
               std::stoll(m[7]) * 1000);
      if (const auto reading = local.first_reading_us())
        out.clock_reading_us = *reading - offset_min * 60'000'000;
    }
    now_ = sim::milliseconds(ms - *first_ms_);
    return message(m[12].str(), out);
  }

  void rebase(std::size_t n) override {
    rebase_index(last_sent_, n);
    rebase_index(last_received_, n);
    for (auto& x : expiry_records_) rebase_index(x.record, n);
    std::erase_if(expiry_records_, [](const Expired& x) { return !x.record; });
  }

 private:
  enum class Banner { kNone, kDeleted, kInstalled };

  TraceRecord& add(IngestResult& out, TraceKind kind) {
    TraceRecord r;
    r.time = now_;
    r.peer = peer_;
    r.kind = kind;
    out.records.push_back(r);
    return out.records.back();
  }

  static std::optional<std::uint32_t> spi_after(const std::string& text, const std::string& key) {
    const auto p = text.find(key);
    if (p == std::string::npos) return std::nullopt;
    std::string v = text.substr(p + key.size());
    v = v.substr(0, v.find_first_of(" /,<"));
    return parse_spi(v);
  }

  LineUse message(const std::string& text, IngestResult& out) {
    static const std::regex transmit(
        R"(IKEv2 INFO transmit: gateway \S+, message_id: 0x([0-9a-fA-F]{1,8}), .*)");
    static const std::regex received(
        R"(received DELETE payload, protocol ESP, num of SPI: \d+ .*)");
    std::smatch m;
    if (text.starts_with("ikev2_request_initiator_start:")) {
      // "caller ikev2_child_delete": the next INFO transmit carries a DELETE.
      child_delete_next_ = text.find("caller ikev2_child_delete") != std::string::npos;
      return LineUse::kUsed;
    }
    if (std::regex_match(text, m, transmit)) {
      TraceRecord& r = add(out, TraceKind::kMessageSent);
      r.message.exchange = models::ExchangeType::kInformational;
      r.message.message_id = *parse_spi(m[1].str());
      // Which SA the DELETE is for ikemgr prints only in the "Deleted SA"
      // banner, written with the transmit when it deletes at once (the KB
      // sample; continuation() names the DELETE then). A device that waits
      // for the answer writes it seconds later among the banners of SAs the
      // peer deleted, and the log does not tell which is which: the DELETE
      // stays unnamed. Not the last soft-expired SA either: the loser of a
      // simultaneous rekey deletes its redundant new SA (RFC 7296 2.8.1)
      // after its own soft expiry; naming the expired one made a pair of
      // logs show crossings of DELETEs that never were (25 for 11).
      if (child_delete_next_) r.message.delete_protocol = models::ProtocolId::kEsp;
      child_delete_next_ = false;
      last_sent_ = out.records.size() - 1;
      return LineUse::kUsed;
    }
    if (std::regex_match(text, received)) {
      TraceRecord& r = add(out, TraceKind::kMessageReceived);
      r.message.exchange = models::ExchangeType::kInformational;
      r.message.message_id = kUnknownMessageId;
      r.message.delete_protocol = models::ProtocolId::kEsp;
      last_received_ = out.records.size() - 1;
      return LineUse::kUsed;
    }
    if (text.starts_with("delete proto ESP spi ")) {
      const auto spi = spi_after(text, "spi ");
      if (!spi || !last_received_) return LineUse::kUnusable;
      models::Message& msg = out.records[*last_received_].message;
      if (msg.delete_count < models::Message::kMaxDeleteSpis)
        msg.delete_spis[msg.delete_count++] = *spi;
      return LineUse::kUsed;
    }
    if (text.starts_with("can't find sa for proto ESP spi ")) {
      const auto spi = spi_after(text, "spi ");
      if (!spi) return LineUse::kUnusable;
      add(out, TraceKind::kDeleteForUnknownSpi).spi_in = *spi;
      return LineUse::kUsed;
    }
    if (text.starts_with("can't find corresponding child_sa for peer specified proto")) {
      const auto spi = spi_after(text, "spi ");
      if (!spi) return LineUse::kUnusable;
      add(out, TraceKind::kRekeyForUnknownSpi).spi_in = *spi;
      return LineUse::kUsed;
    }
    if (text.starts_with("SADB_DELETE ")) {
      const auto spi = spi_after(text, "ESP spi=");
      if (!spi) return LineUse::kUnusable;
      // After the DELETED banner, the inbound half of the SA just deleted.
      if (!deleted_in_ || *deleted_in_ != *spi) add(out, TraceKind::kInboundRemoved).spi_in = *spi;
      deleted_in_.reset();
      return LineUse::kUsed;
    }
    if (text.starts_with("received PFKEY_EXPIRE ")) {
      const auto spi = spi_after(text, " spi=");
      if (!spi) return LineUse::kUnusable;
      const bool hard = text.find("expired=2") != std::string::npos;
      add(out, hard ? TraceKind::kHardExpired : TraceKind::kRekeyStarted).spi_in = *spi;
      if (!hard) {
        std::erase_if(expiry_records_, [&](const Expired& x) { return x.spi == *spi; });
        expiry_records_.push_back({*spi, out.records.size() - 1});
        if (expiry_records_.size() > kMaxExpired) expiry_records_.erase(expiry_records_.begin());
      }
      return LineUse::kUsed;
    }
    if (text.find("====> IPSEC KEY DELETED;") != std::string::npos) {
      banner_ = Banner::kDeleted;
      return LineUse::kUsed;
    }
    if (text.find("====> IPSEC KEY INSTALLED;") != std::string::npos) {
      banner_ = Banner::kInstalled;
      return LineUse::kUsed;
    }
    if (text.starts_with("received DELETE IKE_SA")) {
      TraceRecord& r = add(out, TraceKind::kMessageReceived);
      r.message.exchange = models::ExchangeType::kInformational;
      r.message.message_id = kUnknownMessageId;
      r.message.delete_protocol = models::ProtocolId::kIke;
      return LineUse::kUsed;
    }
    if (text.starts_with("aborting IKEv2 SA")) {
      add(out, TraceKind::kTunnelDown);
      return LineUse::kUsed;
    }
    return LineUse::kSkipped;
  }

  // "====> Deleted SA: <l>[p]-<r>[p] SPI:0x<in>/0x<out> <====" after its banner.
  LineUse continuation(const std::string& line, IngestResult& out) {
    static const std::regex sa(R"(====> (Deleted|Installed) SA: \S+ SPI:(0x\w+)/(0x\w+).*<====)");
    std::smatch m;
    if (banner_ == Banner::kNone || !std::regex_match(line, m, sa)) return LineUse::kUnusable;
    const bool deleted = banner_ == Banner::kDeleted;
    banner_ = Banner::kNone;
    const auto in = parse_spi(m[2].str());
    const auto outb = parse_spi(m[3].str());
    if (!in || !outb) return LineUse::kUnusable;
    TraceRecord& r = add(out, deleted ? TraceKind::kChildSaDeleted : TraceKind::kChildSaInstalled);
    r.spi_in = *in;
    r.spi_out = *outb;
    if (deleted) {
      deleted_in_ = *in;
      // The DELETE just sent for this SA names its inbound SPI (RFC 7296
      // 3.11); PAN-OS logs the SPIs only in the banner after the transmit.
      if (last_sent_) {
        TraceRecord& sent = out.records[*last_sent_];
        if (sent.message.delete_protocol == models::ProtocolId::kEsp &&
            sent.message.delete_count == 0 && now_ == sent.time) {
          sent.message.delete_spis[0] = *in;
          sent.message.delete_count = 1;
        }
      }
      // The SA's soft expiry record gets its outbound SPI (kRekeyStarted
      // names both halves, as the simulator's does), so the SA's two halves
      // are known from its rekey on, before the DELETEs that name them.
      for (const Expired& x : expiry_records_) {
        if (x.spi == *in && x.record) out.records[*x.record].spi_out = *outb;
      }
      std::erase_if(expiry_records_, [&](const Expired& x) { return x.spi == *in; });
    }
    return LineUse::kUsed;
  }

  // A soft-expired SA (its inbound SPI) and the kRekeyStarted record that
  // says so, while held. Bounded: a tunnel has few SAs expiring at once.
  struct Expired {
    std::uint32_t spi;
    std::optional<std::size_t> record;
  };
  static constexpr std::size_t kMaxExpired = 16;

  models::PeerId peer_;
  std::vector<Expired> expiry_records_;  // until the SA's banner
  std::optional<std::int64_t> first_ms_;
  sim::SimTime now_{};
  Banner banner_ = Banner::kNone;
  std::optional<std::uint32_t> deleted_in_;
  std::optional<std::size_t> last_sent_;
  std::optional<std::size_t> last_received_;
  bool child_delete_next_ = false;
};

}  // namespace

std::unique_ptr<LineReader> make_panos_reader(models::PeerId peer) {
  return std::make_unique<PanosReader>(peer);
}

}  // namespace rekeysim::ingest::detail
