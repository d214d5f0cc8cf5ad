// xoshiro256** streams, seed derivation and the duration distributions a
// scenario can state. Everything here is a pure function of the seed: no
// std::random_device, no global engine, no cached state between draws.
#include "sim/random.hpp"

#include "sim/normal_quantile.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

namespace {

constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

// The splitmix64 output function (Stafford's Mix13): a bijection on 64 bits
// with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

}  // namespace

std::uint64_t splitmix64(std::uint64_t& state) {
  state += kGolden;
  return mix64(state);
}

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  // Each step is a bijection of the running hash for a fixed next word, and
  // distinct constants per position make (a, b, c) order-sensitive.
  std::uint64_t h = mix64(a + kGolden);
  h = mix64(h ^ mix64(b + 2 * kGolden));
  h = mix64(h ^ mix64(c + 3 * kGolden));
  return h;
}

Rng::Rng(std::uint64_t seed) {
  std::uint64_t st = seed;
  for (auto& w : s_) w = splitmix64(st);
  // splitmix64 never yields four zero words in a row, so the state is never
  // the all-zero fixed point of xoshiro.
}

Rng Rng::from_state(const std::array<std::uint64_t, 4>& state) {
  if ((state[0] | state[1] | state[2] | state[3]) == 0) {
    throw std::invalid_argument("sim::Rng::from_state: all-zero state");
  }
  Rng r;
  r.s_ = state;
  return r;
}

Rng Rng::for_stream(std::uint64_t scenario_seed, std::uint64_t trial, StreamComponent c) {
  return for_stream(scenario_seed, trial, static_cast<std::uint64_t>(c));
}

