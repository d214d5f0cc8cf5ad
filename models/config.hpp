// The typed configuration of one trial: what the scenario loader (tools/scenario)
// produces, what vendor profiles (models/profiles) fill in, and what the IKEv2
// model (models/ikev2) consumes. Field names mirror the YAML contract keys of
// the scenario schema; every behaviour difference between implementations is a
// field here with an RFC 7296 default (architecture principle 3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/margin.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models {

using sim::DurationDist;
using sim::SimTime;

// ---- Behaviour knobs ------------------------------------------------------

// How a peer settles a simultaneous rekey of the same SA (RFC 7296 2.8.1, 2.8.2).
enum class CollisionResolution {
  kRfc7296FourNonce,    // lowest of the four nonces (octet order, prefix is lower) marks the
                        // redundant SA
  kStrongswanMinNonce,  // strongSwan lost_collision(): memcmp over the shorter length; a prefix tie
                        // makes both win
  kNone,                // libreswan: no tie-break, both new SAs kept, newest outbound used
  kInverted,  // OpenIKED 2017-2022 (ikev2.c 1.143-1.347, fixed by commit 7bd8441, PR #83): the
              // Child SA comparison swapped the two exchanges' nonces, so the peer takes the
              // wrong SA as redundant (it loses exactly when RFC 7296 says it wins). IKE SA
              // collisions keep the RFC rule.
  kStrongswan4LowestWins,    // strongSwan 4.1.0-4.5.0 (child_rekey.c handle_collision(),
                             // ike_rekey.c process_i(); fixed by commit 1ed482d808 "Fix nonce
                             // comparison in rekey collisions, lowest nonce loses", 4.5.1): the
                             // exchange holding the lowest nonce (memcmp over the shorter length)
                             // won, for Child and IKE SAs alike; a prefix tie made both lose.
  kStrongswanPre56MinNonce,  // strongSwan 5.0.0-5.5.3: the kStrongswanMinNonce compare, but the
                             // rekey initiator installed the new SA's outbound half on the
                             // response, before the collision was decided, so a loser sends on
                             // its redundant SA until its DELETE is answered (fixed by commit
                             // 15e745cf4d "child-rekey: Don't install outbound SA in case of lost
                             // collisions", 5.6.0).
};

// What a peer does with a DELETE (or REKEY_SA) naming an SPI it does not have.
enum class UnknownSpiAction {
  kIgnore,         // RFC 7296 2.25.1: answer without a Delete payload, say nothing
  kLogCantFindSa,  // PAN-OS: log "can't find sa for proto ESP spi 0x..." and answer
  kTeardownIke,    // treat the state as "sufficiently messed up" (1.4.1) and close the IKE SA
};

// How a peer answers a DELETE for a Child SA it is itself deleting.
enum class CrossingDeleteHandling {
  kRfc7296,  // 1.4.1: remove outgoing half on the request, incoming on the response, empty reply
  kNaive,    // forget the SA as soon as the own DELETE is sent; the peer's DELETE then names an
             // unknown SPI
};

// When the rekey responder starts sending on the new Child SA (RFC 7296 2.8).
enum class ResponderOutboundSwitch {
  kOnOldSaDelete,   // RFC recommendation, strongSwan >= 5.5.3: on the initiator's DELETE of the old
                    // SA
  kOnResponseSent,  // right after sending the CREATE_CHILD_SA response (PAN-OS, CSCvx23833)
  kOnRequest,       // while processing the request, before the response leaves
};

// Which new IKE SA inherits the Child SAs in a simultaneous IKE rekey.
enum class IkeCollisionWinner {
  kRfc7296,          // 2.8.2: the SA with the lowest nonce is redundant
  kRfc4718Inverted,  // RFC 4718 5.11.4: the SA containing the lowest nonce inherits the Child SAs
};

