// Cisco ASA / FTD lines -> TraceRecords: `debug crypto ikev2 protocol|platform`
// output (with the "Jul 06 03:32:18 " stamp of the bug excerpts, or none as
// on the console) and the ASA syslog messages, plain or wrapping debug lines
// as %ASA-7-711001 / %FTD-7-711001. The shapes are those
// tools/trace/log_cisco_asa.cpp writes (its header cites the public
// sources). Debug lines carry no date or only seconds, syslog lines a year
// (ignored: one clock for both, LogClock).
#include <regex>

#include "tools/ingest/reader_base.hpp"

namespace rekeysim::ingest::detail {

namespace {

using models::ExchangeType;
using models::TraceKind;
using models::TraceRecord;

const std::regex& stamp_re() {
  static const std::regex re(
      R"(^(?:<\d+>)?([A-Z][a-z]{2}) +(\d{1,2})(?: \d{4})? (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?:? (.*)$)");
  return re;
}

bool is_debug(const std::string& body) {
  return body.starts_with("IKEv2-") ||
         (body.starts_with("(") && body.find("): ") != std::string::npos);
}

class AsaReader : public ReaderBase {
 public:
  explicit AsaReader(models::PeerId peer) : ReaderBase(peer) {}

  bool looks_like(const std::string& line) const override {
    static const std::regex re(R"((^|[ :])(IKEv2-(PLAT|PROTO)-\d: |%(ASA|FTD)-\d-\d{6}: ))");
    return std::regex_search(line, re);
  }

  LineUse read(const std::string& line, IngestResult& out) override {
    std::string body = line;
    std::smatch m;
    if (std::regex_match(line, m, stamp_re())) {
      if (!stamp(out, month_number(m[1].str()), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]),
                 std::stoi(m[5]), m[6].matched ? fraction_us(m[6].str()) : 0))
        return LineUse::kUnusable;
      body = m[7].str();
    }
    static const std::regex syslog(R"(^(?:\S+ )?:? ?%(ASA|FTD)-(\d)-(\d{6}): (.*)$)");
    if (std::regex_match(body, m, syslog)) {
      if (m[3] == "711001") return debug(m[4].str(), out);
      return message(std::stoi(m[3]), m[4].str(), out);
    }
    if (is_debug(body)) return debug(body, out);
    return LineUse::kUnusable;
  }

  void rebase(std::size_t n) override { rebase_index(open_, n); }

 private:
  LineUse debug(const std::string& body, IngestResult& out) {
    static const std::regex plat_pkt(
        R"(IKEv2-PLAT-\d: (RECV|SENT) PKT \[(\w+)\] \[[^\]]*\]:\d+->\[[^\]]*\]:\d+ InitSPI=0x([0-9A-Fa-f]{1,16}) RespSPI=0x[0-9A-Fa-f]{1,16} MID=([0-9A-Fa-f]{1,8}).*)");
    static const std::regex proto_pkt(
        R"(IKEv2-PROTO-\d: (?:\(\d+\): )?(Received|Sending) Packet \[.*)");
    static const std::regex pfkey(
        R"(IKEv2-PLAT-\d: Received PFKEY (update|add|delete) SA for SPI (0x[0-9A-Fa-fXx]+),? error (\w+).*)");
    static const std::regex send_delete(
        R"(IKEv2-PROTO-\d: (?:\(\d+\): )?Sending DELETE INFO message for IPsec SA \[SPI: (0x[0-9A-Fa-fXx]+)\].*)");
    static const std::regex spis(
        R"(\(\d+\): +Initiator SPI : ([0-9A-Fa-f]{1,16}) - Responder SPI : [0-9A-Fa-f]{1,16} Message id: (\d{1,10}).*)");
    static const std::regex exchange(R"(\(\d+\): +IKEv2 (\w+) Exchange (REQUEST|RESPONSE).*)");
    std::smatch m;
    if (std::regex_match(body, m, plat_pkt)) {
      const bool sent = m[1] == "SENT";
      TraceRecord& r = add(out, sent ? TraceKind::kMessageSent : TraceKind::kMessageReceived);
      if (auto e = exchange_named(m[2].str())) r.message.exchange = *e;
      r.message.ike_sa = std::stoull(m[3].str(), nullptr, 16);
      r.message.message_id = static_cast<std::uint32_t>(std::stoul(m[4].str(), nullptr, 16));
      if (sent) attach_pending_deletes(r.message);
      open_ = out.records.size() - 1;
      open_from_plat_ = true;
      return LineUse::kUsed;
    }
    if (std::regex_match(body, m, proto_pkt)) {
      const bool sent = m[1] == "Sending";
      const TraceKind kind = sent ? TraceKind::kMessageSent : TraceKind::kMessageReceived;
      // The PROTO record of the packet PLAT just announced, or a packet of its own
      // (with `debug crypto ikev2 protocol` alone).
      if (open_ && open_from_plat_ && out.records[*open_].kind == kind) {
        open_from_plat_ = false;
        return LineUse::kUsed;
      }
      TraceRecord& r = add(out, kind);
      if (sent) attach_pending_deletes(r.message);
      open_ = out.records.size() - 1;
      open_from_plat_ = false;
      return LineUse::kUsed;
    }
    if (std::regex_match(body, m, spis)) {
      if (!open_) return LineUse::kSkipped;
      models::Message& msg = out.records[*open_].message;
      msg.ike_sa = std::stoull(m[1].str(), nullptr, 16);
      msg.message_id = static_cast<std::uint32_t>(std::stoull(m[2].str()));
      return LineUse::kUsed;
    }
    if (std::regex_match(body, m, exchange)) {
      if (!open_) return LineUse::kSkipped;
      models::Message& msg = out.records[*open_].message;
      if (auto e = exchange_named(m[1].str())) msg.exchange = *e;
      msg.is_response = m[2] == "RESPONSE";
      if (msg.exchange != ExchangeType::kInformational)
        msg.delete_protocol = models::ProtocolId::kNone;
      open_.reset();
      return LineUse::kUsed;
    }
    if (std::regex_match(body, m, pfkey)) {
      const auto spi = parse_spi(m[2].str());
      if (!spi) return LineUse::kUnusable;
      if (m[3] != "FALSE") return LineUse::kSkipped;  // the kernel refused: nothing changed
      const std::string op = m[1].str();
      TraceRecord& r = add(out, op == "update" ? TraceKind::kChildSaInstalled
                                : op == "add"  ? TraceKind::kOutboundSwitched
                                               : TraceKind::kInboundRemoved);
      (op == "add" ? r.spi_out : r.spi_in) = *spi;
      last_pfkey_ = {r.kind, *spi};
      return LineUse::kUsed;
    }
    if (std::regex_match(body, m, send_delete)) {
      const auto spi = parse_spi(m[1].str());
      if (!spi) return LineUse::kUnusable;
      pending_delete_.push_back(*spi);
      return LineUse::kUsed;
    }
    return LineUse::kSkipped;
  }

