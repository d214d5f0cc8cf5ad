// Computes the outcome vocabulary of one trial (models/outcome.hpp) from the
// trace alone, per rekey episode.
//
// SA pairs. A Child SA pair is the two halves the peers install for one
// CREATE_CHILD_SA (or IKE_AUTH) exchange: A's kChildSaInstalled{spi_in=a,
// spi_out=b} and B's {spi_in=b, spi_out=a} name the same pair. A pair created by
// rekeying pair G has parent G (from the REKEY_SA notify of the request the
// installing peer answered, the response to its own rekey request, or a
// kRekeyCompleted record).
//
// Episode. An episode is one Child SA generation being replaced or lost. It
// opens the first time pair G is acted upon: a rekey starts for G
// (kRekeyStarted, or a CREATE_CHILD_SA request with REKEY_SA naming G), a
// DELETE request names G, G hard-expires, a half of G is removed, or a peer
// holding G loses its IKE SA (kTunnelDown). A pair whose parent's episode is
// still open when it is acted upon (the redundant SA of a collision, deleted
// while the collision settles) joins that episode instead of opening its own.
// The episode closes (settles) when every member pair is gone from both peers
// and neither peer has a request outstanding that names a member. At that
// moment the children of G that survive (present at a peer and not acted upon)
// are counted: more than one is a redundant SA (libreswan keeps both SAs of a
// simultaneous rekey). An episode still open when the trial ends is counted
// with what happened so far.
//
// Per episode: child_rekeys (1 if G was replaced by a completed rekey),
// collisions (both peers had a request naming G outstanding at the same time:
// simultaneous rekeys, rekey vs DELETE, crossing DELETEs), redundant_sas.
// Attributed to the episode of the SPI they name (else to the most recently
// opened open episode, else to the last closed one): cant_find_sa
// (kDeleteForUnknownSpi, kRekeyForUnknownSpi), esp_dropped (packets),
// tunnel_resets (one per loss of the tunnel: a kTunnelDown while the other peer
// is up; the other peer's own kTunnelDown for the same loss, before either is up
// again, is not a second reset), ike_rekeys (once per rekeyed IKE SA),
// ike_collisions (both peers had an IKE rekey request outstanding on the same
// IKE SA), outages and downtime: a direction is down while its sender has no
// outbound SA or the receiver does not accept the SPI it sends on
// (ChildSaTracker), once the direction has been up; each down interval of
// positive length is one outage, attributed where it began. no_sa, cleartext
// and esp_link_down (packets, from the traffic model's kEspNoSa, kEspCleartext
// and kEspLinkDown records) name no SPI of an episode: the current one.
// One exception, because ESP and IKE messages share the link: a sender that
// switches to a new SA no later than it sends the message that makes the
// receiver install that SA's inbound half (RFC 7296 2.8: a rekey responder MAY
// send once it has responded) has its packets arrive behind that message. Such
// an interval, ended by that install, loses no packet (bar reordering, which
// esp_dropped counts) and is not an outage. A mismatch ended by a message sent
// after it began (a lost response retransmitted) or by the sender switching
// away (the receiver removed the SA first) is one.
//
// Memory is O(1) in trial length: state exists only for SA pairs alive or in
// flux, open episodes, and outstanding requests.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "models/outcome.hpp"
#include "models/trace.hpp"
#include "models/world/child_sa_tracker.hpp"

namespace models::world {

class OutcomeClassifier final : public TraceSink {
 public:
  // Standalone: applies every record to a ChildSaTracker of its own.
  OutcomeClassifier();
  // In a world: reads `shared`, which the owner applies each record to before
  // handing it to record() (one tracker for the whole trial; it must outlive
  // the classifier).
  explicit OutcomeClassifier(const ChildSaTracker& shared);
  OutcomeClassifier(const OutcomeClassifier&) = delete;
  OutcomeClassifier& operator=(const OutcomeClassifier&) = delete;

  void record(const TraceRecord& r) override;
  // Tells `listener` (may be null) of every outcome as it is counted.
  void set_listener(OutcomeListener* listener) { listener_ = listener; }
  // Ends open outages at `end`, counts still-open episodes, sets `simulated`.
  void finish(SimTime end);

  const TrialOutcome& outcome() const { return outcome_; }
  std::uint64_t episodes_closed() const { return outcome_.episodes; }
  // State sizes, bounded whatever the trial length.
  std::size_t tracked_pairs() const { return pairs_.size(); }
  std::size_t open_episodes() const { return open_.size(); }
  std::size_t outstanding_requests(PeerId p) const { return requests_[idx(p)].size(); }
  const ChildSaTracker& tracker() const { return *sas_; }

