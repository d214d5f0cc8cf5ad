// What one or two ingested logs say about a tunnel: the episode timeline,
// classified by the classifier `trace --first` uses (tools/trace
// find_all(), the same definitions as `run`'s outcomes), the outcome counts
// under `run`'s names, and what can be inferred -- vendor and version, Child
// and IKE SA rekey intervals, who initiates, one-way latency and jitter --
// each with the log lines it rests on.
#pragma once

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

struct Episode {
  sim::SimTime time;            // on A's clock, t = 0 at A's first line
  trace::EpisodeFilter kind;    // kCollision, kCantFindSa, kOutage or kTunnelReset
  std::string detail;           // the collision kind ("crossing_delete"), "" otherwise
  std::vector<Evidence> lines;  // the lines that mark it (at most 6)
};

// A sample of durations: n, median, 95% interval for the mean, spread.
struct Durations {
  std::vector<double> values_s;  // seconds
  std::vector<Evidence> lines;   // where each value ends (at most 8 kept)
  double median() const;
  sim::Interval mean_ci95() const;
  double sd() const;
};

struct Timeline {
  std::vector<Episode> episodes;  // time order
  // Outcome counts under `run`'s names; nullopt: no log given shows it.
  std::optional<std::uint64_t> collisions, cant_find_sa, outages, tunnel_resets;
  std::optional<std::uint64_t> redundant_sas;
  std::uint64_t child_rekeys = 0;  // Child SAs rekeyed (distinct SAs named by REKEY_SA, or new SAs)
  std::string child_rekeys_from;   // how child_rekeys was counted
  std::uint64_t ike_rekeys = 0;
  std::uint64_t rekey_requests[2] = {0, 0};  // Child rekey requests sent, by peer
  std::uint64_t pfs_requests[2] = {0, 0};    // of those, with a KE payload (PFS)
  std::vector<Evidence> pfs_lines[2];
  Durations child_interval;  // between successive new Child SAs
  Durations ike_interval;
  Durations one_way;                      // half of request -> response gaps
  bool one_way_below_resolution = false;  // gaps seen, but on 1 s timestamps
  std::vector<Evidence> initiator_lines;
};

// Episodes and inference over merged records. `styles` are the styles of
// log A and (if given) log B; `two_logs` whether B was given.
Timeline analyse(const Merged& merged, Style style_a, std::optional<Style> style_b);

}  // namespace rekeysim::ingest
