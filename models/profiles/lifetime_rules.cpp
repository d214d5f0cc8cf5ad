#include "models/profiles/lifetime_rules.hpp"

#include "models/profiles/lifetime_settings.hpp"

#include <algorithm>
#include <cstdio>

namespace models {

namespace {

const ProfileField* find_field(const Profile& p, const std::string& key) {
  for (const ProfileField& f : p.fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

// To the millisecond: 1/11 of an hour is 5m27.272727273s to the ns.
std::string rounded(SimTime t) {
  const std::int64_t ms = sim::milliseconds(1).ns();
  return sim::format_duration(sim::nanoseconds((t.ns() + ms / 2) / ms * ms));
}

std::string window_text(const LifetimePolicy& policy, SimTime lifetime) {
  const SoftWindow w = soft_window(policy, lifetime);
  if (!w.rekeys) return "no rekey, the SA expires";
  if (w.earliest == w.latest) return "rekey at " + rounded(w.latest);
  return "rekey between " + rounded(w.earliest) + " and " + rounded(w.latest);
}

std::string format_fuzz(double fuzz) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%%", fuzz * 100.0);
  return buf;
}

}  // namespace

SoftWindow soft_window(const LifetimePolicy& policy, SimTime lifetime) {
  const SimTime m = policy.margin.resolve(lifetime);
  SoftWindow w;
  if (m.ns() <= 0) {
    w.rekeys = false;
    return w;
  }
  const double lo =
      static_cast<double>(lifetime.ns()) - static_cast<double>(m.ns()) * (1.0 + policy.fuzz);
  w.latest = std::max(SimTime{}, lifetime - m);
  w.earliest = sim::nanoseconds(static_cast<std::int64_t>(std::max(0.0, lo)));
  return w;
}

std::string format_lifetime_rules(const Profile& p) {
  std::string out =
      "  lifetime rules (rekey time after install on the SA's initiator, from the configured "
      "lifetime):\n";
  for (const char* kind : {"child", "ike"}) {
    const LifetimePolicy& lp = std::string(kind) == "child" ? p.config.child : p.config.ike;
    const std::string key = std::string(kind) + ".margin";
    const ProfileField* f = find_field(p, key);
    out += "    " + std::string(kind) + ": margin " + describe_margin(lp.margin) + ", fuzz " +
           format_fuzz(lp.fuzz) + " of the margin";
    if (f != nullptr) out += "  [" + std::string(to_string(f->status)) + "]";
    out += "\n";
    out += "      lifetime " + sim::format_duration(lp.lifetime) +
           " (default): " + window_text(lp, lp.lifetime) + "\n";
    for (const SimTime l : {sim::hours(1), sim::hours(24)}) {
      out +=
          "      lifetime " + sim::format_duration(l) + " set alone: " + window_text(lp, l) + "\n";
    }
    if (f != nullptr) {
      out += "      source: " + f->source + "\n";
      if (!f->note.empty()) out += "      note:   " + f->note + "\n";
    }
  }
  // How an administrator writes the Child SA lifetime on this device (what
  // `recommend` and `audit` answer in).
  const LifetimeSetting& ls = child_lifetime_setting(p.name);
  std::string units;
  for (const auto& u : ls.units) units += (units.empty() ? "" : ", ") + u;
  out += "  Phase 2 lifetime as configured: " + ls.setting + " (units " + units + "; step " +
         format_hms(ls.step) + "; " + format_hms(ls.min) + " to " + format_hms(ls.max) + ")  [" +
         std::string(to_string(ls.status)) + "]\n      source: " + ls.source + "\n";
  if (!ls.note.empty()) out += "      note:   " + ls.note + "\n";
  return out;
}

}  // namespace models
