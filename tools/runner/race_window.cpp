#include "tools/runner/race_window.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "models/world/link.hpp"

namespace rekeysim::runner {

namespace {

using models::PeerConfig;
using sim::DurationDist;

constexpr double kSlackNs = 1000;  // 1 us for nanosecond roundings (soft_delay, local_to_true)
constexpr std::uint64_t kMaxPairs = 4'000'000;

double ns(sim::SimTime t) {
  return static_cast<double>(t.ns());
}

// The largest value a delay can take, when rekeysim draws it from a bounded
// distribution (normal, lognormal and exponential processing delays are not
// truncated by the model).
std::optional<double> bound_ns(const DurationDist& d) {
  switch (d.kind) {
    case DurationDist::Kind::kConstant:
      return std::max(0.0, ns(d.a));
    case DurationDist::Kind::kUniform:
      return std::max({0.0, ns(d.a), ns(d.b)});
    case DurationDist::Kind::kEmpirical: {
      double m = 0;
      for (const auto s : d.samples) m = std::max(m, ns(s));
      return m;
    }
    default:
      return std::nullopt;
  }
}

// ---- pieces of a jitter distribution ---------------------------------------

struct Piece {
  bool point = true;
  double at = 0;     // point: J'
  double width = 0;  // continuous: J' ~ U[0, width)
  double u_lo = 0;   // the U values that give this piece
  double u_hi = 1;
  double weight = 1;
  double lo() const { return point ? at : 0; }
  double hi() const { return point ? at : width; }
};

Piece piece(const JitterModel& m, std::uint64_t k) {
  Piece p;
  switch (m.kind) {
    case JitterModel::Kind::kNone:
      break;
    case JitterModel::Kind::kContinuous:
      p.point = false;
      p.width = m.width;
      break;
    case JitterModel::Kind::kLattice:
      p.at = static_cast<double>(k) * m.step;
      p.u_lo = static_cast<double>(k) * m.cell_u;
      p.u_hi = std::min(1.0, static_cast<double>(k + 1) * m.cell_u);
      p.weight = p.u_hi - p.u_lo;
      break;
  }
  return p;
}

// Indices of m's pieces whose support meets [lo, hi].
std::pair<std::uint64_t, std::uint64_t> pieces_meeting(const JitterModel& m, double lo, double hi) {
  if (m.kind != JitterModel::Kind::kLattice) return {0, 1};
  const double first = std::max(0.0, std::floor(lo / m.step) - 1);
  const double last = std::min(static_cast<double>(m.cells), std::ceil(hi / m.step) + 2);
  if (last <= first) return {0, 0};
  return {static_cast<std::uint64_t>(first), static_cast<std::uint64_t>(last)};
}

// G(x) - G(y) for x >= y, G(x) = max(x, 0)^2 / 2, without cancellation.
double diff_g(double x, double y) {
  if (x <= 0) return 0;
  if (y >= 0) return (x - y) * (x + y) / 2;
  return x * x / 2;
}

// P(lo < Z < hi) for Z = beta V - alpha U, U and V independent U[0, 1): the
// convolution of U[-alpha, 0] and U[0, beta] (a trapezoid), whose CDF is
// sum_i sign_i G(z - s_i) / (alpha beta) over the four corner sums s_i.
double trapezoid_mass(double alpha, double beta, double lo, double hi) {
  if (hi <= lo) return 0;
  const double s[4] = {-alpha, beta - alpha, 0, beta};
  const double sign[4] = {1, -1, -1, 1};
  double m = 0;
  for (int i = 0; i < 4; ++i) m += sign[i] * diff_g(hi - s[i], lo - s[i]);
  return std::clamp(m / (alpha * beta), 0.0, 1.0);
}

// Length of [a, b) within [0, 1).
double overlap01(double a, double b) {
  return std::max(0.0, std::min(b, 1.0) - std::max(a, 0.0));
}

// P(|c - J_A' + J_B'| < W) within one piece of each.
double pair_mass(const Piece& a, const Piece& b, double c, double w) {
  if (a.point && b.point) return std::abs(c - a.at + b.at) < w ? 1 : 0;
  if (a.point) {  // Y = (c - a) + width_b V
    const double y0 = c - a.at;
    return overlap01((-w - y0) / b.width, (w - y0) / b.width);
  }
  if (b.point) {  // Y = (c + b) - width_a U
    const double y0 = c + b.at;
    return overlap01((y0 - w) / a.width, (y0 + w) / a.width);
  }
  return trapezoid_mass(a.width, b.width, -w - c, w - c);
}

double uniform_in(sim::Rng& rng, double lo, double hi) {
  if (!(hi > lo)) return lo;
  const double u = rng.uniform(lo, hi);
  return std::min(u, std::nextafter(hi, lo));
}

// Calls f(piece of A, index, piece of B, index, mass) for every pair of pieces
// with mass > 0; false when there would be more than kMaxPairs of them.
template <typename F>
bool for_each_pair(const JitterModel& ma, const JitterModel& mb, double c, double w, F f) {
  // J_A' must lie in (c + min J_B' - W, c + max J_B' + W).
  const double b_max = mb.kind == JitterModel::Kind::kNone ? 0 : mb.width;
  const auto [a0, a1] = pieces_meeting(ma, c - w, c + b_max + w);
  std::uint64_t n = 0;
  for (std::uint64_t i = a0; i < a1; ++i) {
    const Piece pa = piece(ma, i);
    // J_B' must lie in (J_A' - c - W, J_A' - c + W).
    const auto [b0, b1] = pieces_meeting(mb, pa.lo() - c - w, pa.hi() - c + w);
    for (std::uint64_t j = b0; j < b1; ++j) {
      const Piece pb = piece(mb, j);
      const double m = pa.weight * pb.weight * pair_mass(pa, pb, c, w);
      if (m <= 0) continue;
      if (++n > kMaxPairs) return false;
      f(pa, i, pb, j, m);
    }
  }
  return true;
}

JitterModel jitter_model(const models::LifetimePolicy& p, bool initiator, double clock_error_ppm) {
  JitterModel m;
  m.drawn = initiator || p.responder_fuzz;
  const double margin = ns(p.margin.resolve(p.lifetime));
  const double scale = 1.0 + clock_error_ppm * 1e-6;
  const double f = p.fuzz * margin;
  m.fuzz = p.fuzz;
  m.margin_ns = margin;
  m.quantum_ns = ns(p.fuzz_quantum);
  m.scale = scale;
  if (!m.drawn || !(f > 0)) return m;
  m.width = f / scale;
  if (p.fuzz_quantum.ns() > 0) {
    const double q = ns(p.fuzz_quantum);
    m.kind = JitterModel::Kind::kLattice;
    m.step = q / scale;
    m.cell_u = q / f;
    m.cells = static_cast<std::uint64_t>(std::ceil(f / q));
  } else {
    m.kind = JitterModel::Kind::kContinuous;
  }
  return m;
}

double margin_eff(const models::LifetimePolicy& p, bool initiator) {
  const double m = ns(p.margin.resolve(p.lifetime));
  return initiator ? m : m * p.responder_margin_scale;
}

std::string peer_key(bool a) {
  return a ? "peers.a" : "peers.b";
}

// The first failing condition, or empty (see analyse_race_window).
std::string check_bounded(const PeerConfig& pc, bool is_a) {
  auto unbounded = [&](const std::string& key, const DurationDist& d) {
    return peer_key(is_a) + "." + key + " " + d.describe() +
           " is unbounded (rekeysim does not truncate it), so no finite window bounds an exchange";
  };
  if (!bound_ns(pc.processing_delay)) return unbounded("processing_delay", pc.processing_delay);
  if (pc.processing_delay_ke && !bound_ns(*pc.processing_delay_ke))
    return unbounded("processing_delay_ke", *pc.processing_delay_ke);
  if (pc.processing_delay_informational && !bound_ns(*pc.processing_delay_informational))
    return unbounded("processing_delay_informational", *pc.processing_delay_informational);
  if (!bound_ns(pc.initiation_delay)) return unbounded("initiation_delay", pc.initiation_delay);
  if (!bound_ns(pc.timer_lateness)) return unbounded("timer_lateness", pc.timer_lateness);
  if (pc.child.lifetime_bytes != 0 || pc.child.lifetime_packets != 0)
    return peer_key(is_a) +
           ".child has a volume lifetime: a rekey started by traffic has no closed-form time";
  if (pc.child.lifetime.ns() <= 0) return peer_key(is_a) + ".child has no lifetime: no rekey";
  // The classifier counts crossing DELETEs as a collision too (README
  // "Reading the numbers"): a responder that deletes the old SA itself makes
  // one after every rekey, with no timer race at all.
  if (pc.behaviour.responder_deletes_old)
    return peer_key(is_a) +
           ".behaviour.responder_deletes_old: the rekey responder's DELETE of the old SA can "
           "cross the initiator's, a collision without any timer race";
  return {};
}

// The largest J' the model can draw: U < 1 and the floor to fuzz_quantum
// only lowers it, so width bounds both kinds.
double jitter_max(const JitterModel& m) {
  return m.kind == JitterModel::Kind::kNone ? 0 : m.width;
}

// Whether no J' the model can draw for a lattice peer comes within W of one
// of the other's (point against point, or against B's closed interval
// [0, width]): the positions alone, not masses, and the cell k = cells too
// (J = fuzz x margin exactly, where U x fuzz x margin rounds up to it). False
// without a lattice, or past kMaxPairs candidates.
bool lattice_apart(const JitterModel& a, const JitterModel& b, double c, double w) {
  using K = JitterModel::Kind;
  if (a.kind != K::kLattice && b.kind != K::kLattice) return false;
  // The lattice side's points k x step, k = 0 .. cells; a continuous side is
  // its interval [0, width]; kNone is the point 0.
  struct Side {
    bool lattice = false;
    double step = 0;
    std::uint64_t last = 0;  // highest k
    double hi = 0;           // continuous: width
  };
  auto side = [](const JitterModel& m) {
    Side s;
    if (m.kind == K::kLattice) {
      s.lattice = true;
      s.step = m.step;
      s.last = m.cells;
    } else if (m.kind == K::kContinuous) {
      s.hi = m.width;
    }
    return s;
  };
  const Side sa = side(a);
  const Side sb = side(b);
  // Y = c - J_A' + J_B' must stay outside (-W, W).
  auto meets = [&](double ja_lo, double ja_hi, double jb_lo, double jb_hi) {
    return c - ja_hi + jb_lo < w && c - ja_lo + jb_hi > -w;
  };
  // Candidate k of a lattice side whose point could meet the window, given
  // the other side's J' in [lo, hi]: J' within (c - W + lo, c + W + hi) for
  // A, (-c - W + lo, -c + W + hi) for B; one step of margin each way.
  auto range = [](const Side& s, double from, double to) {
    const double k0 = std::max(0.0, std::floor(from / s.step) - 1);
    const double k1 = std::min(static_cast<double>(s.last), std::ceil(to / s.step) + 1);
    return std::pair<double, double>{k0, k1};
  };
  const double b_max = sb.lattice ? static_cast<double>(sb.last) * sb.step : sb.hi;
  if (sa.lattice) {
    const auto [k0, k1] = range(sa, c - w, c + w + b_max);
    if (k1 - k0 > static_cast<double>(kMaxPairs)) return false;
    std::uint64_t n = 0;
    for (double ka = k0; ka <= k1; ++ka) {
      const double ja = ka * sa.step;
      if (!sb.lattice) {
        if (meets(ja, ja, 0, sb.hi)) return false;
        continue;
      }
      const auto [j0, j1] = range(sb, ja - c - w, ja - c + w);
      for (double kb = j0; kb <= j1; ++kb) {
        if (++n > kMaxPairs) return false;
        if (meets(ja, ja, kb * sb.step, kb * sb.step)) return false;
      }
    }
    return true;
  }
  // B alone is a lattice; A is the interval [0, width] or the point 0.
  const double a_max = sa.hi;
  const auto [k0, k1] = range(sb, -c - w, -c + w + a_max);
  if (k1 - k0 > static_cast<double>(kMaxPairs)) return false;
  for (double kb = k0; kb <= k1; ++kb) {
    const double jb = kb * sb.step;
    if (meets(0, a_max, jb, jb)) return false;
  }
  return true;
}

// A link latency whose bound in W is rekeysim's cut (models/world/link.hpp
// DelayBounds) rather than the distribution's own, or empty.
std::string cut_latency(const models::TrialConfig& config) {
  const models::LinkConfig* links[2] = {&config.network.a_to_b, &config.network.b_to_a};
  const char* key[2] = {"network a_to_b", "network b_to_a"};
  for (int i = 0; i < 2; ++i) {
    const DurationDist& d = links[i]->latency;
    const bool own = d.kind == DurationDist::Kind::kConstant ||
                     d.kind == DurationDist::Kind::kUniform ||
                     d.kind == DurationDist::Kind::kEmpirical;
    if (!own)
      return std::string(key[i]) + " latency " + d.describe() +
             " has no bound of its own: W uses rekeysim's cut of its tail "
             "(models/world/link.hpp), and a transit beyond the cut is improbable, not "
             "impossible, so a race is not excluded";
  }
  return {};
}

double processing_max(const PeerConfig& pc) {
  double m = *bound_ns(pc.processing_delay);
  if (pc.processing_delay_ke) m = std::max(m, *bound_ns(*pc.processing_delay_ke));
  if (pc.processing_delay_informational)
    m = std::max(m, *bound_ns(*pc.processing_delay_informational));
  return m;
}

}  // namespace

namespace {
// The cell Peer::soft_delay floors a lattice draw to.
double cell_of(const JitterModel& m, double u) {
  return std::floor(u * m.fuzz * m.margin_ns / m.quantum_ns);
}

// A U in [piece.u_lo, piece.u_hi) that the model maps to cell k (a draw on
// a cell boundary may round to the neighbour: draw again).
double u_in_cell(sim::Rng& rng, const JitterModel& m, const Piece& p, std::uint64_t k) {
  if (m.kind != JitterModel::Kind::kLattice) return uniform_in(rng, p.u_lo, p.u_hi);
  for (int i = 0; i < 64; ++i) {
    const double u = uniform_in(rng, p.u_lo, p.u_hi);
    if (cell_of(m, u) == static_cast<double>(k)) return u;
  }
  return p.u_lo + (p.u_hi - p.u_lo) / 2;
}
}  // namespace

double jitter_of(const JitterModel& m, double u) {
  switch (m.kind) {
    case JitterModel::Kind::kNone:
      return 0;
    case JitterModel::Kind::kContinuous:
      return u * m.fuzz * m.margin_ns / m.scale;
    case JitterModel::Kind::kLattice:
      return cell_of(m, u) * m.step;
  }
  return 0;
}

double window_probability(const JitterModel& a, const JitterModel& b, double c, double w) {
  long double p = 0;
  const bool ok = for_each_pair(
      a, b, c, w,
      [&](const Piece&, std::uint64_t, const Piece&, std::uint64_t, double m) { p += m; });
  if (!ok) throw std::length_error("race window: too many fuzz_quantum cell pairs");
  return static_cast<double>(std::min<long double>(p, 1.0L));
}

RaceWindow analyse_race_window(const models::TrialConfig& config) {
  RaceWindow r;
  auto fail = [&](std::string why) {
    r.why_not = std::move(why);
    return r;
  };
  if (!config.rekeys || *config.rekeys != 1)
    return fail(
        "a trial must end after its first Child SA rekey (rekeys: 1): later rekeys start from "
        "install times that earlier rekeys (and their collisions) moved, so their timer gap has "
        "no exact distribution");
  const models::LinkConfig* links[2] = {&config.network.a_to_b, &config.network.b_to_a};
  const char* link_key[2] = {"network a_to_b", "network b_to_a"};
  for (int i = 0; i < 2; ++i) {
    const double loss = links[i]->ike_loss.value_or(links[i]->loss);
    if (loss > 0)
      return fail(std::string(link_key[i]) +
                  " loses IKE messages: a retransmitted request can meet the other peer's timer "
                  "long after the window");
    if (!links[i]->down.empty())
      return fail(std::string(link_key[i]) +
                  " has link-down windows: a lost request is retransmitted after the window");
  }
  for (bool is_a : {true, false}) {
    const PeerConfig& pc = is_a ? config.a : config.b;
    if (std::string why = check_bounded(pc, is_a); !why.empty()) return fail(why);
  }
  // Child soft times, IKE soft times and reauthentication, in true ns from install.
  double child_hard_latest = 0;
  double ike_soft_earliest = 1e300;
  double reauth_earliest = 1e300;
  double tick_late[2] = {0, 0};
  for (bool is_a : {true, false}) {
    const PeerConfig& pc = is_a ? config.a : config.b;
    const double scale = 1.0 + pc.clock_error_ppm * 1e-6;
    const models::LifetimePolicy& ch = pc.child;
    const double late = *bound_ns(pc.timer_lateness);
    tick_late[is_a ? 0 : 1] = ns(ch.tick) + late;
    const double m_eff = margin_eff(ch, is_a);
    const double fuzz = ch.fuzz * ns(ch.margin.resolve(ch.lifetime));
    if (!(ns(ch.lifetime) - m_eff - fuzz > 0))
      return fail(peer_key(is_a) +
                  ".child: lifetime - margin - fuzz is not > 0, so the soft time is clipped");
    if (!(m_eff > ns(ch.tick) + late + kSlackNs))
      return fail(peer_key(is_a) +
                  ".child: the margin does not keep the soft time before the hard one");
    child_hard_latest = std::max(child_hard_latest, ns(ch.lifetime) / scale + ns(ch.tick));
    const models::LifetimePolicy& ike = pc.ike;
    if (ike.lifetime.ns() > 0) {
      const double im = ns(ike.margin.resolve(ike.lifetime));
      const double earliest =
          (ns(ike.lifetime) - std::max(im, im * ike.responder_margin_scale) - ike.fuzz * im) /
          scale;
      ike_soft_earliest = std::min(ike_soft_earliest, earliest);
    }
    if (pc.behaviour.reauth_time.ns() > 0)
      reauth_earliest = std::min(reauth_earliest, ns(pc.behaviour.reauth_time) / scale);
  }
  // Bounds of one exchange (see the header): the request's initiation delay,
  // transit, the receiver's worker pick-up and processing.
  double w = 0;
  for (bool from_a : {true, false}) {
    const PeerConfig& s = from_a ? config.a : config.b;
    const PeerConfig& q = from_a ? config.b : config.a;
    const models::world::Link link(from_a ? config.network.a_to_b : config.network.b_to_a);
    w = std::max(w, *bound_ns(s.initiation_delay) + ns(link.bounds().hi) +
                        ns(q.behaviour.worker_race_window) + processing_max(q));
  }
  r.race_ns = w + kSlackNs;
  // RFC 7296 2.1: a requester retransmits when no response came within its
  // timeout, loss or not. A timeout shorter than the longest round trip
  // sends duplicates that queue at the receiver and move installs and
  // requests by more than the bounds above (a tester's 3 ms timeout put A's
  // first install 94 ms after B's, where W allowed 24 ms). The round trip:
  // both transits, each end's pick-up and processing, and at each end a wait
  // behind its own rekey job and up to three messages ahead (the most one
  // rekey episode queues there).
  for (bool from_a : {true, false}) {
    const PeerConfig& s = from_a ? config.a : config.b;
    const PeerConfig& q = from_a ? config.b : config.a;
    const models::world::Link out(from_a ? config.network.a_to_b : config.network.b_to_a);
    const models::world::Link back(from_a ? config.network.b_to_a : config.network.a_to_b);
    auto end = [](const PeerConfig& pc) {
      return ns(pc.behaviour.worker_race_window) + *bound_ns(pc.initiation_delay) +
             4 * processing_max(pc);
    };
    const double round_trip = ns(out.bounds().hi) + ns(back.bounds().hi) + end(q) + end(s);
    const models::RetransmitPolicy& rt = s.behaviour.retransmit;
    double first = ns(rt.timeout);
    if (rt.cap.ns() > 0) first = std::min(first, ns(rt.cap));
    first = first * (1 - rt.jitter) / (1.0 + s.clock_error_ppm * 1e-6);
    if (!(first > round_trip)) {
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    ".behaviour.retransmit: the first timeout can be %.3f ms, not longer than the "
                    "longest round trip (%.3f ms)",
                    first * 1e-6, round_trip * 1e-6);
      return fail(peer_key(from_a) + buf +
                  ": a request is retransmitted without any loss, and its duplicates move what "
                  "the window bounds");
    }
  }
  // t_A - t_B: B installs on the IKE_AUTH request, A on the response.
  const models::world::Link b_to_a(config.network.b_to_a);
  const double install =
      ns(b_to_a.bounds().hi) + ns(config.a.behaviour.worker_race_window) + processing_max(config.a);
  r.offset_ns = install + std::max(tick_late[0], tick_late[1]) + kSlackNs;
  r.window_ns = r.race_ns + r.offset_ns;
  // The episode is over before the first Child SA's hard expiry; an IKE
  // rekey or a reauthentication before that could start a rekey of its own.
  // The rekey, and the initiator's DELETE of the old SA after
  // old_sa_delete_delay, must be over before either peer's hard expiry:
  // a DELETE on hard expiry crossing them is a collision with no timer
  // race. The first rekey starts at least the smaller margin (less the
  // tick, lateness and install offset) before each hard expiry, and takes
  // at most four one-way exchange bounds plus that delay.
  for (bool is_a : {true, false}) {
    const PeerConfig& pc = is_a ? config.a : config.b;
    const double m_true = margin_eff(pc.child, is_a) / (1.0 + pc.clock_error_ppm * 1e-6);
    const double episode = 4 * r.race_ns + std::max(ns(config.a.behaviour.old_sa_delete_delay),
                                                    ns(config.b.behaviour.old_sa_delete_delay));
    if (!(m_true > r.offset_ns + episode))
      return fail(peer_key(is_a) +
                  ".child: the margin does not leave the rekey and its DELETE time to finish "
                  "before the hard expiry, whose DELETE could cross them without a timer race");
  }
  const double episode_end = child_hard_latest + r.window_ns;
  if (ike_soft_earliest <= episode_end)
    return fail(
        "an IKE SA rekey can start before the first Child SA expires (ike lifetime - margin - "
        "fuzz <= child lifetime): its exchange can delay or meet a Child rekey");
  if (reauth_earliest <= episode_end)
    return fail("reauthentication can start before the first Child SA expires (reauth_time)");

