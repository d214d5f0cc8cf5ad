#include "tools/scenario/values.hpp"

#include "tools/scenario/limits.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

namespace rekeysim::scenario {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// The reason inside a sim::ParseError message, without its own "expected"
// part (the reader adds the accepted form once): `invalid value "8x"
// (unknown unit 'x'): expected ...` -> " (unknown unit 'x')".
std::string why_suffix(const sim::ParseError& e) {
  const std::string why = e.what();
  const auto open = why.find("\" (");
  if (open != std::string::npos) {
    const auto close = why.find("):", open);
    if (close != std::string::npos) return " (" + why.substr(open + 3, close - open - 3) + ")";
  }
  if (why.empty() || why.find("expected") != std::string::npos) return {};
  return " (" + why + ")";
}

// "x" is not a number, or, for one too large or too small for a double
// (1e400, 1e-400), "x" is out of range.
std::string not_a_number(std::string_view text, const sim::ParseError& e) {
  if (e.why() == "out of range") return quote(trim(text)) + " is out of range";
  return quote(trim(text)) + " is not a number" + why_suffix(e);
}

// Shortest %g rendering that parses back to exactly x; plain notation
// ("100", not "1e+02") for magnitudes people write plainly.
std::string shortest(double x) {
  char buf[64];
  const double a = std::fabs(x);
  const bool plain = a == 0 || (a >= 1e-5 && a < 1e15);
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, x);
    if (plain && std::strchr(buf, 'e') != nullptr) continue;
    double back = 0;
    const auto r = std::from_chars(buf, buf + std::char_traits<char>::length(buf), back);
    if (r.ec == std::errc() && back == x) return buf;
  }
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

[[noreturn]] void too_large(std::string_view t, const ValueContext& v, const std::string& form) {
  v.fail(quote(t) + " is too large", form + ", at most " + sim::format_duration(kMaxDuration));
}

sim::SimTime duration_text(std::string_view text, const ValueContext& v) {
  const std::string_view t = trim(text);
  if (!t.empty() && t.front() == '-')
    v.fail("negative duration " + quote(t), std::string(kDurationForm));
  sim::SimTime d;
  try {
    d = sim::parse_duration(t);
  } catch (const sim::ParseError& e) {
    if (e.why() == "value too large") too_large(t, v, std::string(kDurationForm));
    v.fail(quote(t) + " is not a duration" + why_suffix(e), std::string(kDurationForm));
  }
  if (d > kMaxDuration) too_large(t, v, std::string(kDurationForm));
  return d;
}

