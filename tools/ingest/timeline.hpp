// What one or two ingested logs say about a tunnel: the episode timeline,
// classified by the classifier `trace --first` uses (tools/trace
// find_all(), the same definitions as `run`'s outcomes), the outcome counts
// under `run`'s names, and what can be inferred -- vendor and version, Child
// and IKE SA rekey intervals, who initiates, one-way latency and jitter --
// each with the log lines it rests on.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/stats.hpp"
#include "tools/ingest/align.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::ingest {

// Whether a log style can show an episode kind at all (e.g. Juniper kmd logs
// no DELETE, so no can't-find-SA): the timeline says "not shown" rather than 0.
bool shows(Style style, trace::EpisodeFilter filter);

// Whether a style logs each Child SA's install and delete with its SPIs and
// which SA a rekey replaces (the `redundant_sas` count needs them from both
// peers): strongSwan only at the default levels read.
bool shows_sa_lifecycle(Style style);

// Whether a style logs the kernel's soft expiry of each Child SA with its
// inbound SPI (PAN-OS "received PFKEY_EXPIRE ... spi=0x.. expired=1"): the
// rekeys a device starts, counted when the log shows no REKEY_SA request.
bool shows_soft_expiry(Style style);

// Whether one log alone of this style shows every Child SA collision of the
// tunnel: not PAN-OS, which logs no CREATE_CHILD_SA at its default level, so
// one log shows only the collisions whose DELETEs crossed (both logs show
// both peers' soft expiries of one SA, and with them every collision).
bool one_log_shows_every_collision(Style style);

// Whether a style shows Child SA rekeys at all: a REKEY_SA request with its
// SPI, an SA install or a soft expiry. Cisco IOS `debug crypto ikev2` prints
// a CREATE_CHILD_SA packet's payloads as "ENCR" (no REKEY_SA, and an IKE SA
// rekey is a CREATE_CHILD_SA too) and no SA install: not shown.
bool shows_child_rekeys(Style style);

struct Episode {
  sim::SimTime time;            // on A's clock, t = 0 at A's first line
  trace::EpisodeFilter kind;    // kCollision, kCantFindSa, kOutage or kTunnelReset
  std::string detail;           // the collision kind ("crossing_delete"), "" otherwise
  std::vector<Evidence> lines;  // the lines that mark it (at most 6)
};

// A sample of durations: n, median, 95% interval for the mean, spread. The
// count, mean, sd, min and max are over every value; the values themselves
// are kept up to kMaxKept, then a deterministic uniform sample of kMaxKept
// (median and quartiles come from it), so memory is bounded on long logs.
struct Durations {
  static constexpr std::size_t kMaxKept = 4096;
  std::vector<double> values_s;  // seconds (all of them, or the sample)
  std::vector<Evidence> lines;   // where each value ends (at most 8 kept)
  std::uint64_t n = 0;
  double min_s = 0, max_s = 0;
  sim::RunningMean stats;
  std::uint64_t sampler = 0x9E3779B97F4A7C15ull;  // reservoir state (fixed seed)
  void add(double v, const Evidence& e);
  void merge(const Durations& other);  // other's values after this one's
  bool empty() const { return n == 0; }
  double median() const;
  sim::Interval mean_ci95() const;
  double sd() const;
};

struct Timeline {
  std::vector<Episode> episodes;  // time order (the first kMaxEpisodes)
  static constexpr std::size_t kMaxEpisodes = 10000;
  std::uint64_t episodes_not_listed = 0;  // beyond kMaxEpisodes (still counted)
  // Outcome counts under `run`'s names; nullopt: no log given shows it.
  std::optional<std::uint64_t> collisions, cant_find_sa, outages, tunnel_resets;
  // Child SAs left over after a collision settled (`run`'s classifier over
  // the records); nullopt unless both peers' logs show SA installs and deletes.
  std::optional<std::uint64_t> redundant_sas;
  // Child SAs rekeyed: the distinct SAs named by REKEY_SA requests; else
  // (PAN-OS) with two logs the distinct SAs soft-expired in either log (an
  // SA both peers soft-expire is one, its halves tied by its "Deleted SA"
  // banner), with one log showing soft expiries its SA generations, whichever
  // peer rekeyed (its own soft expiries and the DELETEs of old SAs it sent
  // or received, one per 1 s); else the new SAs installed.
  std::uint64_t child_rekeys = 0;
  std::string child_rekeys_from;   // how child_rekeys was counted
  bool child_rekeys_shown = true;  // false: no log given shows them (shows_child_rekeys)
  std::uint64_t ike_rekeys = 0;
  // Child rekey requests by the peer that sent them: with two logs those each
  // log shows sent; with one, also those it received (the other peer's).
  std::uint64_t rekey_requests[2] = {0, 0};
  std::uint64_t pfs_requests[2] = {0, 0};  // of those, with a KE payload (PFS)
  // Soft expiries of Child SAs by peer, in styles that log no rekey request
  // (PAN-OS): each starts a rekey that peer initiates, so they say who
  // initiates where rekey_requests cannot (they say nothing of PFS).
  std::uint64_t soft_expiries[2] = {0, 0};
  std::vector<Evidence> pfs_lines[2];
  // Between successive Child SA rekeys of the tunnel, whichever peer
  // initiated each (a rekey either peer starts resets both peers' timers,
  // RFC 7296 2.8: the new SA gets fresh lifetimes). This is the interval the
  // tunnel lives by, the shorter of the two soft lifetimes (minus their
  // random parts), not one peer's own: a one-log count of the log peer's
  // requests alone would read two SA generations (40 s for 20 s timers) when
  // the peers take turns. A peer that never initiates has a soft lifetime of
  // at least this interval, no more is known of it.
  Durations child_interval;
  Durations ike_interval;
  Durations one_way;                      // half of request -> response gaps
  bool one_way_below_resolution = false;  // gaps seen, but on 1 s timestamps
  std::vector<Evidence> initiator_lines;
};

// analyse() one record at a time: feed merged records in time order with
// where each came from, then finish() once. What is held is bounded whatever
// the log's length: the records of one instant, the marks of the last
// kEpisodeGap (+ 5 s for a collision's kind), requests in flight (60 s),
// bounded SA-pair and SA-key memories (the oldest forgotten first) and
// bounded samples (Durations). analyse() is feed() over every record.
class Analyser {
 public:
  Analyser(Style style_a, std::optional<Style> style_b);
  Analyser(Analyser&&) noexcept;
  ~Analyser();
  void feed(const models::TraceRecord& r, const Evidence& e);
  // resolution: each log's timestamp step (Merged::resolution; for one log
  // both entries are the log's).
  Timeline finish(const sim::SimTime (&resolution)[2]);
  // Most records and marks held at once (the memory bound, for tests).
  std::size_t peak_held() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Episodes and inference over merged records. `styles` are the styles of
// log A and (if given) log B; `two_logs` whether B was given.
Timeline analyse(const Merged& merged, Style style_a, std::optional<Style> style_b);

}  // namespace rekeysim::ingest