// What happens after an SA hard-expires without a successful rekey, or after a
// tunnel reset.
enum class StartAction {
  kOnTraffic,  // re-create when the next packet needs the SA (Cisco, trap policies)
  kImmediate,  // re-create at once (start_action=start)
  kNone,       // stay down
};

// What a peer's kernel does with an outbound packet that matches the tunnel's
// traffic selectors while no outbound Child SA exists (after a loss, a hard
// expiry, a tunnel reset, or between a DELETE and the next SA).
enum class NoSaPolicy {
  kDrop,   // dropped (a drop/shunt policy, or a route-based tunnel interface without SA)
  kTrap,   // dropped, and the packet asks the IKE daemon for an SA (an acquire: strongSwan
           // start_action=trap, a crypto map ACL match); start_action on_traffic acts on it
  kClear,  // sent unprotected (no policy left, traffic follows the routing table): a leak
};

// What a rekey initiator does when the peer answers its CREATE_CHILD_SA with
// TEMPORARY_FAILURE after the peer's own, colliding rekey of the same SA has
// completed (the peer did not notice the collision; RFC 7296 2.25, 2.8.2).
enum class TempFailureInCollision {
  // RFC 7296 / strongSwan >= 6.0: the peer's rekey replaced the SA; abort the
  // own rekey without retrying, keep the peer's new SA, and treat the peer's
  // DELETE of the old SA as concluding that passive rekey (outbound moves to
  // the peer's new SA).
  kAdoptPeerRekey,
  // strongSwan <= 5.9.x (issue #1896): put the old SA back to "installed" and
  // schedule a retry (retry_min..retry_max); the peer's DELETE of the old SA
  // is then handled as a plain delete, the outbound half of the peer's new SA
  // is never installed, and outbound traffic goes nowhere until the next rekey.
  kRetryOwnRekey,
};

// What a rekey initiator does with the peer's DELETE for the Child SA it is
// rekeying when no collision is known, i.e. a responder that deletes the old
// SA itself and whose DELETE is processed before its CREATE_CHILD_SA
// response (strongSwan issue #1458; RFC 7296 2.25.1 says only "reply as
// usual").
enum class RekeyVsDelete {
  // strongSwan >= 6.0 (CR-09): keep the SA, and send on it, until the
  // response; a normal response then concludes the rekey (the DELETE was an
  // "incorrect" one), a TEMPORARY_FAILURE closes it.
  kKeepUntilResponse,
  // strongSwan <= 5.9.14: the DELETE closes the SA at once ("we reply as
  // usual, rekeying will fail"), and the response's new SA is then deleted as
  // redundant ("CHILD_SA rekey/delete collision, deleting redundant child"):
  // no Child SA is left.
  kCloseBoth,
};

// How a peer reauthenticates its IKE SA (RFC 7296 2.8.3).
enum class ReauthMode {
  // 2.8.3: a new IKE SA from scratch (IKE_SA_INIT, IKE_AUTH without
  // INITIAL_CONTACT), its Child SAs, then DELETE of the old IKE SA, which
  // takes the old Child SAs with it. strongSwan make_before_break = yes (the
  // default since 6.0.0).
  kMakeBeforeBreak,
  // strongSwan make_before_break = no (the default before 6.0.0): DELETE the
  // IKE SA and its Child SAs, then IKE_SA_INIT + IKE_AUTH when that DELETE
  // is answered. Traffic has no SA in between.
  kBreakBeforeMake,
};

// What a peer does when it holds two established IKE SAs with the same peer,
// e.g. after both peers re-established at once (crossing IKE_SA_INIT).
enum class DuplicateIkeSa {
  // Keep both IKE SAs and their Child SAs (RFC 7296 has no rule for two IKE
  // SAs between the same peers; 2.8.2 covers only rekey collisions).
  // strongSwan swanctl unique = no (UNIQUE_NO, the swanctl default):
  // check_uniqueness does nothing unless IKE_AUTH carried INITIAL_CONTACT.
  kKeepBoth,
  // strongSwan unique = replace (UNIQUE_REPLACE; ipsec.conf uniqueids = yes,
  // the stroke default): the IKE_AUTH responder deletes an older established
  // IKE SA with the same identities (ike_sa_manager.c check_uniqueness /
  // enforce_replace), after duplicate_ike_delete_delay.
  kKeepNewest,
};

