// Builds a Profile from fields written in scenario syntax: each field is
// parsed into the PeerConfig as it is set, so a profile's documentation and
// its behaviour cannot drift apart. A profile starts as a copy of its base;
// fields it does not restate keep the base's value.
#pragma once

#include <string>
#include <string_view>

#include "models/profiles/profile.hpp"

namespace models::profiles {

enum class Inherit {
  // The base is the same implementation (strongswan-5.9 from strongswan):
  // inherited fields keep their source and status.
  kSameImplementation,
  // The base is only a reference (a vendor from rfc7296): an inherited value
  // was not found for this vendor, so it becomes an assumption that says so.
  kReferenceOnly,
};

class ProfileBuilder {
 public:
  ProfileBuilder(std::string name, std::string description);  // no base (rfc7296)
  ProfileBuilder(std::string name, std::string description, const Profile& base, Inherit inherit);

  // A value read in `source`; `note` says what the source states.
  ProfileBuilder& confirmed(std::string_view key, std::string_view value, std::string source,
                            std::string note = {});
  // A value not found in a source; `note` (required) gives the reasoning.
  ProfileBuilder& assumption(std::string_view key, std::string_view value, std::string source,
                             std::string note);

  // Fields in the canonical key order of profile_field_keys().
  Profile build() &&;

 private:
  ProfileBuilder& set(std::string_view key, std::string_view value, std::string source,
                      SourceStatus status, std::string note);
  Profile profile_;
};

}  // namespace models::profiles
