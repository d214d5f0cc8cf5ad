// The race window of the first Child SA rekey, in closed form (issue 15).
//
// A Child SA rekey collision (RFC 7296 2.8.1) needs both peers to send a
// CREATE_CHILD_SA for the same SA before each has processed the other's. The
// peers' first soft-lifetime (rekey) timers fire at
//   T_P = t_P + s_P + e_P,   s_P = (L_P - m_P - J_P) / (1 + clock_error_P)
// where t_P is when peer P installed the SA (B on the IKE_AUTH request, A on
// its response), L_P the Child lifetime, m_P the effective margin (A is the
// SA's initiator, B its responder: LifetimePolicy), J_P the random jitter
// (U[0,1) x fuzz x margin, floored to fuzz_quantum) and e_P the tick rounding
// plus timer lateness. Everything but J_A and J_B is bounded, so
//   |(T_A - T_B) - Y| <= D,   Y = s_A - s_B = c - J_A' + J_B'
// with c = (L_A - m_A)/(1+err_A) - (L_B - m_B)/(1+err_B), J_P' = J_P/(1+err_P).
// If the timer gap is at least w (the longest time from one peer's timer to
// the other having processed its request: initiation delay + transit +
// worker pick-up + processing), the later peer's SA is already being rekeyed
// when its timer fires, and strongSwan's rule (rekey only INSTALLED SAs,
// lifetimes.cpp) makes the timer a no-op: no collision. So a collision needs
// |Y| < W = w + D, an event on the two jitter draws alone. Those draws are
// independent of everything else in the trial, and their distribution is
// exact (uniform, or uniform over fuzz_quantum cells), so
//   P(|Y| < W) = P(|c - J_A' + J_B'| < W)
// is a closed form (convolution of two uniforms, or sums over cells).
//
// It holds only where every term above is bounded and nothing else can start
// a rekey near the first one; analyse_race_window says which condition fails.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/config.hpp"
#include "sim/random.hpp"