std::vector<std::string_view> split_args(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    const auto comma = s.find(',');
    out.push_back(trim(s.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

constexpr std::string_view kDistNames[] = {"constant",  "uniform",     "normal",
                                           "lognormal", "exponential", "empirical"};

sim::DurationDist make_dist(int kind, const std::vector<sim::SimTime>& d, double sigma,
                            const ValueContext& v) {
  auto need = [&](std::size_t n) {
    if (d.size() != n) {
      v.fail(std::string(kDistNames[kind]) + " takes " + std::to_string(n) + " duration(s), got " +
                 std::to_string(d.size()),
             std::string(kDistForm));
    }
  };
  switch (kind) {
    case 0:
      need(1);
      return sim::DurationDist::constant(d[0]);
    case 1:
      need(2);
      if (d[1] < d[0])
        v.fail("uniform upper bound is below the lower bound", std::string(kDistForm));
      return sim::DurationDist::uniform(d[0], d[1]);
    case 2:
      need(2);
      return sim::DurationDist::normal(d[0], d[1]);
    case 3:
      need(1);
      return sim::DurationDist::lognormal(d[0], sigma);
    case 4:
      need(1);
      return sim::DurationDist::exponential(d[0]);
    default:
      if (d.empty()) v.fail("empirical needs at least one sample", std::string(kDistForm));
      return sim::DurationDist::empirical(d);
  }
}

}  // namespace

SourcePos ValueContext::pos() const {
  // Command-line values: the position is the --set argument, not the mark
  // inside the small YAML document the value was parsed from.
  if (file == "--set" && !fallback.file.empty()) return fallback;
  SourcePos p = pos_of(node, file);
  if (p.line == 0) return fallback.file.empty() ? SourcePos{file, 0, 0} : fallback;
  return p;
}

void ValueContext::fail(const std::string& what, const std::string& expected) const {
  throw ScenarioError(pos(), std::string(field), what, expected);
}

std::string scalar_text(const ValueContext& v, std::string_view expected) {
  if (!v.node.IsDefined() || v.node.IsNull()) v.fail("missing value", std::string(expected));
  if (v.node.IsMap()) v.fail("got a mapping", std::string(expected));
  if (v.node.IsSequence()) v.fail("got a list", std::string(expected));
  return v.node.Scalar();
}

double parse_number_text(std::string_view text) {
  const std::string_view t = trim(text);
  std::string_view body = t;
  if (!body.empty() && body.front() == '+') body.remove_prefix(1);
  double x = 0;
  const auto r = std::from_chars(body.data(), body.data() + body.size(), x);
  if (body.empty() || r.ec == std::errc::invalid_argument || r.ptr != body.data() + body.size()) {
    throw sim::ParseError(std::string(t), "a number", "");
  }
  if (r.ec == std::errc::result_out_of_range || !std::isfinite(x)) {
    throw sim::ParseError(std::string(t), "a number", "out of range");
  }
  return x;
}

double parse_fraction_text(std::string_view text) {
  std::string_view t = trim(text);
  if (!t.empty() && t.back() == '%') {
    t.remove_suffix(1);
    return parse_number_text(t) / 100.0;
  }
  return parse_number_text(t);
}

sim::SimTime read_duration(const ValueContext& v) {
  return duration_text(scalar_text(v, kDurationForm), v);
}

sim::SimTime read_signed_duration(const ValueContext& v) {
  const std::string text(trim(scalar_text(v, kSignedDurationForm)));
  if (!text.empty() && text.front() == '-') {
    const std::string_view rest = trim(std::string_view(text).substr(1));
    if (!rest.empty() && rest.front() == '-')
      v.fail(quote(text) + " is not a duration", std::string(kSignedDurationForm));
  }
  const bool negative = !text.empty() && text.front() == '-';
  const std::string_view magnitude =
      negative ? trim(std::string_view(text).substr(1)) : std::string_view(text);
  sim::SimTime d;
  try {
    d = sim::parse_duration(magnitude);
  } catch (const sim::ParseError& e) {
    if (e.why() == "value too large") too_large(text, v, std::string(kSignedDurationForm));
    v.fail(quote(text) + " is not a duration" + why_suffix(e), std::string(kSignedDurationForm));
  }
  if (d > kMaxDuration) too_large(text, v, std::string(kSignedDurationForm));
  return negative ? -d : d;
}

double read_number(const ValueContext& v, double lo, double hi, std::string_view expected) {
  const std::string text = scalar_text(v, expected);
  double x = 0;
  try {
    x = parse_number_text(text);
  } catch (const sim::ParseError& e) {
    v.fail(not_a_number(text, e), std::string(expected));
  }
  if (x < lo || x > hi) v.fail(quote(trim(text)) + " is out of range", std::string(expected));
  return x;
}

double read_fraction(const ValueContext& v, double lo, double hi) {
  std::string expected = std::string(kFractionForm) + " between " + format_number(lo) + " (" +
                         format_fraction(lo) + ") and " + format_number(hi) + " (" +
                         format_fraction(hi) + ")";
  if (hi == std::numeric_limits<double>::infinity()) {
    expected = std::string(kFractionForm) + " (at least " + format_fraction(lo) + ")";
  }
  const std::string text = scalar_text(v, expected);
  double x = 0;
  try {
    x = parse_fraction_text(text);
  } catch (const sim::ParseError& e) {
    v.fail(quote(trim(text)) + " is not a fraction" + why_suffix(e), expected);
  }
  if (x < lo || x > hi) v.fail(quote(trim(text)) + " is out of range", expected);
  return x;
}

std::uint64_t read_count(const ValueContext& v, std::uint64_t hi, std::string_view expected) {
  const std::string text = scalar_text(v, expected);
  std::string_view t = trim(text);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  std::uint64_t x = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), x);
  if (t.empty() || r.ec == std::errc::invalid_argument || r.ptr != t.data() + t.size()) {
    v.fail(quote(trim(text)) + " is not a whole number", std::string(expected));
  }
  if (r.ec == std::errc::result_out_of_range || x > hi) {
    v.fail(quote(trim(text)) + " is too large (at most " + std::to_string(hi) + ")",
           std::string(expected));
  }
  return x;
}