 private:
  struct Pair {
    std::uint64_t id = 0;
    std::array<std::uint32_t, 2> spi_in{};  // inbound SPI at A, at B
    std::array<bool, 2> in_ok{};
    std::array<bool, 2> out_ok{};
    std::uint64_t parent = 0;
    std::uint64_t episode = 0;  // 0: not acted upon
    bool present(std::size_t p) const { return in_ok[p] || out_ok[p]; }
    bool present_anywhere() const { return present(0) || present(1); }
  };
  struct Request {
    std::uint64_t ike_sa = 0;
    std::uint32_t message_id = 0;
    ExchangeType exchange = ExchangeType::kInformational;
    bool ike_rekey = false;
    std::array<std::uint64_t, Message::kMaxDeleteSpis> pairs{};  // pair ids named (0: none)
  };
  struct Episode {
    std::uint64_t id = 0;
    std::uint64_t root = 0;   // pair id of generation G
    std::uint32_t flags = 0;  // bit per Outcome
    bool collision = false;
    SimTime collision_at{};  // the second crossing request
    bool rekeyed = false;
  };
  struct Direction {
    bool ever_up = false;
    bool down = false;
    SimTime since{};
    std::uint64_t episode = 0;
    std::uint32_t spi = 0;     // the sender's outbound SPI when it went down (0: none)
    bool spi_changed = false;  // the sender used another SPI while down
  };
  // A recent transmission of a peer's (requests, responses, retransmissions).
  struct Sent {
    std::uint64_t ike_sa = 0;
    std::uint32_t message_id = 0;
    bool response = false;
    SimTime at{};
  };
  static constexpr std::size_t kSentRing = 16;
  // The message a peer is processing: when its sender sent it (the records it
  // causes carry the same time).
  struct Received {
    bool known = false;
    SimTime at{};
    SimTime sent_at{};
  };

  static std::size_t idx(PeerId p) { return static_cast<std::size_t>(p); }
  // An outcome's flag in Episode::flags, and its index in TrialOutcome's arrays.
  static constexpr std::uint32_t bit(Outcome o) { return 1u << static_cast<unsigned>(o); }
  static constexpr std::size_t at(Outcome o) { return static_cast<std::size_t>(o); }
  Pair* pair_by_id(std::uint64_t id);
  Pair& install(PeerId p, std::uint32_t spi_in, std::uint32_t spi_out);
  Episode* episode_by_id(std::uint64_t id);
  // Pair g is acted upon: it joins or opens an episode. Inline: most records
  // act on a pair that already has its episode.
  void touch(Pair& g) {
    if (g.episode == 0) open_episode_for(g);
  }
  void open_episode_for(Pair& g);
  void on_request_sent(PeerId p, const Message& m);
  void on_message_received(PeerId p, const Message& m, SimTime at);
  // Counts n of o in episode episode_id (0: the current one), begun at
  // `onset` (default: the record being classified).
  void add(Outcome o, std::uint64_t n, std::uint64_t episode_id,
           std::optional<SimTime> onset = std::nullopt);
  void count_at_close(Outcome o, std::uint64_t n, SimTime onset);
  std::uint64_t current_episode() const;
  bool counted_recently(std::array<std::uint64_t, 4>& ring, std::size_t& next, std::uint64_t spi);
  void on_transmitted(PeerId p, const Message& m, SimTime at);
  // Nothing to do while the tracker has not changed (see outcome_directions.cpp):
  // most records change no SA, so the check is inline.
  void update_directions(const TraceRecord& r) {
    if (directions_seen_ != sas_->version()) directions_changed(r);
  }
  void directions_changed(const TraceRecord& r);
  // The direction from `sender` came back up with record r because the
  // receiver installed the SPI the sender already sent on, in answer to a
  // message sent no later than the mismatch began (see the header comment).
  bool in_flight_install(PeerId sender, const Direction& d, const TraceRecord& r) const;
  void end_outage(Direction& d, SimTime now);
  void close_settled();
  void close(std::size_t open_index);
  void fold(Episode& e);

  TrialOutcome outcome_;
  ChildSaTracker own_sas_;     // used only when standalone
  const ChildSaTracker* sas_;  // own_sas_ or the owner's
  bool applies_ = false;       // record() applies records to own_sas_
  std::vector<Pair> pairs_;
  std::array<std::vector<Request>, 2> requests_;
  std::vector<Episode> open_;
  Episode last_closed_;
  std::array<std::uint64_t, 2> pending_parent_{};
  std::array<Direction, 2> directions_;  // indexed by sender
  // sas_->version() at the last update_directions() (none yet: max).
  std::uint64_t directions_seen_ = ~std::uint64_t{0};
  std::array<std::array<Sent, kSentRing>, 2> sent_{};
  std::array<std::size_t, 2> sent_next_{};
  // The time of each peer's newest entry, and how many more entries must be
  // added before the ring is in time order again (0: it is; its unused
  // entries count as sent at time 0). In order, a look-up from the newest
  // entry can stop at the first match (see on_message_received).
  std::array<SimTime, 2> sent_last_{};
  std::array<std::size_t, 2> sent_unordered_{};
  std::array<Received, 2> received_{};
  std::array<bool, 2> up_seen_{};      // the peer reported kTunnelUp at least once
  std::array<bool, 2> tunnel_down_{};  // the peer reported kTunnelDown and not yet kTunnelUp
  std::array<std::uint64_t, 4> ike_rekeyed_{};
  std::size_t ike_rekeyed_next_ = 0;
  std::array<std::uint64_t, 4> ike_started_{};
  std::size_t ike_started_next_ = 0;
  SimTime now_{};  // time of the record being classified
  OutcomeListener* listener_ = nullptr;
  std::array<std::uint64_t, 4> ike_collided_{};
  std::size_t ike_collided_next_ = 0;
  std::uint64_t next_pair_id_ = 1;
  std::uint64_t next_episode_id_ = 1;
};

}  // namespace models::world