  const auto& ca = config.a.child;
  const auto& cb = config.b.child;
  r.a = jitter_model(ca, true, config.a.clock_error_ppm);
  r.b = jitter_model(cb, false, config.b.clock_error_ppm);
  r.centre_ns = (ns(ca.lifetime) - margin_eff(ca, true)) / (1.0 + config.a.clock_error_ppm * 1e-6) -
                (ns(cb.lifetime) - margin_eff(cb, false)) / (1.0 + config.b.clock_error_ppm * 1e-6);
  try {
    r.p_window = window_probability(r.a, r.b, r.centre_ns, r.window_ns);
  } catch (const std::length_error&) {
    return fail("more than 4,000,000 pairs of fuzz_quantum cells lie near the window");
  }
  r.gap_lo_ns = r.centre_ns - jitter_max(r.a);
  r.gap_hi_ns = r.centre_ns + jitter_max(r.b);
  if (r.p_window == 0) {
    // W already holds kSlackNs for the model's nanosecond roundings, so a
    // range ending at W still leaves every timer gap >= the exchange bound.
    using Z = RaceWindow::ZeroProof;
    Z proof = Z::kNone;
    if (r.gap_lo_ns >= r.window_ns || r.gap_hi_ns <= -r.window_ns) {
      proof = Z::kRange;
    } else if (lattice_apart(r.a, r.b, r.centre_ns, r.window_ns)) {
      proof = Z::kLattice;
    }
    if (proof == Z::kNone &&
        (r.a.kind == JitterModel::Kind::kLattice || r.b.kind == JitterModel::Kind::kLattice)) {
      r.zero_not_exact =
          "only a jitter of the full fuzz x margin, which U < 1 reaches only by rounding, could "
          "bring the timers within W";
    } else if (proof == Z::kNone) {
      r.zero_not_exact =
          "P(|timer gap| < W) rounds to 0 although the timer gap's range meets the window: too "
          "small for double precision, not 0";
    } else if (std::string cut = cut_latency(config); !cut.empty()) {
      r.zero_not_exact = std::move(cut);
    } else {
      r.zero = proof;
    }
  }
  r.applies = true;
  return r;
}