// ---- Lifetimes ------------------------------------------------------------

// One SA kind's lifetime policy as each peer enforces it, from the moment that
// peer installed the SA (IKEv2 does not negotiate lifetimes, RFC 7296 2.8).
// soft (rekey) time = lifetime - margin_eff - jitter, where, with
// m = margin.resolve(lifetime) (a fixed duration, or the vendor's fraction of
// this lifetime: models/margin.hpp),
//   initiator of the SA:  margin_eff = m,                            jitter = U[0,1) * fuzz * m
//   responder of the SA:  margin_eff = m * responder_margin_scale,   jitter as above if
//                         responder_fuzz
// jitter is floored to a multiple of fuzz_quantum when it is non-zero
// (strongSwan draws whole seconds: rekey - random() % (rand + 1)), and the
// result is rounded up to the peer's timer tick.
struct LifetimePolicy {
  SimTime lifetime = sim::hours(8);  // hard expiry in time
  Margin margin = sim::minutes(9);   // rekey this long (or this fraction of lifetime) before expiry
  double fuzz = 1.0;                 // fraction of margin drawn at random (1.0 = 100%)
  SimTime fuzz_quantum{};            // 0 = continuous jitter
  double responder_margin_scale = 1.0;  // libreswan: 0.5
  bool responder_fuzz = true;           // libreswan: false
  SimTime tick{};                       // timer granularity; 0 = exact
  // Volume limits; 0 = none. Soft volume = lifetime_bytes * (1 - volume_margin).
  std::uint64_t lifetime_bytes = 0;
  std::uint64_t lifetime_packets = 0;
  double volume_margin = 0.1;  // Cisco: rekey when ~10% of the volume remains
  // Estimator hook, never set from a scenario: the U[0,1) value the peer's
  // first soft-lifetime jitter of this SA kind uses instead of its draw (the
  // draw is still made, so the rest of the peer's random stream is as in an
  // unconditioned trial). tools/runner/race_window.hpp sets it to condition
  // the first Child rekey on the race window. Unset: drawn.
  std::optional<double> first_jitter_u01{};
};

// Retransmission of requests (RFC 7296 2.4, 2.1). Try n (0-based) times out
// after timeout * base^n (capped at `cap` if non-zero); after `tries`
// retransmissions the last timeout runs out and the peer gives up, destroying
// the IKE SA and its Child SAs (a tunnel reset).
struct RetransmitPolicy {
  SimTime timeout = sim::seconds(4);
  double base = 1.8;
  int tries = 5;
  SimTime cap{};
  double jitter = 0;  // fraction by which each timeout is randomly reduced
};

struct PeerBehaviour {
  CollisionResolution collision_resolution = CollisionResolution::kRfc7296FourNonce;
  UnknownSpiAction unknown_spi = UnknownSpiAction::kIgnore;
  CrossingDeleteHandling crossing_delete = CrossingDeleteHandling::kRfc7296;
  ResponderOutboundSwitch responder_switch = ResponderOutboundSwitch::kOnOldSaDelete;
  IkeCollisionWinner ike_collision_winner = IkeCollisionWinner::kRfc7296;
  StartAction start_action = StartAction::kOnTraffic;

