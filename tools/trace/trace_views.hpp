// Views of one trial's trace (models/trace.hpp): vendor-style log lines, a
// two-lifeline ladder diagram (SVG) and JSON Lines. Every view is a pure,
// deterministic function of the records and its options (same records => same
// bytes), so golden files of real trials stay stable.
//
// Typical use (the `rekeysim trace` subcommand):
//   TraceBuffer all;                      // run the trial once, recording everything
//   auto t = find_first(all.records(), EpisodeFilter::kCantFindSa);
//   auto w = window(all.records(), *t, sim::seconds(2));
//   std::cout << render_log(w, LogStyle::kPanos, ctx);
// For long trials, run once with a sink that only finds the episode time and
// re-run the same seed with TraceBuffer(from, to) to keep only the window.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/outcome.hpp"
#include "models/trace.hpp"
#include "sim/time.hpp"

namespace rekeysim::trace {

// One style per vendor log shape; each has its own renderer file
// (log_<style>.cpp) whose header comment cites the public samples it follows.
enum class LogStyle {
  kPlain,        // one readable line per record: time, peer, event, SPIs, message summary
  kPanos,        // PAN-OS ikemgr.log shapes (docs: tools/trace/README.md)
  kStrongswan,   // strongSwan 5.9 charon file-logger shapes
  kStrongswan6,  // strongSwan 6.x charon: same logger, 6.x collision wording
  kCiscoAsa,     // Cisco ASA/FTD `debug crypto ikev2 protocol|platform` lines
  kLibreswan,    // libreswan pluto log file (logtime=yes)
  kCiscoIos,     // Cisco IOS-XE `debug crypto ikev2` + %CRYPTO syslog
  kJuniperSrx,   // Juniper SRX kmd syslog (KMD_* messages)
};

enum class EpisodeFilter {
  kCollision,    // kCollisionDetected, or both peers' requests for the same SA crossing
  kCantFindSa,   // kDeleteForUnknownSpi or kRekeyForUnknownSpi
  kOutage,       // kEspDropped
  kTunnelReset,  // kTunnelDown
  kRekey,        // a Child SA rekey that completed with no collision, can't-find-SA,
                 // outage or reset within kEpisodeGap (time: its first rekey_started)
  kNoSa,         // kEspNoSa: packets dropped for want of an SA (outcome no_sa)
  kCleartext,    // kEspCleartext: packets sent in clear for want of an SA (cleartext)
  kEspLinkDown,  // kEspLinkDown: packets lost to a link-down window (esp_link_down)
  // One collision kind (kCollisionDetected with that CollisionKind), by the
  // RFC 7296 section that governs it.
  kSimultaneousChildRekey,  // 2.8.1
  kSimultaneousIkeRekey,    // 2.8.2
  kRekeyVsDelete,           // 2.25.1
  kChildVsIkeRekey,         // 2.25.1 / 2.25.2
  kCrossingDelete,          // 1.4.1
  kDeleteVsIkeRekey,        // 2.25.2
};

// "plain" | "panos" | "strongswan" | "strongswan-6" | "cisco-asa" |
// "libreswan" | "cisco-ios" | "juniper-srx"; nullopt for anything else
// ("auto" is resolved by the caller from each peer's profile).
std::optional<LogStyle> parse_log_style(std::string_view text);
std::string_view to_string(LogStyle style);
// Every style name parse_log_style() accepts, in enumerator order.
std::span<const std::string_view> log_style_names();
// "collision" | "cant_find_sa" | "outage" | "tunnel_reset" | "rekey" | "no_sa" |
// "cleartext" | "esp_link_down" (the outcome names), or a collision kind
// as the plain view names it ("simultaneous_child_rekey", "crossing_delete", ...);
// nullopt otherwise.
std::optional<EpisodeFilter> parse_episode_filter(std::string_view text);
std::string_view to_string(EpisodeFilter filter);

// Collects records in time order, records of one instant in arrival order. A
// record stamped earlier than records already held (the traffic model's
// no_sa, cleartext and esp_link_down counts carry the send time of their
// first packet but are emitted when settled) goes after every record of its
// time or earlier. With a time filter it keeps only records
// with from <= time < to, so a long trial can be re-run (same seed) recording
// only the window around an episode found in a first run.
class TraceBuffer : public models::TraceSink {
 public:
  TraceBuffer() = default;
  TraceBuffer(sim::SimTime from, sim::SimTime to) : from_(from), to_(to) {}

