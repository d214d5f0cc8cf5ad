// The built-in profiles, built once from their field strings, in a stable
// order (rfc7296 first, then each vendor with its base before it).
#include <vector>

#include "models/profiles/vendors.hpp"

namespace models {

namespace {

std::vector<Profile> build_all() {
  std::vector<Profile> all;
  all.reserve(11);
  all.push_back(profiles::make_rfc7296());
  const Profile rfc = all.front();
  const Profile strongswan = profiles::make_strongswan(rfc);
  all.push_back(strongswan);
  all.push_back(profiles::make_strongswan_5_9(strongswan));
  all.push_back(profiles::make_libreswan(rfc));
  all.push_back(profiles::make_panos(rfc));
  all.push_back(profiles::make_cisco_ios(rfc));
  all.push_back(profiles::make_cisco_asa(rfc));
  all.push_back(profiles::make_juniper_srx(rfc));
  all.push_back(profiles::make_fortios(rfc));
  all.push_back(profiles::make_aws_vpn(rfc));
  all.push_back(profiles::make_azure_vpngw(rfc));
  return all;
}

}  // namespace

std::span<const Profile> builtin_profiles() {
  // Immutable after first use; C++ guarantees thread-safe initialisation.
  static const std::vector<Profile> kProfiles = build_all();
  return kProfiles;
}

const Profile* find_builtin_profile(std::string_view name) {
  for (const Profile& p : builtin_profiles()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace models
