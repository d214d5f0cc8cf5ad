// One IKEv2 peer: what every exchange shares. Its SA databases, its task
// manager (queue, window size 1 of RFC 7296 2.3, Message IDs and
// retransmission of 2.1-2.4), its lifetime timers and its port to the world.
// What happens inside each exchange lives in exchanges/ (one unit per
// exchange, as strongSwan's child_rekey.c, child_delete.c, ike_rekey.c).
// It sees the world only through a PeerPort and reports everything
// observable as TraceRecords.
//
// Public API (stable; models/world and the scripted test world code against it):
//   Peer(id, config, port), Peer::establish(a, b), on_message, on_timer,
//   on_traffic, volume_budget, on_traffic_needs_sa, and the queries below.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "models/config.hpp"
#include "models/ikev2/nonce.hpp"
#include "models/ikev2/peer_port.hpp"
#include "models/ikev2/sa.hpp"
#include "models/ikev2/task.hpp"
#include "models/trace.hpp"

namespace models::ikev2 {

class Peer {
 public:
  // Draws its timer tick phase from port.rng().
  Peer(PeerId id, const PeerConfig& config, PeerPort& port);
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  // Both peers now hold an established IKE SA and one Child SA, as if
  // IKE_AUTH had just completed at port.now() (initiator = the IKE_SA_INIT
  // initiator). Arms lifetime timers. Emits kChildSaInstalled,
  // kOutboundSwitched and kTunnelUp on both.
  static void establish(Peer& initiator, Peer& responder);
  // Negotiates a fresh IKE SA and its first Child SA as the initiator, now:
  // IKE_SA_INIT then IKE_AUTH through the port (RFC 7296 1.2). The responder
  // installs its Child SA on the IKE_AUTH request, this peer on the response,
  // so their lifetimes start one message latency apart. Does nothing while
  // this peer holds any IKE SA.
  void connect();

  // A message arrived (after the world's processing delay).
  void on_message(const Message& m);
  // A timer armed through PeerPort::start_timer fired.
  void on_timer(TimerKind kind, std::uint64_t cookie);

  // Volume lifetimes: the traffic model reports bytes/packets carried on the
  // SA whose inbound SPI at this peer is spi_in (deltas since the last call);
  // the peer checks its soft/hard limits. Unknown SPIs are ignored.
  void on_traffic(std::uint32_t spi_in, std::uint64_t bytes_in, std::uint64_t packets_in,
                  std::uint64_t bytes_out, std::uint64_t packets_out);
  // What may still be carried before this SA's next volume event (soft or
  // hard), or nullopt when it has no volume limit, is unknown, or has
  // already expired (no volume event is left).
  std::optional<VolumeBudget> volume_budget(std::uint32_t spi_in) const;

  // StartAction::kOnTraffic: a packet needs an SA and this peer has none to
  // send on. Starts IKE_SA_INIT (no IKE SA) or a CREATE_CHILD_SA create (no
  // Child SA) unless one is already under way. Idempotent; does nothing for
  // other start actions' pending work.
  void on_traffic_needs_sa();
  // True when the peer has no outbound SA and would (re)create one on traffic.
  bool wants_traffic_trigger() const;

  // ---- Manual triggers (tests, scripted scenarios; strongSwan's swanctl) ----
  void request_rekey_child(std::uint32_t spi_in);   // as if its soft lifetime expired
  void request_delete_child(std::uint32_t spi_in);  // user/admin delete (child_delete task)
  void request_rekey_ike();                         // as if the IKE SA's soft lifetime expired
  void request_delete_ike();                        // user/admin close of the IKE SA
  // Destroys a Child SA without any exchange (a peer that silently lost state).
  void forget_child(std::uint32_t spi_in);

  // ---- Queries for tests, traffic and invariants ----
  PeerId id() const { return id_; }
  const PeerConfig& config() const { return config_; }
  std::span<const ChildSa> child_sas() const { return children_; }
  const ChildSa* find_child(std::uint32_t spi_in) const;
  // The IKE SA that currently carries the Child SAs (nullptr when down).
  const IkeSa* ike_sa() const;
  std::span<const IkeSa> ike_sas() const { return ikes_; }
  // SPI it currently sends ESP on (newest installed outbound half).
  std::optional<std::uint32_t> outbound_spi() const { return outbound_spi_; }
  // True when an inbound half with this SPI is installed (ESP would be accepted).
  bool accepts_inbound(std::uint32_t spi) const;
  // Requests queued behind the outstanding one (window size 1).
  std::size_t queued_tasks() const { return queue_.size(); }
  // A 64-bit fingerprint of everything that decides this peer's future
  // behaviour: its SA databases, task queue, Message ID counters and flags.
  // Timer handles count only as armed or not (their ids depend on the order
  // the world handed them out), so two peers that reached the same state by
  // different event orders digest equal (tools/explore's state hashing).
  std::uint64_t state_digest() const;