  // One syslog message (ASA syslog guide numbers).
  LineUse message(int id, const std::string& text, IngestResult& out) {
    static const std::regex sa(
        R"(IPSEC: An? (inbound|outbound) LAN-to-LAN SA \(SPI= (0x[0-9A-Fa-fXx]+)\) between .* has been (created|deleted)\..*)");
    static const std::regex invalid(
        R"(IPSEC: Received an ESP packet \(SPI= (0x[0-9A-Fa-fXx]+), sequence number= \S+\) from .* with an invalid SPI\..*)");
    std::smatch m;
    if ((id == 602303 || id == 602304) && std::regex_match(text, m, sa)) {
      const auto spi = parse_spi(m[2].str());
      if (!spi) return LineUse::kUnusable;
      const bool inbound = m[1] == "inbound";
      const bool created = m[3] == "created";
      const TraceKind kind =
          created ? (inbound ? TraceKind::kChildSaInstalled : TraceKind::kOutboundSwitched)
                  : (inbound ? TraceKind::kInboundRemoved : TraceKind::kOutboundRemoved);
      // With platform debugs on, the PFKEY line just before said the same.
      if (last_pfkey_ && last_pfkey_->first == kind && last_pfkey_->second == *spi) {
        last_pfkey_.reset();
        return LineUse::kUsed;
      }
      TraceRecord& r = add(out, kind);
      (inbound ? r.spi_in : r.spi_out) = *spi;
      return LineUse::kUsed;
    }
    if (id == 402114 && std::regex_match(text, m, invalid)) {
      const auto spi = parse_spi(m[1].str());
      if (!spi) return LineUse::kUnusable;
      TraceRecord& r = add(out, TraceKind::kEspDropped);
      r.spi_in = *spi;
      r.count = 1;
      return LineUse::kUsed;
    }
    if (id == 750007 && text.find("IKEv2 SA DOWN") != std::string::npos) {
      add(out, TraceKind::kTunnelDown);
      return LineUse::kUsed;
    }
    if (id == 750006 && text.find("IKEv2 SA UP") != std::string::npos) {
      add(out, TraceKind::kTunnelUp);
      return LineUse::kUsed;
    }
    return LineUse::kSkipped;
  }

  std::optional<std::size_t> open_;  // packet whose continuation lines are expected
  bool open_from_plat_ = false;
  std::optional<std::pair<TraceKind, std::uint32_t>> last_pfkey_;
};

}  // namespace

std::unique_ptr<LineReader> make_cisco_asa_reader(models::PeerId peer) {
  return std::make_unique<AsaReader>(peer);
}

}  // namespace rekeysim::ingest::detail