  void record(const models::TraceRecord& r) override;

  std::span<const models::TraceRecord> records() const { return records_; }
  std::vector<models::TraceRecord> take() { return std::move(records_); }
  void clear() { records_.clear(); }

 private:
  std::optional<sim::SimTime> from_;
  std::optional<sim::SimTime> to_;
  std::vector<models::TraceRecord> records_;
};

// Time of the first record that marks an episode of the given kind, nullopt
// if there is none. For kCollision a crossing counts when peer A and peer B
// each sent a CREATE_CHILD_SA request with N(REKEY_SA) for the same SA (or a
// DELETE for it) and each send happened before the other's request arrived;
// the time returned is then the second send.
std::optional<sim::SimTime> find_first(std::span<const models::TraceRecord> records,
                                       EpisodeFilter filter);
// Marks of one kind closer than this to the previous counted one belong to
// the same episode (both peers log a collision; an outage spans many drops).
inline constexpr sim::SimTime kEpisodeGap = sim::seconds(10);
// Times of every episode of the kind, in order (one per episode, see kEpisodeGap).
std::vector<sim::SimTime> find_all(std::span<const models::TraceRecord> records,
                                   EpisodeFilter filter);
// find_all() one record at a time, for inputs too long to hold at once
// (`rekeysim ingest` of a 100 MB log). Feed records in time order; feed()
// returns the onset when the record starts a new episode of the kind. Any
// kind but kRekey (a normal rekey is decided over whole episodes). Memory is
// bounded: per peer at most kMaxOpenRequests requests in flight and
// kMaxSaPairs SA pairs are remembered, the oldest forgotten first (a crossing
// is two requests seconds apart, so only a pathological log notices).
class EpisodeFinder {
 public:
  static constexpr std::size_t kMaxOpenRequests = 256;
  static constexpr std::size_t kMaxSaPairs = 4096;
  explicit EpisodeFinder(EpisodeFilter filter);
  EpisodeFinder(EpisodeFinder&&) noexcept;
  EpisodeFinder& operator=(EpisodeFinder&&) noexcept;
  ~EpisodeFinder();
  std::optional<sim::SimTime> feed(const models::TraceRecord& r);

 private:
  struct State;
  std::unique_ptr<State> s_;
};
// The n-th (1-based) of find_all(); nullopt if there are fewer or n == 0.
std::optional<sim::SimTime> find_nth(std::span<const models::TraceRecord> records,
                                     EpisodeFilter filter, std::uint64_t n);

// The outcome `run` counts for a general episode kind (collision,
// cant_find_sa, outage, tunnel_reset); nullopt for `rekey` and the specific
// collision kinds, which find_all() reads from the records.
std::optional<models::Outcome> counted_outcome(EpisodeFilter filter);

// Collects the onset of every counted outcome of one kind while a trial runs
// (pass it to models::run_trial), so that `trace --first KIND` finds exactly
// the episodes `run` counts: one definition of each outcome.
class OnsetCollector final : public models::OutcomeListener {
 public:
  explicit OnsetCollector(models::Outcome wanted) : wanted_(wanted) {}
  void counted(models::Outcome o, std::uint64_t count, sim::SimTime onset) override {
    if (o == wanted_ && count > 0) onsets_.push_back(onset);
  }
  // Onsets in time order, one per episode (closer than kEpisodeGap to the
  // previous one: the same episode, e.g. both peers' can't-find-SA).
  std::vector<sim::SimTime> episodes() const;
  // Every onset reported (one per counted event: an outage in each direction
  // counts once).
  std::size_t events() const { return onsets_.size(); }

