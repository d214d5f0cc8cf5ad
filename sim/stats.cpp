// Interval estimates and streaming summaries for reports.
#include "sim/stats.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace sim {

Interval wilson_interval(std::uint64_t k, std::uint64_t n, double z) {
  if (k > n) throw std::invalid_argument("sim::wilson_interval: k > n");
  if (n == 0) return {0.0, 1.0};
  // Wilson (1927); Newcombe (1998) method 3:
  //   (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double centre = (p + z2 / (2.0 * nn)) / denom;
  const double half = z * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
  Interval iv{std::max(0.0, centre - half), std::min(1.0, centre + half)};
  // The closed form is exactly 0 (resp. 1) at the extremes; avoid rounding
  // residue such as 1e-17 there.
  if (k == 0) iv.lo = 0.0;
  if (k == n) iv.hi = 1.0;
  return iv;
}

void RunningMean::add(double x) {
  ++n_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (x - mean_);
}

void RunningMean::merge(const RunningMean& other) {
  if (other.n_ == 0) return;
  if (n_ == 0) {
    *this = other;
    return;
  }
  // Chan, Golub & LeVeque (1979) pairwise update.
  const double na = static_cast<double>(n_);
  const double nb = static_cast<double>(other.n_);
  const double n = na + nb;
  const double delta = other.mean_ - mean_;
  mean_ += delta * nb / n;
  m2_ += other.m2_ + delta * delta * na * nb / n;
  n_ += other.n_;
}

double RunningMean::variance() const {
  if (n_ < 2) return 0.0;
  return m2_ / static_cast<double>(n_ - 1);
}

namespace {

// Two-sided 95% Student t quantiles t_{0.975, df} for df = 1..30.
constexpr std::array<double, 30> kT975{
    12.7062047, 4.30265273, 3.18244631, 2.77644511, 2.57058184, 2.44691185, 2.36462425, 2.30600414,
    2.26215716, 2.22813885, 2.20098516, 2.17881283, 2.16036866, 2.14478669, 2.13144955, 2.11990530,
    2.10981558, 2.10092204, 2.09302405, 2.08596345, 2.07961384, 2.07387307, 2.06865761, 2.06389856,
    2.05953855, 2.05552944, 2.05183052, 2.04840714, 2.04522964, 2.04227246,
};

}  // namespace

double student_t975(std::uint64_t df) {
  if (df == 0) return std::numeric_limits<double>::infinity();
  if (df <= kT975.size()) return kT975[df - 1];
  // Cornish-Fisher expansion of the t quantile around the normal one
  // (Abramowitz & Stegun 26.7.5); error < 1e-6 for df > 30, and it tends to
  // z = 1.959964 as df grows, so large samples get the normal interval.
  const double z = 1.959963984540054;
  const double v = static_cast<double>(df);
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z;
  return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v) +
         (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * v * v * v * v);
}

Interval RunningMean::ci95() const {
  if (n_ == 0) return {0.0, 0.0};
  if (n_ == 1) {
    // One value says nothing about spread: the interval is unbounded.
    return {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  }
  const double half = student_t975(n_ - 1) * std::sqrt(variance() / static_cast<double>(n_));
  return {mean_ - half, mean_ + half};
}

// --- QuantileSketch ------------------------------------------------------
//
// Bucket i (relative to kMinIndex) holds values in (g^(i-1), g^i] with
// g = 1.02; reporting 2 g^i / (g + 1) for it is within (g-1)/(g+1) = 0.99% of
// every value in the bucket. Values in (0, 1e-12] share the lowest bucket and
// values above 1e20 the highest (outside the stated range the error is not
// bounded). The top is 1e20 because per-trial downtime rates are in ns: a
// trial of up to kMaxHorizon (200 years, 6.3e18 ns) per direction fits, where
// the former top of 1e12 ns (16.7 min) capped any longer outage per rekey.
// Zero has its own exact bucket.

namespace {

constexpr double kGamma = 1.02;
const double kLogGamma = std::log(kGamma);
constexpr int kMinIndex = -1395;  // ceil(ln(1e-12) / ln(1.02))
constexpr int kMaxIndex = 2326;   // ceil(ln(1e20) / ln(1.02))
constexpr std::size_t kBuckets = kMaxIndex - kMinIndex + 1;

std::size_t bucket_of(double x) {
  const double idx = std::ceil(std::log(x) / kLogGamma);
  if (idx <= kMinIndex) return 0;
  if (idx >= kMaxIndex) return kBuckets - 1;
  return static_cast<std::size_t>(static_cast<int>(idx) - kMinIndex);
}

double value_of(std::size_t bucket) {
  const int i = static_cast<int>(bucket) + kMinIndex;
  return 2.0 * std::pow(kGamma, i) / (kGamma + 1.0);
}

}  // namespace

QuantileSketch::QuantileSketch() = default;

void QuantileSketch::add(double x) {
  if (!(x >= 0) || std::isinf(x)) {
    throw std::invalid_argument("sim::QuantileSketch::add: value must be finite and >= 0");
  }
  ++n_;
  max_ = std::max(max_, x);
  if (x == 0) {
    ++zeros_;
    return;
  }
  if (buckets_.empty()) buckets_.assign(kBuckets, 0);  // allocated on first non-zero value
  ++buckets_[bucket_of(x)];
}

void QuantileSketch::merge(const QuantileSketch& other) {
  n_ += other.n_;
  zeros_ += other.zeros_;
  max_ = std::max(max_, other.max_);
  if (other.buckets_.empty()) return;
  if (buckets_.empty()) buckets_.assign(kBuckets, 0);
  for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
}

double QuantileSketch::quantile(double q) const {
  if (!(q >= 0 && q <= 1))
    throw std::invalid_argument("sim::QuantileSketch::quantile: q not in [0, 1]");
  if (n_ == 0) return 0;
  // The value of 0-based rank floor(q (n - 1)) in sorted order.
  const auto rank = static_cast<std::uint64_t>(std::floor(q * static_cast<double>(n_ - 1)));
  if (rank < zeros_) return 0;
  // The largest value is kept exactly: with one value every quantile is it.
  if (rank == n_ - 1) return max_;
  std::uint64_t seen = zeros_;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen > rank) return value_of(i);
  }
  return value_of(kBuckets - 1);
}

}  // namespace sim
