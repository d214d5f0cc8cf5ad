// How an administrator writes each vendor's Phase 2 (Child SA) lifetime: the
// setting's name, the units it accepts, the smallest step it can express and
// its range, each with the source it came from. `recommend` and `audit` only
// suggest lifetimes a device can be configured with, and print them in the
// units the device takes. Vendor facts are data here (one row per profile),
// never branches on a vendor name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "models/profiles/profile.hpp"

namespace models {

struct LifetimeSetting {
  std::string profile;             // built-in profile name
  std::string setting;             // what the admin edits ("Phase2LifetimeSeconds")
  std::vector<std::string> units;  // units the setting accepts, smallest first ("s", "min")
  SimTime step;                    // smallest expressible change (1 s, 1 min)
  SimTime min;                     // inclusive range
  SimTime max;
  std::string source;  // document, section or URL
  SourceStatus status = SourceStatus::kAssumption;
  std::string note;  // what the source says, or why assumed
};

// Every built-in profile's Child SA lifetime setting, in builtin_profiles() order.
const std::vector<LifetimeSetting>& child_lifetime_settings();

// The row for `profile`; for a profile that has none (a user's profile file),
// a generic row: whole seconds, 1 s .. 365 d, status assumption, whose note
// says so. Never null.
const LifetimeSetting& child_lifetime_setting(std::string_view profile);

// True when `lifetime` (ns) is a whole number of `s.step` and within [min, max].
bool configurable(const LifetimeSetting& s, SimTime lifetime);

// `lifetime` in the setting's own unit, then in words when that differs:
// "28,500 s (7 h 55 min)", "475 min (7 h 55 min)", "3,600 s (1 h)".
std::string format_in_setting_units(const LifetimeSetting& s, SimTime lifetime);

// "7 h 55 min", "59 min 30 s", "1 d 2 h": whole seconds, largest units first;
// beyond 365 d, grouped seconds ("2,147,483,647 s").
std::string format_hms(SimTime t);

}  // namespace models
