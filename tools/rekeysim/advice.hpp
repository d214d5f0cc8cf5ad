// Which lifetime to set on which box: the engine behind `recommend`,
// `report` and `audit`. Every harmful outcome is weighed into one harm per
// Child SA rekey episode; lifetime staggers are tried in both directions,
// each realised as a lifetime one of the two devices can actually be
// configured with (models/profiles/lifetime_settings.hpp), and simulated.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/outcome.hpp"
#include "models/profiles/lifetime_settings.hpp"
#include "tools/rekeysim/common.hpp"

namespace rekeysim::cli {

// Weight of each outcome in the harm per rekey: events (collisions,
// cant_find_sa, outages, redundant_sas, tunnel_resets) per occurrence,
// esp_dropped per packet, downtime per second. IKE outcomes weigh 0 (they
// have their own denominator).
struct HarmWeights {
  std::array<double, models::kOutcomeCount> w{};
  double of(models::Outcome o) const { return w[static_cast<std::size_t>(o)]; }
};
// collisions 1, cant_find_sa 1, outages 1, esp_dropped 0.001/pkt, downtime 1/s,
// redundant_sas 0.1, tunnel_resets 10.
HarmWeights default_harm_weights();
// "outages=5,esp_dropped=0.1" applied onto `base`. Throws std::invalid_argument
// (message names the bad item and the expected form).
HarmWeights parse_harm_weights(std::string_view spec, HarmWeights base);
// Weight 1 on `o` alone (its own unit), 0 elsewhere: `--objective o`.
HarmWeights objective_weights(models::Outcome o);
// "collisions x1, outages x1, esp_dropped x0.01/pkt, downtime x1/s, ..." (non-zero only).
std::string describe_weights(const HarmWeights& w);

// Harm per Child SA rekey episode and a conservative 95% interval: the sum of
// each weighted outcome's own 95% bounds (so at least 95% coverage).
struct Harm {
  double rate = 0;
  sim::Interval ci95;
};
Harm harm_of(const runner::PointResult& r, const HarmWeights& w);

// One configuration tried: the current one (no change) or a stagger realised
// by setting one peer's Child SA lifetime.
struct Candidate {
  sim::SimTime shift{};     // added to (B's lifetime - A's lifetime); 0 for the current config
  char peer = 0;            // 'a' or 'b' whose lifetime changes; 0 for the current config
  sim::SimTime lifetime{};  // that peer's new Child SA lifetime
  char alt_peer = 0;        // the other way to get the same shift (0 if not configurable)
  sim::SimTime alt_lifetime{};
  models::TrialConfig config;  // as simulated
  PointReport report;
  Harm harm;
  bool passed = false;  // harm upper 95% bound < target
};

struct AdviceOptions {
  double target = 5e-3;  // harm per rekey the upper 95% bound must stay below
  HarmWeights weights = default_harm_weights();
  // Keep trying larger staggers after one passes (the report's sweep).
  bool full_ladder = false;
  // Raise trials (up to this many) at a stagger whose interval still straddles the target.
  std::uint64_t max_trials = 20'000;
  // A quick screen (`audit`): a configuration passes when its harm estimate
  // is below the target, and trials are never raised. The advice is then
  // what the estimate favours, to be confirmed with `recommend`.
  bool pass_on_estimate = false;
};

enum class Verdict { kNoStaggerNeeded, kStagger, kNoneEnough };

struct Advice {
  std::string scenario;
  double target = 0;
  HarmWeights weights;
  models::TrialConfig config;  // the current configuration, resolved
  Candidate current;
  std::vector<Candidate> tried;  // staggers, in ladder order (both signs per magnitude)
  Verdict verdict = Verdict::kNoneEnough;
  std::optional<std::size_t> chosen;  // index into tried
  std::optional<std::size_t> other;   // the opposite direction at the chosen magnitude
  std::optional<std::size_t> best;    // lowest harm tried (kNoneEnough)
  std::vector<std::string> notes;     // staggers not configurable on either device, trials raised
  std::string why_none;               // kNoneEnough: what limits a stagger (jitter, tick)
};

// The harm flags every advising command shares: --target, --weights, --objective.
struct HarmFlags {
  double target = 5e-3;
  std::string weights;
  std::string objective;
};
void add_harm_options(CLI::App* sub, HarmFlags& flags);
// Throws std::runtime_error naming the flag and the expected form (main
// reports it as a usage error, exit 2).
AdviceOptions advice_options(const HarmFlags& flags);

// Simulates the current configuration, then staggers ±1 s, ±2 s, ±5 s, ...
// up to half the shorter lifetime. Throws std::runtime_error when no rekey
// episode was simulated.
Advice advise(scenario::Scenario sc, const AdviceOptions& options, const CommonOptions& o);

// "set B's (aws-vpn) Phase 2 lifetime (Phase2LifetimeSeconds) to 3,480 s (58 min)".
std::string change_text(const Advice& a, const Candidate& c);
// Harm with its interval and the non-zero outcomes behind it.
std::string harm_text(const Candidate& c, const HarmWeights& w);
// The recommendation in a few lines (the head of `recommend`'s output).
std::string advice_summary(const Advice& a);
std::string render_advice_text(const Advice& a);
nlohmann::ordered_json advice_json(const Advice& a, const RunHeader& header);

}  // namespace rekeysim::cli
