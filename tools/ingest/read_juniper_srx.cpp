// Juniper SRX kmd syslog lines -> TraceRecords ("Jul  6 03:32:18  host
// kmd[1520]: KMD_..."): an SA per direction established, the IKE SA up
// (or rekeyed) and down. The shapes are those tools/trace/log_juniper_srx.cpp
// writes (its header cites the public sources); the order of the lines when
// a tunnel comes up is that of two real logs (tests/data/public/
// juniper-srx-azure): both SAs, the VPN-up alarm, then "IKE negotiation
// successfully completed" for each IKE SA negotiated in that instant. kmd
// logs nothing at this level about DELETEs, unknown SPIs or collisions, so
// neither are read.
#include <optional>
#include <regex>

#include "tools/ingest/reader_base.hpp"

namespace rekeysim::ingest::detail {

namespace {

using models::TraceKind;
using models::TraceRecord;

const std::regex& prefix_re() {
  static const std::regex re(
      R"(^(?:<\d+>)?([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? +\S+ kmd\[\d+\]: (.*)$)");
  return re;
}

class SrxReader : public ReaderBase {
 public:
  explicit SrxReader(models::PeerId peer) : ReaderBase(peer) {}

  bool looks_like(const std::string& line) const override {
    return std::regex_match(line, prefix_re());
  }

  LineUse read(const std::string& line, IngestResult& out) override {
    std::smatch m;
    if (!std::regex_match(line, m, prefix_re())) return LineUse::kUnusable;
    if (!stamp(out, month_number(m[1].str()), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]),
               std::stoi(m[5]), m[6].matched ? fraction_us(m[6].str()) : 0))
      return LineUse::kUnusable;
    return message(m[7].str(), out);
  }

 private:
  LineUse message(const std::string& text, IngestResult& out) {
    static const std::regex established(
        R"(KMD_PM_SA_ESTABLISHED: .*Direction: (inbound|outbound), SPI: (0x[0-9a-fA-FXx]+),.*)");
    std::smatch m;
    const bool follows_ike = ike_completed_;
    ike_completed_ = false;
    if (std::regex_match(text, m, established)) {
      const auto spi = parse_spi(m[2].str());
      if (!spi) return LineUse::kUnusable;
      const bool inbound = m[1] == "inbound";
      TraceRecord& r =
          add(out, inbound ? TraceKind::kChildSaInstalled : TraceKind::kOutboundSwitched);
      (inbound ? r.spi_in : r.spi_out) = *spi;
      return LineUse::kUsed;
    }
    if (text.starts_with("IKE negotiation successfully completed.")) {
      // In the instant the VPN came up it is that tunnel's IKE SA (or a
      // second one both ends negotiated at once, as Responder): not a rekey.
      if (up_time_ && *up_time_ == now_) return LineUse::kUsed;
      // A rekeyed IKE SA, unless the VPN-up alarm follows (then the first one).
      add(out, TraceKind::kIkeSaRekeyed).sa_kind = models::SaKind::kIke;
      ike_completed_ = true;
      return LineUse::kUsed;
    }
    if (text.starts_with("KMD_VPN_UP_ALARM_USER:")) {
      if (follows_ike && !out.records.empty() &&
          out.records.back().kind == TraceKind::kIkeSaRekeyed && out.records.back().time == now_) {
        out.records.back().kind = TraceKind::kTunnelUp;
        up_time_ = now_;
        return LineUse::kUsed;
      }
      add(out, TraceKind::kTunnelUp);
      up_time_ = now_;
      return LineUse::kUsed;
    }
    if (text.starts_with("KMD_VPN_DOWN_ALARM_USER:")) {
      add(out, TraceKind::kTunnelDown);
      return LineUse::kUsed;
    }
    return LineUse::kSkipped;
  }

  bool ike_completed_ = false;
  std::optional<sim::SimTime> up_time_;  // the last VPN-up alarm
};

}  // namespace

std::unique_ptr<LineReader> make_juniper_srx_reader(models::PeerId peer) {
  return std::make_unique<SrxReader>(peer);
}

}  // namespace rekeysim::ingest::detail
