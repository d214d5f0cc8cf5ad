#include "tools/scenario/limits.hpp"

#include <algorithm>
#include <cmath>

#include "sim/random.hpp"

namespace rekeysim::scenario {

double worst_case_draw_ns(const sim::DurationDist& d) {
  using Kind = sim::DurationDist::Kind;
  const auto a = static_cast<double>(d.a.ns());
  const auto b = static_cast<double>(d.b.ns());
  switch (d.kind) {
    case Kind::kConstant:
      return a;
    case Kind::kUniform:
      return b;
    case Kind::kNormal:
      // Rng::normal's quantile of a 53-bit uniform: |z| <= 8.3.
      return a + 9.0 * b;
    case Kind::kLognormal:
      return a * std::exp(9.0 * d.sigma);
    case Kind::kExponential:
      // Ziggurat tail from 53-bit uniforms: at most ~45 means.
      return 50.0 * a;
    case Kind::kEmpirical: {
      double m = 0;
      for (const auto& s : d.samples) m = std::max(m, static_cast<double>(s.ns()));
      return m;
    }
  }
  return a;
}

}  // namespace rekeysim::scenario