 private:
  models::Outcome wanted_;
  std::vector<sim::SimTime> onsets_;
};

// Records with center - half_width <= time <= center + half_width, in order.
std::vector<models::TraceRecord> window(std::span<const models::TraceRecord> records,
                                        sim::SimTime center, sim::SimTime half_width);

// How simulated time and peers map to what a log shows.
struct LogContext {
  std::string peer_a_name = "A";
  std::string peer_b_name = "B";
  // Wall clock of t = 0 as Unix seconds (UTC). Default: 2025-07-06 00:00:00 -0400.
  std::int64_t epoch_unix_seconds = 1751774400;
  int utc_offset_minutes = -240;  // local time zone of the log timestamps
  // Names as the vendor logs print them.
  std::string gateway_name = "rekeysim-gw";       // PAN-OS "gateway <GW>"
  std::string tunnel_name = "rekeysim-gw:proxy";  // PAN-OS "tunnel <GW>:<proxy>"
  int gateway_id = 7;                             // PAN-OS "{ 7: 60}" first field
  int tunnel_id = 60;                             // PAN-OS "{ 7: 60}" second field
  std::string ike_sa_name = "conn";               // strongSwan "<conn|1>"
  int ike_sa_unique_id = 1;
  std::string child_sa_name = "net";  // strongSwan "net{3}"
  int first_child_unique_id = 1;      // unique id of the first Child SA seen
  std::string a_address = "192.0.2.1";
  std::string b_address = "198.51.100.2";
  int ike_port = 4500;
  std::string a_subnet = "10.1.0.0/16";
  std::string b_subnet = "10.2.0.0/16";
  // strongSwan: print KE in CREATE_CHILD_SA payload lists (PFS on rekey).
  bool pfs = true;
  // Also print lines a device does not write by default: shapes inferred
  // rather than seen in a public log sample (PAN-OS install/negotiation
  // lines, notifies, ASA sends) and debug-level lines (strongSwan DBG2
  // "[KNL] deleting SAD entry"); see README.md. `rekeysim trace` turns it on
  // only with --inferred.
  bool inferred_lines = true;
  // Render only this peer's log (no prefix). nullopt: both peers interleaved
  // in time order, every line (continuation lines too) prefixed "<name>| ".
  std::optional<models::PeerId> only_peer;
  // Message ID each peer's first request in the records is printed with
  // (the IDs of later requests and of the responses to them shift by the
  // same amount), so a simulated log can be lined up with a real one.
  // nullopt: the simulated IDs.
  std::optional<std::uint32_t> first_message_id[2];
  // SPI each peer's first inbound Child SA in the records is printed with
  // (tools/trace/spi_display.cpp states the rule); nullopt: the simulated SPIs.
  std::optional<std::uint32_t> first_child_spi[2];
  // Each peer's own SPI of the first IKE SA it logs in the records (its
  // initiator SPI when it created that SA, its responder SPI otherwise) is
  // printed as this (spi_display.cpp states the rule); nullopt: simulated.
  std::optional<std::uint64_t> first_ike_spi[2];
  // The whole trial the records are a window of, or empty (the records are
  // all there is). first_ike_spi reads from it which peer created an IKE SA
  // and its responder SPI when the window does not show that exchange. Not
  // owned: it must outlive the calls given this context.
  std::span<const models::TraceRecord> history;
  // Responder SPI printed for an IKE SA (key: its initiator SPI as printed)
  // by the styles that print both SPIs of every IKE header (Cisco ASA, IOS).
  // render_log() fills it (SpiDisplay::responder) from the creating
  // response of each IKE SA in `history` (else the records), and from
  // first_ike_spi; an SA not in it (its creating response is not in the
  // trial) is printed with a stand-in (~initiator SPI), as the records name
  // IKE SAs by their initiator SPI only.
  std::map<std::uint64_t, std::uint64_t> responder_spis;
  // Cisco ASA/FTD: wrap each debug line as the syslog message the device
  // sends with `logging debug-trace` ("ASA" -> "%ASA-7-711001: <line>",
  // "FTD" -> "%FTD-7-711001: <line>"); empty: console/buffer form.
  std::string syslog_wrap;
  // Host names in syslog-shaped logs (Juniper kmd, libreswan via syslog).
  std::string a_host = "gw-a";
  std::string b_host = "gw-b";
};

// Records with message IDs shifted as LogContext::first_message_id asks
// (a copy; the records themselves are unchanged when nothing is set).
std::vector<models::TraceRecord> with_message_ids(std::span<const models::TraceRecord> records,
                                                  const LogContext& context);

// That shift as values, worked out once from the records shown, so that it
// can be applied to other records of the same trial (the --pcap capture
// covers the whole trial): added (mod 2^32) to the ID of every message of one
// request counter, by the peer that numbers it (index 0: A, 1: B). Message
// IDs count per IKE SA (RFC 7296 2.2): the counter shifted is the one of the
// IKE SA that carries the peer's first request shown whose creation is not
// shown. An IKE SA whose IKE_SA_INIT or IKE rekey (2.18) the records show
// numbers from 0, as any device's does, so it is never shifted (and a peer
// with no other IKE SA shown gets no shift).
struct MessageIdShift {
  std::uint32_t by[2] = {0, 0};
  std::uint64_t ike_sa[2] = {0, 0};  // Message::ike_sa of the counter shifted
};
MessageIdShift message_id_shift(std::span<const models::TraceRecord> records,
                                const LogContext& context);
// Every message's ID shifted (a copy).
std::vector<models::TraceRecord> apply_message_ids(std::span<const models::TraceRecord> records,
                                                   const MessageIdShift& shift);

// Records with SPIs shown as LogContext::first_child_spi and first_ike_spi
// ask: the peer's first inbound Child SPI (own IKE SPI) becomes the given
// value, a simulated SPI equal to a given value takes the freed one, the rest
// keep their values (a copy).
std::vector<models::TraceRecord> with_spis(std::span<const models::TraceRecord> records,
                                           const LogContext& context);

// That mapping as values, worked out once from the records shown, so that it
// can be applied to other records of the same trial (the --pcap capture
// covers the whole trial): simulated -> shown, only the values that change.
struct SpiDisplay {
  std::map<std::uint32_t, std::uint32_t> child;  // ESP SPIs
  std::map<std::uint64_t, std::uint64_t> ike;    // IKE SPIs (initiator and responder)
  // Initiator SPI as shown -> responder SPI as shown, for each IKE SA whose
  // creating response (IKE_SA_INIT or CREATE_CHILD_SA, RFC 7296 2.18) is in
  // LogContext::history (else the records), or whose responder's
  // first_ike_spi was given (LogContext::responder_spis).
  std::map<std::uint64_t, std::uint64_t> responder;
};
SpiDisplay spi_display(std::span<const models::TraceRecord> records, const LogContext& context);
// Every SPI field of the records (and of their messages) mapped (a copy).
std::vector<models::TraceRecord> apply_spis(std::span<const models::TraceRecord> records,
                                            const SpiDisplay& display);

// Log lines, each terminated by '\n'. See tools/trace/README.md for the
// record -> line mapping of each style.
std::string render_log(std::span<const models::TraceRecord> records, LogStyle style,
                       const LogContext& context);
// Each peer in its own style (`--style auto`): peer A's lines as style_a
// writes them, peer B's as style_b, interleaved in trace order (or one peer
// alone with LogContext::only_peer).
std::string render_log(std::span<const models::TraceRecord> records, LogStyle style_a,
                       LogStyle style_b, const LogContext& context);

struct LadderOptions {
  std::string title;
  std::string peer_a_name = "A";
  std::string peer_b_name = "B";
  int width = 1200;  // pixels (at least 900); height follows from the records
};

// Two lifelines (A left, B right), time running down; self-contained SVG 1.1.
std::string render_ladder_svg(std::span<const models::TraceRecord> records,
                              const LadderOptions& options);

// One JSON object per record and line; key order fixed (tools/trace/README.md).
std::string render_jsonl(std::span<const models::TraceRecord> records);

}  // namespace rekeysim::trace
