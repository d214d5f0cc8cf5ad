// One function per built-in profile (one file per vendor family). The
// registry (registry.cpp) calls them in a fixed order.
#pragma once

#include "models/profiles/profile.hpp"

namespace models::profiles {

inline constexpr const char* kRfc7296 = "RFC 7296 (https://www.rfc-editor.org/rfc/rfc7296)";

Profile make_rfc7296();
Profile make_strongswan(const Profile& rfc7296);
Profile make_strongswan_5_9(const Profile& strongswan);
Profile make_libreswan(const Profile& rfc7296);
Profile make_panos(const Profile& rfc7296);
Profile make_cisco_ios(const Profile& rfc7296);
Profile make_cisco_asa(const Profile& rfc7296);
Profile make_juniper_srx(const Profile& rfc7296);
Profile make_fortios(const Profile& rfc7296);
Profile make_aws_vpn(const Profile& rfc7296);
Profile make_azure_vpngw(const Profile& rfc7296);

}  // namespace models::profiles
