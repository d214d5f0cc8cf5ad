// Statistics for reporting: every number a user reads carries a 95% interval.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace sim {

struct Interval {
  double lo = 0;
  double hi = 0;
};

// Wilson score interval for k successes in n trials (z = 1.959964 for 95%).
// Well behaved at k = 0 and k = n, unlike the Wald interval. n = 0 gives [0, 1];
// k > n throws std::invalid_argument.
Interval wilson_interval(std::uint64_t k, std::uint64_t n, double z = 1.959963984540054);

// Streaming mean and variance (Welford); mergeable so that per-thread partial
// results combine into the same answer in any order when merged in trial order.
class RunningMean {
 public:
  void add(double x);
  void merge(const RunningMean& other);  // Chan et al. parallel formula
  std::uint64_t count() const { return n_; }
  double mean() const { return mean_; }
  double variance() const;  // sample variance (n-1)
  // 95% interval for the mean: Student t for small n, normal for large n.
  // n = 0 gives [0, 0]; n = 1 gives (-inf, +inf) (no information on spread).
  Interval ci95() const;

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0;
  double m2_ = 0;
};

// Two-sided 95% quantile of Student's t with df degrees of freedom
// (t_{0.975, df}): exact table for df <= 30, Cornish-Fisher beyond; +inf at 0.
double student_t975(std::uint64_t df);

// Quantiles of per-trial values in bounded memory: an exact zero bucket plus
// log-spaced buckets (relative error < 1%) over [1e-12, 1e20] (per-trial
// downtime in ns up to centuries). Memory does not grow with the number of
// values (~29 KiB once a non-zero value is added); results do not depend on
// insertion order. quantile(q) estimates the value of 0-based rank
// floor(q (n - 1)) in sorted order; the largest value (rank n - 1, so every
// quantile of a single value) is exact. add() throws
// std::invalid_argument for negative, NaN or infinite values.
class QuantileSketch {
 public:
  QuantileSketch();
  void add(double x);  // x >= 0
  void merge(const QuantileSketch& other);
  std::uint64_t count() const { return n_; }
  double quantile(double q) const;  // q in [0, 1]; 0 when empty

 private:
  std::uint64_t n_ = 0;
  std::uint64_t zeros_ = 0;
  double max_ = 0;  // exact largest value added
  std::vector<std::uint64_t> buckets_;
};

}  // namespace sim