 private:
  // The exchanges (exchanges/*.hpp) are the peer's tasks, as in strongSwan's
  // task manager: each builds and processes its own messages on the shared
  // state below.
  friend struct ChildRekey;
  friend struct ChildCreate;
  friend struct ChildDelete;
  friend struct IkeRekey;
  friend struct IkeDelete;
  friend struct IkeSaInit;

  // --- helpers (peer.cpp) ---
  SimTime local_to_true(SimTime local) const;
  SimTime round_to_tick(SimTime at, SimTime tick) const;
  SimTime soft_delay(const LifetimePolicy& p, SaRole role);
  // Inline: every exchange reports through them, about 40 records per rekey.
  void trace(const TraceRecord& r) { port_.emit(r); }
  TraceRecord rec(TraceKind k) const {
    TraceRecord r;
    r.time = port_.now();
    r.peer = id_;
    r.kind = k;
    r.ike_spi = current_ike_;
    return r;
  }
  std::uint32_t new_child_spi();
  std::uint64_t new_ike_spi();
  SimTime draw_retry_delay();
  SimTime timer_lateness();  // a draw of config.timer_lateness (no draw when it is 0)
  // 2.25.1 / 2.25.2: the IKE SA is being rekeyed or closed, so requests to
  // create or rekey Child SAs on it get TEMPORARY_FAILURE.
  bool ike_busy_for_child(const IkeSa& ike) const;

  // --- SA database (sa_database.cpp) ---
  ChildSa* child_by_in(std::uint32_t spi);
  ChildSa* child_by_out(std::uint32_t spi);  // lookup as RFC 7296 1.3.3 / 1.4.1 require
  IkeSa* ike_by_id(std::uint64_t id);
  IkeSa* current_ike();
  bool owns_children(std::uint64_t ike_id) const;  // a Child SA belongs to it (ChildSa::ike)
  // Another installed SA for the same traffic, not being replaced or deleted (a
  // collision without a tie-break left a duplicate), or nullptr.
  ChildSa* live_duplicate(const ChildSa& c);
  static bool created_with_lower_nonce(const ChildSa& a, const ChildSa& b);
  // After every event: if we send on nothing but hold an SA we withheld as the
  // 2.8.1 winner (or its replacement), send on it (the peer kept it).
  void resume_withheld_outbound();
  // `ike`: the IKE SA it is negotiated on (ChildSa::ike). `ni`, `nr` must not
  // refer into children_ (the new SA is built in place; the vector may grow).
  ChildSa& add_child(std::uint32_t spi_in, std::uint32_t spi_out, SaRole role, const Nonce& ni,
                     const Nonce& nr, std::uint64_t ike);
  void switch_outbound(ChildSa& c);
  // outbound_spi_ from children_ (after an installed outbound half is removed).
  void find_outbound_spi();
  void remove_outbound(ChildSa& c);
  void remove_inbound(ChildSa& c);
  void destroy_child(std::uint32_t spi_in);  // both halves, record gone
  void keep_inbound_then_destroy(ChildSa& c);
  void destroy_all_children();

  // --- event bodies (on_message / on_timer / on_traffic run them, then
  // resume_withheld_outbound) ---
  void handle_message(const Message& m);
  void picked_up(std::uint64_t seq);  // worker_race_window: a worker takes message `seq`
  void handle_timer(TimerKind kind, std::uint64_t cookie);
  void handle_traffic(std::uint32_t spi_in, std::uint64_t bytes_in, std::uint64_t packets_in,
                      std::uint64_t bytes_out, std::uint64_t packets_out);