std::uint64_t read_bytes(const ValueContext& v) {
  const std::string text = scalar_text(v, kBytesForm);
  const std::string_view t = trim(text);
  if (t == "0") return 0;
  if (!t.empty() && t.front() == '-')
    v.fail("negative volume " + quote(t), std::string(kBytesForm));
  try {
    return sim::parse_bytes(t);
  } catch (const sim::ParseError& e) {
    v.fail(quote(t) + " is not a byte volume" + why_suffix(e), std::string(kBytesForm));
  }
}

double read_rate(const ValueContext& v) {
  const std::string text = scalar_text(v, kRateForm);
  const std::string_view t = trim(text);
  if (t == "0") return 0;
  if (!t.empty() && t.front() == '-') v.fail("negative rate " + quote(t), std::string(kRateForm));
  double r = 0;
  try {
    r = sim::parse_rate(t);
  } catch (const sim::ParseError& e) {
    v.fail(quote(t) + " is not a packet rate" + why_suffix(e), std::string(kRateForm));
  }
  if (!std::isfinite(r) || r < 0 || r > 1e9)
    v.fail(quote(t) + " is out of range", std::string(kRateForm));
  return r;
}

double read_ppm(const ValueContext& v) {
  const std::string text = scalar_text(v, kPpmForm);
  std::string_view t = trim(text);
  if (t.size() > 3 && t.substr(t.size() - 3) == "ppm") t = trim(t.substr(0, t.size() - 3));
  double x = 0;
  try {
    x = parse_number_text(t);
  } catch (const sim::ParseError&) {
    v.fail(quote(trim(text)) + " is not a clock error", std::string(kPpmForm));
  }
  // 1e5 ppm = 10%: far beyond any real oscillator; larger values are typos.
  if (std::fabs(x) > 1e5)
    v.fail(quote(trim(text)) + " is out of range", std::string(kPpmForm) + " within ±100000ppm");
  return x;
}

bool read_bool(const ValueContext& v) {
  const std::string text = scalar_text(v, kBoolForm);
  const std::string_view t = trim(text);
  if (t == "true" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "no" || t == "off") return false;
  v.fail(quote(t) + " is not a boolean", std::string(kBoolForm));
}

int read_enum(const ValueContext& v, std::span<const std::string_view> names) {
  std::vector<std::string> all(names.begin(), names.end());
  const std::string expected = "one of " + join(all, "|");
  const std::string text = scalar_text(v, expected);
  const std::string_view t = trim(text);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == t) return static_cast<int>(i);
  }
  v.fail("unknown value " + quoted_with_suggestion(t, all), expected);
}

namespace {
sim::DurationDist read_distribution_unbounded(const ValueContext& v);
}  // namespace

sim::DurationDist read_distribution(const ValueContext& v) {
  sim::DurationDist d = read_distribution_unbounded(v);
  check_delay_bound(d, v);
  return d;
}

void check_delay_bound(const sim::DurationDist& d, const ValueContext& v) {
  if (worst_case_draw_ns(d) > static_cast<double>(kMaxDelay.ns())) {
    v.fail(
        "delays drawn from " + d.describe() + " can exceed " + sim::format_duration(kMaxDelay),
        "a delay distribution whose largest draw stays under " + sim::format_duration(kMaxDelay));
  }
}