  // Initiator of a Child rekey: wait this long after the new SA is up before
  // sending DELETE for the old one (1.3.3). libreswan: 1 s; strongSwan: 0.
  SimTime old_sa_delete_delay{};
  // Keep the old inbound half this long after its DELETE exchange (strongSwan
  // delete_rekeyed_delay 5 s; libreswan 1 s).
  SimTime inbound_keep_delay = sim::seconds(5);
  // Retry after TEMPORARY_FAILURE: uniform in [retry_min, retry_max] (strongSwan 6-15 s, 2.25).
  SimTime retry_min = sim::seconds(6);
  SimTime retry_max = sim::seconds(15);
  // 2.8.2: the winner deletes a redundant IKE SA the peer never deleted after this.
  SimTime redundant_ike_timeout = sim::seconds(30);
  // A plain IKE rekey responder deletes the old IKE SA itself after this if
  // the initiator never does (strongSwan ike_rekey.c).
  SimTime ike_rekey_forced_delete = sim::seconds(90);
  // After a tunnel reset, the IKE SA is re-established after this long.
  SimTime reestablish_delay = sim::seconds(1);
  RetransmitPolicy retransmit;
  // Added for the strongswan-5.9 profile (key behaviour.temp_failure_in_collision).
  TempFailureInCollision temp_failure_in_collision = TempFailureInCollision::kAdoptPeerRekey;
  // CREATE_CHILD_SA for Child SAs carries a KE payload (PFS, RFC 7296 1.3.1):
  // the daemon then does a Diffie-Hellman exchange for each rekey, which is
  // what its processing_delay_ke measures.
  bool child_pfs = false;
  // RFC 7296 1.3: a responder that will not accept more Child SAs on this IKE
  // SA answers a CREATE_CHILD_SA that creates one with NO_ADDITIONAL_SAS.
  // At most this many live Child SAs; 0 = no limit. A rekey is never refused
  // for it: it replaces an SA rather than adding one.
  int max_child_sas = 0;
  // Outbound packets that find no Child SA (models/world/esp_flow: counted as
  // no_sa, or as cleartext when sent in clear). Only kTrap lets traffic start
  // a negotiation, so start_action kOnTraffic needs it.
  NoSaPolicy no_sa_policy = NoSaPolicy::kTrap;
  // A plain rekey responder sends the INFORMATIONAL DELETE for the old Child
  // SA itself, old_sa_delete_delay after its CREATE_CHILD_SA response
  // (RFC 7296 1.3.3 leaves that to the initiator; PAN-OS in strongSwan issue
  // #1458). Not in a collision: a peer rekeying the SA itself is no plain
  // responder.
  bool responder_deletes_old = false;
  RekeyVsDelete rekey_vs_delete = RekeyVsDelete::kKeepUntilResponse;
  // The daemon hands each received message to a worker thread, and workers
  // take the IKE SA in no fixed order: each message waits U[0, window) ns
  // before it is processed, so two messages arriving less than `window`
  // apart may be processed in either order (strongSwan's charon; #1458 saw
  // it for messages < 0.5 ms apart). 0 = in arrival order, no draw.
  SimTime worker_race_window{};
  // RFC 7296 2.8.3: reauthenticate this long after the IKE SA was
  // established by IKE_AUTH (an IKE rekey keeps the time, as strongSwan's
  // reauth_time survives a rekey); 0 = never. How: reauth_mode.
  SimTime reauth_time{};
  ReauthMode reauth_mode = ReauthMode::kMakeBeforeBreak;
  // A make-before-break reauthentication whose new IKE SA fails (its
  // IKE_SA_INIT or IKE_AUTH gives up, RFC 7296 2.4, or is refused) is tried
  // again reauth_retry_interval later, up to reauth_tries attempts in all
  // (strongSwan keyingtries; 0 = until one succeeds), while the old IKE SA
  // carries the tunnel. When the last attempt fails, reauth_time is armed
  // again from that moment.
  SimTime reauth_retry_interval{};
  int reauth_tries = 0;
  DuplicateIkeSa duplicate_ike_sa = DuplicateIkeSa::kKeepBoth;
  // kKeepNewest: the older duplicate's DELETE goes this long after the
  // IKE_AUTH that made the newer one (strongSwan: 10 s when the peer's
  // address is unchanged, "suspected reauthentication").
  SimTime duplicate_ike_delete_delay{};
};