Rng Rng::for_stream(std::uint64_t scenario_seed, std::uint64_t trial, std::uint64_t component) {
  // A stream depends only on (seed, trial, component), never on how many
  // other streams were created before it.
  return Rng(mix_seed(scenario_seed, trial, component));
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform01() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double Rng::uniform(double lo, double hi) {
  return lo + (hi - lo) * uniform01();
}

std::uint64_t Rng::uniform_int(std::uint64_t n) {
  // Lemire, "Fast Random Integer Generation in an Interval" (2019): multiply
  // and reject the few low products that would bias the result.
  if (n == 0) throw std::invalid_argument("sim::Rng::uniform_int: n must be > 0");
  using u128 = unsigned __int128;
  u128 m = static_cast<u128>(next()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<u128>(next()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

namespace {

// Ziggurat tables for the unit exponential (Marsaglia & Tsang, "The Ziggurat
// Method for Generating Random Variables", J. Stat. Softw. 5(8), 2000), 256
// layers of equal area kV. Layer i (1..255) covers heights f(x[i])..f(x[i+1])
// and widths up to x[i]; layer 0 is the base rectangle [0, r] plus the tail,
// given the equivalent width x[0] = kV / f(r).
struct ExpZiggurat {
  static constexpr double kR = 7.697117470131050077;
  static constexpr double kV = 0.0039496598225815571993;
  std::array<double, 257> x{};
  std::array<double, 257> f{};
  ExpZiggurat() {
    x[0] = kV / std::exp(-kR);
    x[1] = kR;
    for (int i = 1; i < 255; ++i) x[i + 1] = -std::log(std::exp(-x[i]) + kV / x[i]);
    x[256] = 0.0;
    for (int i = 1; i <= 256; ++i) f[i] = std::exp(-x[i]);
  }
};

}  // namespace

double Rng::exponential(double mean) {
  // Ziggurat: ~98.9% of draws cost one next(), a table lookup and a multiply;
  // a logarithm (-log(1 - u)) on every draw was a third of the cost of a
  // scheduler hold operation. The tables are built once and never change
  // (immutable, so no shared mutable state between simulations).
  static const ExpZiggurat z;
  for (;;) {
    const std::uint64_t u = next();
    const auto i = static_cast<std::size_t>(u & 0xff);                   // layer: low 8 bits
    const double x = static_cast<double>(u >> 11) * 0x1.0p-53 * z.x[i];  // width: top 53 bits
    if (x < z.x[i + 1]) return mean * x;  // inside the part of the layer under the curve
    if (i == 0) {
      // Tail beyond r: the exponential is memoryless, so r + Exp(1).
      return mean * (ExpZiggurat::kR - std::log(1.0 - uniform01()));
    }
    // Wedge between the layer's rectangle and the curve: accept with the
    // right probability by a uniform height test.
    if (z.f[i] + (z.f[i + 1] - z.f[i]) * uniform01() < std::exp(-x)) return mean * x;
  }
}

double Rng::normal(double mean, double sd) {
  // The normal quantile at one uniform: one next() per normal, no cached
  // second value, so a stream's position never depends on history. Cheaper
  // than Box-Muller's log and cos (issue 15: ~86 against ~207 instructions a
  // draw). The uniform is p = (k + 0.5) / 2^53, k a 53-bit integer, built as
  // q = p - 0.5 = (2j + 1) / 2^54 with j = k - 2^52 and tail = 0.5 - |q|, all
  // exact: p is never 0 or 1 and the two halves are mirror images, so
  // |z| <= the quantile of 2^-54, about 8.29.
  const auto j = static_cast<std::int64_t>(next() >> 11) - (std::int64_t{1} << 52);
  const double q = static_cast<double>(2 * j + 1) * 0x1.0p-54;
  return mean + sd * normal_quantile_centred(q, 0.5 - std::fabs(q));
}

double Rng::lognormal(double mu, double sigma) {
  return std::exp(normal(mu, sigma));
}

// --- DurationDist --------------------------------------------------------

DurationDist DurationDist::constant(SimTime v) {
  if (v < SimTime{}) throw std::invalid_argument("DurationDist::constant: negative duration");
  DurationDist d;
  d.kind = Kind::kConstant;
  d.a = v;
  return d;
}

DurationDist DurationDist::uniform(SimTime lo, SimTime hi) {
  if (lo < SimTime{} || hi < lo) {
    throw std::invalid_argument("DurationDist::uniform: need 0 <= lo <= hi");
  }
  DurationDist d;
  d.kind = Kind::kUniform;
  d.a = lo;
  d.b = hi;
  return d;
}

DurationDist DurationDist::normal(SimTime mean, SimTime sd) {
  if (sd < SimTime{}) throw std::invalid_argument("DurationDist::normal: negative sd");
  DurationDist d;
  d.kind = Kind::kNormal;
  d.a = mean;
  d.b = sd;
  return d;
}

DurationDist DurationDist::lognormal(SimTime median, double sigma) {
  if (median < SimTime{} || !(sigma >= 0) || !std::isfinite(sigma)) {
    throw std::invalid_argument("DurationDist::lognormal: need median >= 0 and finite sigma >= 0");
  }
  DurationDist d;
  d.kind = Kind::kLognormal;
  d.a = median;
  d.sigma = sigma;
  return d;
}

DurationDist DurationDist::exponential(SimTime mean) {
  if (mean < SimTime{}) throw std::invalid_argument("DurationDist::exponential: negative mean");
  DurationDist d;
  d.kind = Kind::kExponential;
  d.a = mean;
  return d;
}

DurationDist DurationDist::empirical(std::vector<SimTime> samples) {
  if (samples.empty()) throw std::invalid_argument("DurationDist::empirical: no samples");
  for (SimTime s : samples) {
    if (s < SimTime{}) throw std::invalid_argument("DurationDist::empirical: negative sample");
  }
  DurationDist d;
  d.kind = Kind::kEmpirical;
  d.samples = std::move(samples);
  return d;
}

namespace {

// Rounds a non-negative nanosecond count held in a double; negatives become 0
// (a delay is never negative) and huge values saturate.
SimTime clamp_ns(double ns) {
  if (!(ns > 0)) return SimTime{};
  return from_seconds(ns * 1e-9);
}

}  // namespace

SimTime DurationDist::draw(Rng& rng) const {
  switch (kind) {
    case Kind::kConstant:
      return a;
    case Kind::kUniform: {
      // Integer nanoseconds uniformly on [lo, hi], both ends included.
      const auto span = static_cast<std::uint64_t>(b.ns() - a.ns());
      if (span == 0) return a;
      if (span == ~std::uint64_t{0})
        return SimTime::from_ns(a.ns() + static_cast<std::int64_t>(rng.next() >> 1));
      return SimTime::from_ns(a.ns() + static_cast<std::int64_t>(rng.uniform_int(span + 1)));
    }
    case Kind::kNormal:
      return clamp_ns(rng.normal(static_cast<double>(a.ns()), static_cast<double>(b.ns())));
    case Kind::kLognormal:
      return clamp_ns(static_cast<double>(a.ns()) * std::exp(sigma * rng.normal(0.0, 1.0)));
    case Kind::kExponential:
      return clamp_ns(rng.exponential(static_cast<double>(a.ns())));
    case Kind::kEmpirical:
      return samples[rng.uniform_int(samples.size())];
  }
  return a;
}

bool DurationDist::is_zero() const {
  switch (kind) {
    case Kind::kConstant:
    case Kind::kLognormal:
    case Kind::kExponential:
      return a == SimTime{};
    case Kind::kUniform:
      return b == SimTime{};
    case Kind::kNormal:
      // Clamped at 0, so any mean <= 0 with sd 0 always gives 0.
      return a <= SimTime{} && b == SimTime{};
    case Kind::kEmpirical:
      for (SimTime s : samples) {
        if (s != SimTime{}) return false;
      }
      return true;
  }
  return false;
}

SimTime DurationDist::mean() const {
  switch (kind) {
    case Kind::kConstant:
      return a;
    case Kind::kUniform:
      return SimTime::from_ns(a.ns() + (b.ns() - a.ns()) / 2);
    case Kind::kNormal: {
      // Mean of max(0, X), X ~ N(mu, sd): mu Phi(mu/sd) + sd phi(mu/sd).
      const double mu = static_cast<double>(a.ns());
      const double sd = static_cast<double>(b.ns());
      if (sd == 0) return clamp_ns(mu);
      const double z = mu / sd;
      const double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
      const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi);
      return clamp_ns(mu * cdf + sd * pdf);
    }
    case Kind::kLognormal:
      return clamp_ns(static_cast<double>(a.ns()) * std::exp(0.5 * sigma * sigma));
    case Kind::kExponential:
      return a;
    case Kind::kEmpirical: {
      // Exact integer mean (rounded down), no overflow for realistic sizes.
      __int128 sum = 0;
      for (SimTime s : samples) sum += s.ns();
      return SimTime::from_ns(
          static_cast<std::int64_t>(sum / static_cast<__int128>(samples.size())));
    }
  }
  return a;
}

std::string DurationDist::describe() const {
  switch (kind) {
    case Kind::kConstant:
      return format_duration(a);
    case Kind::kUniform:
      return "uniform(" + format_duration(a) + ", " + format_duration(b) + ")";
    case Kind::kNormal:
      return "normal(" + format_duration(a) + ", " + format_duration(b) + ")";
    case Kind::kLognormal: {
      std::string s = std::to_string(sigma);
      while (s.size() > 1 && s.back() == '0') s.pop_back();
      if (!s.empty() && s.back() == '.') s.pop_back();
      return "lognormal(" + format_duration(a) + ", " + s + ")";
    }
    case Kind::kExponential:
      return "exponential(" + format_duration(a) + ")";
    case Kind::kEmpirical:
      return "empirical(" + std::to_string(samples.size()) + " samples, mean " +
             format_duration(mean()) + ")";
  }
  return "?";
}

namespace {
std::string_view trim_space(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}
}  // namespace

DurationDist parse_duration_dist(std::string_view text) {
  static constexpr std::string_view kForm =
      "a duration (16ms) or uniform(lo, hi), normal(mean, sd), lognormal(median, sigma), "
      "exponential(mean)";
  const std::string_view t = trim_space(text);
  const auto open = t.find('(');
  if (open == std::string_view::npos) return DurationDist::constant(parse_duration(t));
  if (t.back() != ')') throw ParseError(std::string(text), std::string(kForm), "no closing ')'");
  const std::string_view name = trim_space(t.substr(0, open));
  std::string_view rest = t.substr(open + 1, t.size() - open - 2);
  std::vector<std::string_view> args;
  while (true) {
    const auto comma = rest.find(',');
    args.push_back(trim_space(rest.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  auto want = [&](std::size_t n) {
    if (args.size() != n)
      throw ParseError(std::string(text), std::string(kForm),
                       std::string(name) + " takes " + std::to_string(n) + " argument(s)");
  };
  if (name == "uniform") {
    want(2);
    return DurationDist::uniform(parse_duration(args[0]), parse_duration(args[1]));
  }
  if (name == "normal") {
    want(2);
    return DurationDist::normal(parse_duration(args[0]), parse_duration(args[1]));
  }
  if (name == "exponential") {
    want(1);
    return DurationDist::exponential(parse_duration(args[0]));
  }
  if (name == "lognormal") {
    want(2);
    double sigma = 0;
    const std::string s(args[1]);
    std::size_t used = 0;
    try {
      sigma = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || sigma < 0 || sigma > 10)
      throw ParseError(std::string(text), std::string(kForm), "sigma is not a number in [0, 10]");
    return DurationDist::lognormal(parse_duration(args[0]), sigma);
  }
  throw ParseError(std::string(text), std::string(kForm), "unknown distribution");
}

}  // namespace sim