namespace {
sim::DurationDist read_distribution_unbounded(const ValueContext& v) {
  const std::string expected(kDistForm);
  std::vector<std::string> kinds(std::begin(kDistNames), std::end(kDistNames));
  if (v.node.IsMap()) {
    // {dist: normal, mean: 1ms, sd: 200us}
    const YAML::Node kind_node = v.node["dist"];
    if (!kind_node.IsDefined()) v.fail("mapping has no `dist` key", expected);
    const std::string field = std::string(v.field) + ".dist";
    const int kind = read_enum({kind_node, v.file, field, v.fallback}, kDistNames);
    static const std::vector<std::vector<std::string>> params = {
        {"value"}, {"lo", "hi"}, {"mean", "sd"}, {"median", "sigma"}, {"mean"}, {"samples"}};
    const auto& want = params[static_cast<std::size_t>(kind)];
    for (const auto& kv : v.node) {
      const std::string key = kv.first.Scalar();
      if (key == "dist") continue;
      bool known = false;
      for (const auto& w : want) known = known || w == key;
      if (!known) {
        throw ScenarioError(pos_of(kv.first, v.file), std::string(v.field),
                            "unknown key " + quoted_with_suggestion(key, want) + " for dist " +
                                std::string(kDistNames[kind]),
                            "keys " + join(want));
      }
    }
    std::vector<sim::SimTime> d;
    double sigma = 0;
    for (const auto& w : want) {
      const YAML::Node p = v.node[w];
      const std::string pf = std::string(v.field) + "." + w;
      if (!p.IsDefined())
        v.fail("dist " + std::string(kDistNames[kind]) + " needs `" + w + "`",
               "keys " + join(want));
      if (w == "sigma") {
        sigma =
            read_number({p, v.file, pf, v.fallback}, 0, 10, "a shape parameter between 0 and 10");
      } else if (w == "samples") {
        if (!p.IsSequence())
          v.fail("`samples` is not a list", "a list of durations like [15ms, 16ms, 40ms]");
        for (const auto& s : p) d.push_back(read_duration({s, v.file, pf, v.fallback}));
      } else {
        d.push_back(read_duration({p, v.file, pf, v.fallback}));
      }
    }
    return make_dist(kind, d, sigma, v);
  }
  const std::string text = scalar_text(v, expected);
  const std::string_view t = trim(text);
  const auto open = t.find('(');
  if (open == std::string_view::npos) {
    return sim::DurationDist::constant(duration_text(t, v));
  }
  if (t.back() != ')') v.fail(quote(t) + " has no closing parenthesis", expected);
  const std::string_view name = trim(t.substr(0, open));
  int kind = -1;
  for (std::size_t i = 0; i < std::size(kDistNames); ++i) {
    if (kDistNames[i] == name) kind = static_cast<int>(i);
  }
  if (kind < 0) v.fail("unknown distribution " + quoted_with_suggestion(name, kinds), expected);
  const auto args = split_args(t.substr(open + 1, t.size() - open - 2));
  std::vector<sim::SimTime> d;
  double sigma = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (kind == 3 && i == 1) {
      try {
        sigma = parse_number_text(args[i]);
      } catch (const sim::ParseError& e) {
        v.fail(not_a_number(args[i], e), "lognormal(median, sigma), e.g. lognormal(16ms, 0.5)");
      }
      if (sigma < 0 || sigma > 10)
        v.fail("sigma out of range", "a shape parameter between 0 and 10");
    } else {
      d.push_back(duration_text(args[i], v));
    }
  }
  if (kind == 3 && args.size() != 2) v.fail("lognormal takes (median, sigma)", expected);
  return make_dist(kind, d, sigma, v);
}
}  // namespace

std::string format_number(double x) {
  if (x == std::numeric_limits<double>::infinity()) return "inf";
  return shortest(x);
}

std::string format_fraction(double x) {
  // Percent when it renders exactly; the plain number otherwise.
  const std::string pct = shortest(x * 100.0);
  double back = 0;
  const auto r = std::from_chars(pct.data(), pct.data() + pct.size(), back);
  if (r.ec == std::errc() && back / 100.0 == x) return pct + "%";
  return shortest(x);
}

std::string format_ppm(double x) {
  return shortest(x) + "ppm";
}

std::string format_signed_duration(sim::SimTime t) {
  if (t.ns() < 0) return "-" + sim::format_duration(-t);
  return sim::format_duration(t);
}

std::string format_distribution(const sim::DurationDist& d) {
  using K = sim::DurationDist::Kind;
  switch (d.kind) {
    case K::kConstant:
      return sim::format_duration(d.a);
    case K::kUniform:
      return "uniform(" + sim::format_duration(d.a) + ", " + sim::format_duration(d.b) + ")";
    case K::kNormal:
      return "normal(" + sim::format_duration(d.a) + ", " + sim::format_duration(d.b) + ")";
    case K::kLognormal:
      return "lognormal(" + sim::format_duration(d.a) + ", " + shortest(d.sigma) + ")";
    case K::kExponential:
      return "exponential(" + sim::format_duration(d.a) + ")";
    case K::kEmpirical: {
      std::string out = "empirical(";
      for (std::size_t i = 0; i < d.samples.size(); ++i) {
        if (i) out += ", ";
        out += sim::format_duration(d.samples[i]);
      }
      return out + ")";
    }
  }
  return sim::format_duration(d.a);
}

}  // namespace rekeysim::scenario
