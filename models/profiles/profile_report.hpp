// Text renderings of profiles for the command line (`rekeysim profiles`).
#pragma once

#include <span>
#include <string>

#include "models/profiles/profile.hpp"

namespace models {

// One row per profile: name, Child SA lifetime/margin/fuzz, IKE lifetime,
// collision rule, responder switch, unknown-SPI action, crossing deletes,
// and how many fields are confirmed by a source.
std::string format_profile_table(std::span<const Profile> profiles);

// Every field of one profile: key = value [status], then its source and note;
// then the lifetime rules (lifetime_rules.hpp).
std::string format_profile_detail(const Profile& profile);

}  // namespace models
