// The standard normal quantile function (the inverse of its CDF), for
// drawing normal variates from one uniform.
#pragma once

namespace sim {

// z with P(Z <= z) = p for a standard normal Z. p in (0, 1); 0 and 1 give
// -inf and +inf, anything else outside [0, 1] gives NaN. Wichura's algorithm
// AS 241 (PPND16, Applied Statistics 37(3):477-484, 1988): rational
// approximations in three ranges of p, relative error about 1e-16.
double normal_quantile(double p);

// The same quantile from q = p - 0.5 and tail = min(p, 1 - p), both given
// exactly by the caller (Rng::normal builds them from integers, so p near 1
// keeps its full resolution instead of rounding to 1). |q| < 0.5, tail > 0.
double normal_quantile_centred(double q, double tail);

}  // namespace sim
