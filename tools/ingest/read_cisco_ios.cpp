// Cisco IOS / IOS-XE lines -> TraceRecords: `debug crypto ikev2` packet
// records ("IKEv2:(SESSION ID = n,SA ID = n):Sending|Received Packet [..]"
// and their un-prefixed continuation lines), "Sending DELETE INFO message
// for IPsec SA [SPI: 0x..]", "Deleting SA" and
// %CRYPTO-4-RECVD_PKT_INV_SPI, with `service timestamps debug datetime msec`
// ("Jul  6 03:32:18.287: ", '*' or '.' before it when the clock is not
// NTP-synced, an optional "000123: " sequence number). The shapes are those
// tools/trace/log_cisco_ios.cpp writes (its header cites the public sources).
#include <regex>

#include "tools/ingest/reader_base.hpp"

namespace rekeysim::ingest::detail {

namespace {

using models::ExchangeType;
using models::TraceKind;
using models::TraceRecord;

const std::regex& stamp_re() {
  static const std::regex re(
      R"(^(?:\d+: )?[*.]?([A-Z][a-z]{2}) +(\d{1,2})(?: \d{4})? (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?: [A-Z]{3,4})?: (.*)$)");
  return re;
}

class IosReader : public ReaderBase {
 public:
  explicit IosReader(models::PeerId peer) : ReaderBase(peer) {}

  bool looks_like(const std::string& line) const override {
    std::smatch m;
    if (!std::regex_match(line, m, stamp_re())) return false;
    const std::string body = m[7].str();
    return body.starts_with("IKEv2:") || body.starts_with("%CRYPTO");
  }

  LineUse read(const std::string& line, IngestResult& out) override {
    std::smatch m;
    if (!std::regex_match(line, m, stamp_re())) return continuation(line, out);
    if (!stamp(out, month_number(m[1].str()), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]),
               std::stoi(m[5]), m[6].matched ? fraction_us(m[6].str()) : 0))
      return LineUse::kUnusable;
    open_.reset();
    return message(m[7].str(), out);
  }

  void rebase(std::size_t n) override { rebase_index(open_, n); }

 private:
  LineUse message(const std::string& body, IngestResult& out) {
    static const std::regex packet(R"(IKEv2:(?:\([^)]*\))?:?(Sending|Received) Packet \[.*)");
    static const std::regex send_delete(
        R"(IKEv2:(?:\([^)]*\))?:?Sending DELETE INFO message for IPsec SA \[SPI: (0x[0-9A-Fa-fXx]+)\].*)");
    static const std::regex inv_spi(
        R"(%CRYPTO-\d-RECVD_PKT_INV_SPI: .*spi=(0x[0-9A-Fa-fXx]+)\(\d+\).*)");
    std::smatch m;
    if (std::regex_match(body, m, packet)) {
      const bool sent = m[1] == "Sending";
      TraceRecord& r = add(out, sent ? TraceKind::kMessageSent : TraceKind::kMessageReceived);
      if (sent) attach_pending_deletes(r.message);
      open_ = out.records.size() - 1;
      return LineUse::kUsed;
    }
    if (std::regex_match(body, m, send_delete)) {
      const auto spi = parse_spi(m[1].str());
      if (!spi) return LineUse::kUnusable;
      pending_delete_.push_back(*spi);
      return LineUse::kUsed;
    }
    if (std::regex_match(body, m, inv_spi)) {
      const auto spi = parse_spi(m[1].str());
      if (!spi) return LineUse::kUnusable;
      TraceRecord& r = add(out, TraceKind::kEspDropped);
      r.spi_in = *spi;
      r.count = 1;
      return LineUse::kUsed;
    }
    if (body.find("):Deleting SA") != std::string::npos) {
      add(out, TraceKind::kTunnelDown);
      return LineUse::kUsed;
    }
    if (body.starts_with("IKEv2") || body.starts_with("%")) return LineUse::kSkipped;
    return LineUse::kUnusable;
  }

  // Un-prefixed lines after a packet record: its SPIs and message ID, its
  // exchange, its payload dump.
  LineUse continuation(const std::string& line, IngestResult& out) {
    static const std::regex spis(
        R"(\s*Initiator SPI : ([0-9A-Fa-f]{1,16}) - Responder SPI : [0-9A-Fa-f]{1,16} Message id: (\d{1,10}).*)");
    static const std::regex exchange(R"(\s*IKEv2 (\w+) Exchange (REQUEST|RESPONSE).*)");
    if (!open_) return LineUse::kUnusable;
    std::smatch m;
    models::Message& msg = out.records[*open_].message;
    if (std::regex_match(line, m, spis)) {
      msg.ike_sa = std::stoull(m[1].str(), nullptr, 16);
      msg.message_id = static_cast<std::uint32_t>(std::stoull(m[2].str()));
      return LineUse::kUsed;
    }
    if (std::regex_match(line, m, exchange)) {
      if (auto e = exchange_named(m[1].str())) msg.exchange = *e;
      msg.is_response = m[2] == "RESPONSE";
      if (msg.exchange != ExchangeType::kInformational)
        msg.delete_protocol = models::ProtocolId::kNone;
      return LineUse::kUsed;
    }
    return LineUse::kSkipped;  // "Payload contents:", " ENCR", the payload dump
  }

  std::optional<std::size_t> open_;
};

}  // namespace

std::unique_ptr<LineReader> make_cisco_ios_reader(models::PeerId peer) {
  return std::make_unique<IosReader>(peer);
}

}  // namespace rekeysim::ingest::detail
