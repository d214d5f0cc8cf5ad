#include "tools/scenario/link_down.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "tools/scenario/limits.hpp"

namespace rekeysim::scenario {

namespace {

using models::DownWindow;
using sim::SimTime;

// A non-negative duration: "-5s" is refused as a negative duration, and a
// malformed value is answered with the unsigned form.
SimTime read_nonnegative(const ValueContext& v) {
  return read_duration(v);
}

std::string describe(const DownWindow& w) {
  if (w.every == SimTime{}) {
    return "{at: " + sim::format_duration(w.at) +
           ", duration: " + sim::format_duration(w.duration) + "}";
  }
  return "{every: " + sim::format_duration(w.every) +
         ", duration: " + sim::format_duration(w.duration) +
         ", phase: " + sim::format_duration(w.at) +
         (w.jitter > SimTime{} ? ", jitter: " + sim::format_duration(w.jitter) : std::string()) +
         "}";
}

DownWindow read_window(const ValueContext& v) {
  if (!v.node.IsMap()) v.fail("is not a window mapping", std::string(kDownForm));
  const std::vector<std::string> known = {"at", "duration", "every", "phase", "jitter"};
  for (const auto& kv : v.node) {
    const std::string k = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      throw ScenarioError(pos_of(kv.first, v.file).line ? pos_of(kv.first, v.file) : v.pos(),
                          v.field, "unknown key " + quoted_with_suggestion(k, known),
                          "keys at, duration (once) or every, duration, phase, jitter (periodic)");
    }
  }
  auto sub = [&](const char* k) {
    return ValueContext{v.node[k], v.file, v.field + "." + k, v.pos()};
  };
  if (!v.node["duration"]) v.fail("window has no `duration`", std::string(kDownForm));
  DownWindow w;
  w.duration = read_nonnegative(sub("duration"));
  if (w.duration == SimTime{}) sub("duration").fail("must be greater than 0", "a duration > 0");
  const bool once = static_cast<bool>(v.node["at"]);
  const bool periodic = static_cast<bool>(v.node["every"]);
  if (once == periodic) {
    v.fail(once ? "has both `at` and `every`" : "has neither `at` nor `every`",
           "`at` for one window, or `every` (and `phase`, its first start) for periodic ones");
  }
  if (once) {
    for (const char* k : {"phase", "jitter"}) {
      if (v.node[k]) sub(k).fail("applies to periodic windows only", "`at` and `duration` alone");
    }
    w.at = read_nonnegative(sub("at"));
    return w;
  }
  w.every = read_nonnegative(sub("every"));
  if (w.every < kMinDownPeriod) {
    sub("every").fail("is shorter than the minimum " + sim::format_duration(kMinDownPeriod),
                      "a period of at least " + sim::format_duration(kMinDownPeriod));
  }
  if (w.duration >= w.every) {
    sub("duration")
        .fail("is not shorter than every (" + sim::format_duration(w.every) +
                  "): the link would never come back up",
              "a duration shorter than the period");
  }
  w.at = v.node["phase"] ? read_nonnegative(sub("phase")) : w.every;
  if (v.node["jitter"]) {
    w.jitter = read_nonnegative(sub("jitter"));
    if (w.duration + w.jitter >= w.every) {
      sub("jitter").fail("plus duration (" + sim::format_duration(w.duration) +
                             ") is not shorter than every (" + sim::format_duration(w.every) + ")",
                         "duration + jitter < every, so occurrences stay apart");
    }
  }
  return w;
}

// First k >= 0 with p + k*e + d > t (the occurrence of a periodic window
// that has not ended by t).
std::int64_t first_not_ended(const DownWindow& w, SimTime t) {
  if (t < w.at + w.duration) return 0;
  return (t - w.at - w.duration).ns() / w.every.ns() + 1;
}

}  // namespace

bool windows_overlap(const DownWindow& x0, const DownWindow& y0) {
  // A jittered occurrence may be down anywhere in [start, start + jitter +
  // duration): judged by that span.
  DownWindow x = x0;
  DownWindow y = y0;
  x.duration += x.jitter;
  y.duration += y.jitter;
  const bool px = x.every > SimTime{};
  const bool py = y.every > SimTime{};
  if (!px && !py) return x.at < y.at + y.duration && y.at < x.at + x.duration;
  if (px && py) {
    // Starts differ by (y.at - x.at) + m*g for every integer m (g = gcd of
    // the periods); [s1, s1+d1) and [s2, s2+d2) meet iff s2 - s1 is in (-d2, d1).
    const std::int64_t g = std::gcd(x.every.ns(), y.every.ns());
    const std::int64_t r = (((y.at - x.at).ns() % g) + g) % g;
    return r < x.duration.ns() || g - r < y.duration.ns();
  }
  const DownWindow& once = px ? y : x;
  const DownWindow& per = px ? x : y;
  const SimTime start = per.at + per.every * first_not_ended(per, once.at);
  return start < once.at + once.duration;
}

std::vector<DownWindow> read_down_windows(const ValueContext& v) {
  std::vector<DownWindow> out;
  if (v.node.IsMap()) {
    out.push_back(read_window(v));
    return out;
  }
  if (!v.node.IsSequence()) v.fail("is not a window or a list of windows", std::string(kDownForm));
  std::size_t i = 0;
  for (const auto& n : v.node) {
    const ValueContext w{n, v.file, v.field + "[" + std::to_string(i++) + "]", v.pos()};
    out.push_back(read_window(w));
    for (std::size_t j = 0; j + 1 < out.size(); ++j) {
      if (windows_overlap(out[j], out.back())) {
        w.fail("overlaps window " + std::to_string(j) + " " + describe(out[j]) + " (" +
                   describe(out.back()) + ")",
               "windows that are never down at the same time");
      }
    }
  }
  return out;
}

}  // namespace rekeysim::scenario