WindowSampler::WindowSampler(const RaceWindow& w) : w_(w) {
  long double cum = 0;
  for_each_pair(w.a, w.b, w.centre_ns, w.window_ns,
                [&](const Piece&, std::uint64_t i, const Piece&, std::uint64_t j, double m) {
                  cum += m;
                  pairs_.push_back({i, j, static_cast<double>(cum)});
                });
  total_ = static_cast<double>(cum);
  if (pairs_.empty()) throw std::invalid_argument("race window: the window has probability 0");
}

JitterDraw WindowSampler::draw(sim::Rng& rng) const {
  const double target = rng.uniform01() * total_;
  auto it = std::upper_bound(pairs_.begin(), pairs_.end(), target,
                             [](double t, const Pair& p) { return t < p.cumulative; });
  if (it == pairs_.end()) --it;
  const Piece pa = piece(w_.a, it->ka);
  const Piece pb = piece(w_.b, it->kb);
  const double c = w_.centre_ns;
  const double w = w_.window_ns;
  JitterDraw d;
  if (pa.point && pb.point) {
    d.u_a = u_in_cell(rng, w_.a, pa, it->ka);
    d.u_b = u_in_cell(rng, w_.b, pb, it->kb);
  } else if (pa.point) {
    d.u_a = u_in_cell(rng, w_.a, pa, it->ka);
    const double y0 = c - pa.at;
    d.u_b =
        uniform_in(rng, std::max(0.0, (-w - y0) / pb.width), std::min(1.0, (w - y0) / pb.width));
  } else if (pb.point) {
    d.u_b = u_in_cell(rng, w_.b, pb, it->kb);
    const double y0 = c + pb.at;
    d.u_a = uniform_in(rng, std::max(0.0, (y0 - w) / pa.width), std::min(1.0, (y0 + w) / pa.width));
  } else {
    // Z = beta V - alpha U given lo < Z < hi: invert its CDF by bisection,
    // then U is uniform on the segment of the unit square where Z = z.
    const double alpha = pa.width;
    const double beta = pb.width;
    const double lo = std::max(-w - c, -alpha);
    const double hi = std::min(w - c, beta);
    const double goal = rng.uniform01() * trapezoid_mass(alpha, beta, lo, hi);
    double a = lo;
    double b = hi;
    for (int i = 0; i < 200 && b > a; ++i) {
      const double mid = a + (b - a) / 2;
      if (mid <= a || mid >= b) break;
      (trapezoid_mass(alpha, beta, lo, mid) < goal ? a : b) = mid;
    }
    const double z = a + (b - a) / 2;
    d.u_a = uniform_in(rng, std::max(0.0, -z / alpha), std::min(1.0, (beta - z) / alpha));
    d.u_b = std::clamp((z + alpha * d.u_a) / beta, 0.0, std::nextafter(1.0, 0.0));
  }
  return d;
}

JitterDraw draw_outside_window(const RaceWindow& w, sim::Rng& rng) {
  // The same test of |Y| the window argument makes (timer_gap_of is the
  // model's arithmetic), so every draw kept has a timer gap of at least W.
  for (int i = 0; i < 1'000'000; ++i) {
    JitterDraw d;
    d.u_a = rng.uniform01();
    d.u_b = rng.uniform01();
    if (!(std::abs(timer_gap_of(w, d)) < w.window_ns)) return d;
  }
  throw std::runtime_error(
      "race window: 1,000,000 jitter draws in a row fell inside the window; P(window) is too "
      "close to 1 for the outside stratum");
}

models::TrialConfig conditioned_config(const models::TrialConfig& config, const JitterDraw& d) {
  models::TrialConfig c = config;
  c.a.child.first_jitter_u01 = d.u_a;
  c.b.child.first_jitter_u01 = d.u_b;
  return c;
}

double timer_gap_of(const RaceWindow& w, const JitterDraw& d) {
  return w.centre_ns - jitter_of(w.a, d.u_a) + jitter_of(w.b, d.u_b);
}

}  // namespace rekeysim::runner