namespace rekeysim::runner {

// One peer's jitter J' = J / (1 + clock_error) in true nanoseconds.
struct JitterModel {
  enum class Kind {
    kNone,        // no draw that matters (fuzz 0, or a responder without responder_fuzz)
    kContinuous,  // J' ~ U[0, width): jitter = U x width
    kLattice,     // J' = k x step, k = floor(U / cell_u), k = 0 .. cells - 1
  };
  Kind kind = Kind::kNone;
  double width = 0;  // kContinuous, and kLattice: fuzz x margin / (1 + clock_error), ns
  double step = 0;   // kLattice: fuzz_quantum / (1 + clock_error), ns
  std::uint64_t cells = 1;
  double cell_u = 1;  // kLattice: fuzz_quantum / (fuzz x margin), the U-width of one cell
  // The model's own terms (Peer::soft_delay), to reproduce its arithmetic.
  double fuzz = 0;
  double margin_ns = 0;
  double quantum_ns = 0;
  double scale = 1;  // 1 + clock_error_ppm x 1e-6
  // Whether the peer draws at all (the estimator's hook replaces that draw).
  bool drawn = false;
};

struct RaceWindow {
  bool applies = false;
  // Why it does not apply (first failing condition, with the scenario key),
  // empty when it applies.
  std::string why_not;
  double race_ns = 0;    // w: a timer gap >= w cannot start a collision
  double offset_ns = 0;  // D: bound on |(T_A - T_B) - Y|
  double window_ns = 0;  // W = w + D, the half-width on Y
  double centre_ns = 0;  // c
  double p_window = 0;   // P(|Y| < W), exact
  JitterModel a;
  JitterModel b;
  // Range of Y over every draw of the two jitters: [c - max J_A', c + max J_B'].
  double gap_lo_ns = 0;
  double gap_hi_ns = 0;
  // How P(|Y| < W) = 0 follows from the bounds alone, when it does
  // (p_window is then 0): kRange, Y's range lies outside (-W, W); kLattice,
  // fuzz_quantum puts every Y on lattice points none of which is within W,
  // checked on positions alone, including a draw of the full fuzz x margin
  // (a pair of continuous jitters never proves it this way: their density is
  // positive on the whole range, and a mass computed as 0 may be rounding).
  // kNone also where a delay bound in W is rekeysim's cut of an unbounded
  // link latency (normal, lognormal, exponential: models/world/link.hpp)
  // rather than the scenario's own bound: the cut tail is not impossible,
  // only improbable, so a race is not excluded; zero_not_exact says why.
  enum class ZeroProof { kNone, kRange, kLattice };
  ZeroProof zero = ZeroProof::kNone;
  std::string zero_not_exact;  // set when p_window is 0 but zero is kNone
};

// Checks the conditions and computes the window for the first Child SA rekey
// of `config` (A the IKE_AUTH initiator). Conditions (each failing one gives
// why_not): trials of exactly one Child rekey (rekeys: 1); no IKE message
// loss and no link-down windows; a first retransmission timeout longer than
// the longest round trip (no retransmission without loss); bounded processing, initiation and timer
// lateness delays (constant, uniform, empirical; link latency is bounded
// because the model truncates it, models/world/link.hpp); no Child volume
// limits; no responder_deletes_old (its DELETE crosses the initiator's, a
// collision of another kind); IKE rekey and reauthentication not before the Child SA's hard
// expiry; a margin that leaves the rekey and the DELETE of the old SA time
// to finish before the hard expiry (4 exchange bounds + old_sa_delete_delay
// + the install offset); at most
// 4,000,000 pairs of fuzz_quantum cells near the window.
RaceWindow analyse_race_window(const models::TrialConfig& config);

// P(|c - J_A' + J_B'| < window) for the given jitters (closed form). Exposed
// for tests.
double window_probability(const JitterModel& a, const JitterModel& b, double centre_ns,
                          double window_ns);

// The jitters one draw of U gives (the model's own formula, for tests).
double jitter_of(const JitterModel& m, double u);

// The two U[0,1) values of peers A and B for one trial.
struct JitterDraw {
  double u_a = 0;
  double u_b = 0;
};

// Draws (u_a, u_b) from their joint distribution conditioned on |Y| < W.
// Build once per window (it lists the cell pairs near the window), then draw
// from any number of threads (draw is const).
class WindowSampler {
 public:
  explicit WindowSampler(const RaceWindow& w);
  JitterDraw draw(sim::Rng& rng) const;
  double mass() const { return total_; }  // equals RaceWindow::p_window

 private:
  struct Pair {
    std::uint64_t ka = 0;  // cell of A (0 unless A is a lattice)
    std::uint64_t kb = 0;
    double cumulative = 0;  // mass up to and including this pair
  };
  RaceWindow w_;
  std::vector<Pair> pairs_;
  double total_ = 0;
};

// Draws (u_a, u_b) from their joint distribution conditioned on |Y| >= W
// (the outside stratum of the window estimator): two plain U[0,1) draws,
// redrawn while timer_gap_of puts them inside the window. Exact (rejection
// keeps the conditional distribution) and cheap where P(window) is small:
// 1 / (1 - P(window)) pairs on average. Throws std::runtime_error after
// 1,000,000 rejected pairs (P(window) that close to 1 leaves nothing outside
// worth sampling; choose_estimator does not take the window there).
JitterDraw draw_outside_window(const RaceWindow& w, sim::Rng& rng);

// `config` with the first Child jitter of each drawing peer set to the draw
// (LifetimePolicy::first_jitter_u01).
models::TrialConfig conditioned_config(const models::TrialConfig& config, const JitterDraw& d);

// Y = s_A - s_B for one draw, in ns (the model's formula, for tests).
double timer_gap_of(const RaceWindow& w, const JitterDraw& d);

// Random stream of the estimator's draws, per (seed, trial): apart from the
// world's components (sim::StreamComponent, models/world/world.hpp 0x100..).
inline constexpr std::uint64_t kRaceWindowStream = 0x200;
// Random stream of the outside stratum's draws, per (seed, trial).
inline constexpr std::uint64_t kOutsideWindowStream = 0x201;

}  // namespace rekeysim::runner