struct PeerConfig {
  std::string profile = "rfc7296";  // the profile name the defaults came from
  LifetimePolicy child;
  LifetimePolicy ike{sim::hours(24), sim::minutes(9)};
  PeerBehaviour behaviour;
  double clock_error_ppm = 0;     // this peer's clock runs fast (> 0) or slow by this much
  DurationDist processing_delay;  // per message handled (default 0)
  // Per message kind, where it differs: messages carrying a KE payload
  // (Diffie-Hellman, key derivation and SA install: IKE_SA_INIT, IKE rekey,
  // Child rekey/create with PFS) and INFORMATIONAL ones. Unset:
  // processing_delay.
  std::optional<DurationDist> processing_delay_ke;
  std::optional<DurationDist> processing_delay_informational;
  // A soft-expiry (rekey) timer runs this long after it came due: the
  // daemon's scheduler and the kernel's expiry event (strongSwan 5.9.8 with
  // kernel-libipsec: 0-4 ms, see the strongswan profile).
  DurationDist timer_lateness;
  // A rekey timer's job holds the IKE SA this long before its request leaves
  // (key generation and building the message); messages arriving meanwhile
  // wait for it.
  DurationDist initiation_delay;
  // The vendor log shape `rekeysim trace --style auto` prints this peer's
  // lines in (a tools/trace style name, models::known_log_styles()). Only
  // the trace views read it; the simulation never does.
  std::string log_style = "plain";
};

// ---- Network and traffic --------------------------------------------------

// A scheduled link-down window: the link loses every packet (IKE and ESP)
// sent from `at` for `duration`; with `every` > 0 again every `every` after
// that (at + k * every, k = 0, 1, ...), each occurrence starting a further
// U[0, jitter) later, drawn per trial and occurrence (duration + jitter <
// every keeps occurrences apart). Times in SimTime ns from the trial's start.
struct DownWindow {
  SimTime at{};
  SimTime duration{};
  SimTime every{};   // 0 = once
  SimTime jitter{};  // periodic windows only
};

struct LinkConfig {
  DurationDist latency =
      DurationDist::constant(sim::milliseconds(16));  // one way, including jitter
  double loss = 0;                                    // probability a message (IKE or ESP) is lost
  // Where IKE and ESP fare differently (a rate-limited or filtered path,
  // ESP dropped by a middlebox while UDP 500/4500 passes): each overrides
  // `loss` for its own kind.
  std::optional<double> ike_loss;
  std::optional<double> esp_loss;
  double reorder = 0;       // probability a message is held back by reorder_delay
  SimTime reorder_delay{};  // extra delay for a reordered message
  // Link-down windows (network.down), pairwise disjoint; empty = always up.
  std::vector<DownWindow> down;
};

struct NetworkConfig {
  LinkConfig a_to_b;
  LinkConfig b_to_a;
};

struct FlowConfig {
  double rate_pps = 0;   // packets per second; 0 = no ESP traffic
  bool poisson = false;  // false = constant spacing
  std::uint64_t size_bytes = 600;
};

struct TrafficConfig {
  FlowConfig a_to_b;
  FlowConfig b_to_a;
};

// ---- One trial ------------------------------------------------------------

struct TrialConfig {
  PeerConfig a;
  PeerConfig b;
  NetworkConfig network;
  TrafficConfig traffic;
  // A trial ends at `duration` of simulated time, or after `rekeys` Child SA
  // rekey episodes if that is set (whichever the scenario states); a trial
  // counted in rekeys also ends after 4 Child lifetimes per rekey plus a day
  // (run_trial), so a tunnel lost for good cannot run it forever.
  SimTime duration = sim::days(30);
  std::optional<std::uint64_t> rekeys;
};

}  // namespace models
