#include "tools/scenario/lifetime_check.hpp"

#include "tools/scenario/values.hpp"

namespace rekeysim::scenario {

namespace {

std::string describe(const SourcePos& p) {
  if (p.file == "--set") return "--set " + std::to_string(p.line);
  return p.file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

// "scenario.yaml:12:18", "--set 2" or "profile cisco-asa default".
std::string origin(const SettingOrigins& where, const std::string& path,
                   const std::string& profile) {
  const auto it = where.find(path);
  if (it == where.end()) return "profile " + profile + " default";
  return describe(it->second);
}

}  // namespace

void check_lifetime(const models::LifetimePolicy& lp, const std::string& base,
                    const std::string& profile, const SettingOrigins& where,
                    const std::string& file, const std::optional<StaggerOrigin>& stagger) {
  const sim::SimTime margin = lp.margin.resolve(lp.lifetime);
  // The earliest the soft time can fall is lifetime - margin - fuzz * margin;
  // at or before the SA's installation the peer would rekey at once, forever.
  const double earliest_rekey = margin.seconds() * (1.0 + lp.fuzz);
  if (earliest_rekey < lp.lifetime.seconds()) return;

  std::string lifetime_text =
      sim::format_duration(lp.lifetime) + " (" + origin(where, base + ".lifetime", profile);
  if (stagger) {
    lifetime_text += ", plus stagger " + format_signed_duration(stagger->stagger) + " from " +
                     describe(stagger->pos);
  }
  lifetime_text += ")";
  std::string margin_text = sim::format_duration(margin);
  if (lp.margin.is_fraction()) {
    margin_text = models::format_margin(lp.margin) + " of the lifetime = " + margin_text;
  }
  margin_text += " (" + origin(where, base + ".margin", profile) + ")";
  std::string what = "margin " + margin_text;
  if (lp.fuzz > 0) {
    what += " + fuzz " + format_fraction(lp.fuzz) + " (" + origin(where, base + ".fuzz", profile) +
            ") x margin";
  }
  what += " is not less than lifetime " + lifetime_text;

  // Point at a --set among the three if there is one (the change that broke
  // a valid file), else at the lifetime's setting if the scenario made one,
  // the margin's, the fuzz's, the profile's; the file's start if all are
  // defaults.
  const std::string peer_profile = base.substr(0, base.rfind('.')) + ".profile";
  const std::string paths[] = {base + ".lifetime", base + ".margin", base + ".fuzz", peer_profile};
  auto first_of = [&](bool only_set) -> std::optional<SourcePos> {
    for (const std::string& path : paths) {
      const auto it = where.find(path);
      if (it != where.end() && (!only_set || it->second.file == "--set")) return it->second;
    }
    return std::nullopt;
  };
  const SourcePos pos = first_of(true).value_or(first_of(false).value_or(SourcePos{file, 0, 0}));
  throw ScenarioError(pos, base, what,
                      "lifetime > margin x (1 + fuzz), so an SA lives before it is rekeyed");
}

}  // namespace rekeysim::scenario
