// libreswan pluto lines -> TraceRecords: the pluto log file with
// `logtime=yes` ("Mar 18 19:29:30.713608: "west" #3: <message>") or pluto
// via syslog ("Mar 18 19:29:30 host pluto[1234]: "west" #3: <message>").
// The shapes are those tools/trace/log_libreswan.cpp writes (its header
// cites the public sources). pluto names Child SAs by state serial (#N) and
// prints their SPIs only when one is established, so the reader keeps
// serial -> SPIs to name the SA a later line acts on. Message IDs are not
// logged at the default level: messages carry ID 0.
#include <map>
#include <regex>

#include "tools/ingest/reader_base.hpp"

namespace rekeysim::ingest::detail {

namespace {

using models::TraceKind;
using models::TraceRecord;

const std::regex& prefix_re() {
  static const std::regex re(
      R"(^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?:? +(?:(?:\S+ +)?pluto\[\d+\]: )?"[^"]*"(?:\[\d+\])?(?: [0-9a-fA-F.:]+)? #(\d{1,9}): (.*)$)");
  return re;
}

class PlutoReader : public ReaderBase {
 public:
  explicit PlutoReader(models::PeerId peer) : ReaderBase(peer) {}

  bool looks_like(const std::string& line) const override {
    return std::regex_match(line, prefix_re());
  }

  LineUse read(const std::string& line, IngestResult& out) override {
    std::smatch m;
    if (!std::regex_match(line, m, prefix_re())) {
      // pluto's own lines without a connection ("Starting Pluto ...").
      static const std::regex bare(R"(^[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)?:? .*)");
      return std::regex_match(line, bare) ? LineUse::kSkipped : LineUse::kUnusable;
    }
    if (!stamp(out, month_number(m[1].str()), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]),
               std::stoi(m[5]), m[6].matched ? fraction_us(m[6].str()) : 0))
      return LineUse::kUnusable;
    return message(std::stoi(m[7]), m[8].str(), out);
  }

 private:
  struct Spis {
    std::uint32_t in = 0;
    std::uint32_t out = 0;
  };

  Spis spis_of(int serial) const {
    auto it = sas_.find(serial);
    return it == sas_.end() ? Spis{} : it->second;
  }

  LineUse message(int serial, const std::string& text, IngestResult& out) {
    static const std::regex initiating(R"(initiating rekey to replace Child SA #(\d{1,9}).*)");
    // 5.x names the SA rekeyed; 4.x ("to rekey IPsec SA") named it in the
    // "initiating rekey" line of the same state.
    static const std::regex sent_rekey(
        R"(sent CREATE_CHILD_SA request to rekey (?:Child SA #(\d{1,9})|IPsec SA).*)");
    static const std::regex sent_ike_rekey(
        R"(sent CREATE_CHILD_SA request to rekey IKE SA #\d+.*)");
    static const std::regex installed(
        R"((initiator|responder) (?:rekeyed Child SA #(\d{1,9})|established Child SA) using #\d+; IPsec tunnel \[.*\{ESP(?:/ESN)?(?:/NAT)?=>(0x[0-9a-fA-FXx]+) <(0x[0-9a-fA-FXx]+) .*)");
    static const std::regex unknown(
        R"(received delete request for ESP Child SA with outbound SPI ([0-9a-fA-FXx]+); Child SA not found.*)");
    static const std::regex ike_rekeyed(R"((initiator|responder) rekeyed IKE SA #\d+.*)");
    std::smatch m;
    if (std::regex_match(text, m, initiating)) {
      replaces_[serial] = std::stoi(m[1]);
      const Spis old = spis_of(std::stoi(m[1]));
      TraceRecord& r = add(out, TraceKind::kRekeyStarted);
      r.spi_in = old.in;
      r.spi_out = old.out;
      return LineUse::kUsed;
    }
    if (std::regex_match(text, m, sent_rekey)) {
      TraceRecord& r = add(out, TraceKind::kMessageSent);
      r.message.exchange = models::ExchangeType::kCreateChildSa;
      r.message.notify = models::NotifyType::kRekeySa;
      const int old = m[1].matched ? std::stoi(m[1]) : replaces_[serial];
      r.message.notify_spi = spis_of(old).in;  // REKEY_SA: our inbound SPI
      r.message.sa_protocol = models::ProtocolId::kEsp;
      r.message.has_ts = true;
      r.message.has_nonce = true;
      return LineUse::kUsed;
    }
    if (std::regex_match(text, sent_ike_rekey)) {
      TraceRecord& r = add(out, TraceKind::kMessageSent);
      r.message.exchange = models::ExchangeType::kCreateChildSa;
      r.message.sa_protocol = models::ProtocolId::kIke;
      r.message.has_nonce = true;
      return LineUse::kUsed;
    }
    if (std::regex_match(text, m, installed)) {
      const auto o = parse_spi(m[3].str());
      const auto i = parse_spi(m[4].str());
      if (!o || !i) return LineUse::kUnusable;
      sas_[serial] = {*i, *o};
      TraceRecord& r = add(out, TraceKind::kChildSaInstalled);
      r.spi_in = *i;
      r.spi_out = *o;
      TraceRecord& s = add(out, TraceKind::kOutboundSwitched);
      s.spi_in = *i;
      s.spi_out = *o;
      if (m[2].matched) {
        const Spis old = spis_of(std::stoi(m[2]));
        TraceRecord& c = add(out, TraceKind::kRekeyCompleted);
        c.spi_in = old.in;
        c.spi_out = old.out;
        c.new_spi_in = *i;
        c.new_spi_out = *o;
      }
      return LineUse::kUsed;
    }
    if (text.starts_with("sent INFORMATIONAL request to delete established Child SA")) {
      TraceRecord& r = add(out, TraceKind::kMessageSent);
      r.message.exchange = models::ExchangeType::kInformational;
      r.message.delete_protocol = models::ProtocolId::kEsp;
      r.message.delete_spis[0] = spis_of(serial).in;  // RFC 7296 3.11: our inbound SPI
      r.message.delete_count = 1;
      return LineUse::kUsed;
    }
    if (text.starts_with("deleting established Child SA") ||
        text.starts_with("deleting other state #")) {
      const Spis s = spis_of(serial);
      if (s.in == 0) return LineUse::kSkipped;
      TraceRecord& r = add(out, TraceKind::kChildSaDeleted);
      r.spi_in = s.in;
      r.spi_out = s.out;
      sas_.erase(serial);
      return LineUse::kUsed;
    }
    if (std::regex_match(text, m, unknown)) {
      const auto spi = parse_spi(m[1].str());
      if (!spi) return LineUse::kUnusable;
      add(out, TraceKind::kDeleteForUnknownSpi).spi_in = *spi;
      return LineUse::kUsed;
    }
    if (text.find("established IKE SA") != std::string::npos &&
        (text.starts_with("initiator") || text.starts_with("responder"))) {
      add(out, TraceKind::kTunnelUp);
      return LineUse::kUsed;
    }
    if (std::regex_match(text, ike_rekeyed)) {
      add(out, TraceKind::kIkeSaRekeyed).sa_kind = models::SaKind::kIke;
      return LineUse::kUsed;
    }
    return LineUse::kSkipped;
  }

  std::map<int, Spis> sas_;      // state serial -> SPIs of the Child SA
  std::map<int, int> replaces_;  // state serial -> the Child SA it rekeys
};

}  // namespace

std::unique_ptr<LineReader> make_libreswan_reader(models::PeerId peer) {
  return std::make_unique<PlutoReader>(peer);
}

}  // namespace rekeysim::ingest::detail