  // --- task manager (task_manager.cpp): RFC 7296 2.1-2.4 ---
  void queue_task(const Task& t);
  IkeSa* task_ike(const Task& t);  // the IKE SA task `t` runs on (nullptr: none)
  void run_tasks();
  bool start_task(IkeSa& ike, Task& t);  // false: task dropped as obsolete
  void send_request(IkeSa& ike, const Task& t, Message m);
  void send_response(IkeSa& ike, const Message& m);
  void arm_retransmit(IkeSa& ike);
  void retransmit_timeout(std::uint64_t id);
  void finish_request(IkeSa& ike);
  Message base_message(const IkeSa& ike, ExchangeType e, bool response, std::uint32_t id) const;
  void on_request(IkeSa& ike, const Message& m);
  void on_response(IkeSa& ike, const Message& m);

  // --- lifetimes (lifetimes.cpp) ---
  void arm_child_timers(ChildSa& c);
  void arm_ike_timers(IkeSa& ike);
  void child_soft_expire(std::uint32_t spi_in);
  void child_hard_expire(std::uint32_t spi_in);
  void ike_soft_expire(std::uint64_t id);
  void ike_hard_expire(std::uint64_t id);

  // --- losses and re-establishment (losses.cpp) ---
  void destroy_ike(std::uint64_t id);  // IKE SA record gone (children untouched)
  void tunnel_reset();                 // all IKE and Child SAs gone, then re-establish
  void teardown_ike(IkeSa& ike);
  void after_child_loss();   // start_action for a lost Child SA
  void start_reestablish();  // begin_ike_sa when this peer holds no IKE SA
  // A new IKE SA as initiator (kConnecting) and its IKE_SA_INIT task, now.
  void begin_ike_sa();
  void schedule_reestablish();  // per start_action, after reestablish_delay
  void arm_reauth();            // reauth_time after an IKE_AUTH (RFC 7296 2.8.3)
  void reauthenticate();        // RFC 7296 2.8.3 per reauth_mode
  // The new IKE SA of a make-before-break reauthentication of IKE SA `old_id`
  // is gone (2.4 give-up, or refused): arms the next attempt
  // (behaviour.reauth_retry_interval, reauth_tries) or, after the last,
  // reauth_time again. Nothing if `old_id` is gone or being deleted.
  void reauth_failed(std::uint64_t old_id);
  // RFC 7296 1.4.1, 2.4: IKE SA `id` is gone (deleted, given up, expired)
  // with exactly its Child SAs. true: nothing usable was left, so the whole
  // tunnel was reset (tunnel_reset); false: another IKE SA carries it on
  // (traffic moved to its newest Child SA), or `id` carried nothing.
  bool lose_ike(std::uint64_t id);
  // behaviour.duplicate_ike_sa keep_newest (losses.cpp): send on another IKE
  // SA's newest Child SA, then DELETE IKE SA `id`.
  void delete_duplicate_ike(std::uint64_t id);

  PeerId id_;
  PeerConfig config_;
  PeerPort& port_;
  std::uint64_t outbound_seq_ = 0;
  std::uint64_t current_ike_ = 0;  // id of the IKE SA carrying the Child SAs
  // IKE SAs whose rekey waits for a retry (2.25): (due time, IKE SA id), one
  // per armed kRetryRekey timer with kIkeRekeyRetryCookie; the timer due
  // first takes the entry due first.
  std::vector<std::pair<SimTime, std::uint64_t>> ike_retries_;
  bool reestablish_pending_ = false;
  bool create_wanted_ = false;  // kOnTraffic: a Child SA is missing
  bool tunnel_up_ = false;
  double tick_fraction_ = 0;  // timer tick phase as a fraction of the tick
  // LifetimePolicy::first_jitter_u01 used (index 0: Child, 1: IKE).
  std::array<bool, 2> first_jitter_hooked_{};
  std::vector<ChildSa> children_;
  // What outbound_spi() answers, kept by switch_outbound and remove_outbound
  // (the only places an outbound half is installed or removed): the world and
  // resume_withheld_outbound ask after every event, SAs change a few times
  // per rekey.
  std::optional<std::uint32_t> outbound_spi_;
  std::vector<IkeSa> ikes_;
  std::vector<Task> queue_;
  // Received messages waiting for a worker (worker_race_window > 0 only).
  std::vector<std::pair<std::uint64_t, Message>> waiting_;
  std::uint64_t waiting_seq_ = 0;
  sim::EventId reauth_timer_;  // reauth_time > 0, or a reauthentication's next attempt
  int reauth_failures_ = 0;    // failed attempts of the reauthentication under way
};

}  // namespace models::ikev2
