#include "models/profiles/profile_builder.hpp"

#include <algorithm>
#include <stdexcept>

namespace models::profiles {

ProfileBuilder::ProfileBuilder(std::string name, std::string description) {
  profile_.name = std::move(name);
  profile_.description = std::move(description);
  profile_.config.profile = profile_.name;
}

ProfileBuilder::ProfileBuilder(std::string name, std::string description, const Profile& base,
                               Inherit inherit)
    : profile_(base) {
  profile_.name = std::move(name);
  profile_.description = std::move(description);
  profile_.base = base.name;
  profile_.config.profile = profile_.name;
  if (inherit == Inherit::kReferenceOnly) {
    for (ProfileField& f : profile_.fields) {
      f.status = SourceStatus::kAssumption;
      f.note = "not found for " + profile_.name + "; " + base.name + " reference value" +
               (f.note.empty() ? std::string{} : " (" + f.note + ")");
    }
  }
}

ProfileBuilder& ProfileBuilder::confirmed(std::string_view key, std::string_view value,
                                          std::string source, std::string note) {
  return set(key, value, std::move(source), SourceStatus::kConfirmed, std::move(note));
}

ProfileBuilder& ProfileBuilder::assumption(std::string_view key, std::string_view value,
                                           std::string source, std::string note) {
  if (note.empty()) {
    throw std::logic_error("profile " + profile_.name + ": assumption " + std::string(key) +
                           " needs a note");
  }
  return set(key, value, std::move(source), SourceStatus::kAssumption, std::move(note));
}

ProfileBuilder& ProfileBuilder::set(std::string_view key, std::string_view value,
                                    std::string source, SourceStatus status, std::string note) {
  if (!is_profile_field_key(key)) {
    throw std::logic_error("profile " + profile_.name + ": unknown key " + std::string(key));
  }
  apply_profile_field(profile_.config, key, value);
  ProfileField field{std::string(key), std::string(value), std::move(source), status,
                     std::move(note)};
  auto it = std::find_if(profile_.fields.begin(), profile_.fields.end(),
                         [&](const ProfileField& f) { return f.key == key; });
  if (it != profile_.fields.end()) {
    *it = std::move(field);
  } else {
    profile_.fields.push_back(std::move(field));
  }
  return *this;
}

Profile ProfileBuilder::build() && {
  const auto keys = profile_field_keys();
  auto rank = [&](const ProfileField& f) {
    return std::find(keys.begin(), keys.end(), f.key) - keys.begin();
  };
  std::stable_sort(profile_.fields.begin(), profile_.fields.end(),
                   [&](const ProfileField& a, const ProfileField& b) { return rank(a) < rank(b); });
  return std::move(profile_);
}

}  // namespace models::profiles
