#include "models/profiles/lifetime_settings.hpp"

#include <algorithm>

namespace models {

namespace {

using sim::days;
using sim::hours;
using sim::minutes;
using sim::seconds;

constexpr SourceStatus kConfirmed = SourceStatus::kConfirmed;
constexpr SourceStatus kAssumed = SourceStatus::kAssumption;

std::vector<LifetimeSetting> build() {
  return {
      {"rfc7296",
       "Child SA lifetime (local policy)",
       {"s"},
       seconds(1),
       seconds(1),
       days(365),
       "RFC 7296 2.8",
       kAssumed,
       "the RFC leaves lifetimes to local policy; whole seconds assumed"},
      {"strongswan",
       "swanctl.conf children.<child>.life_time",
       {"s", "m", "h", "d"},
       seconds(1),
       seconds(1),
       days(365),
       "strongSwan swanctl.conf(5) (time values take an s, m, h or d suffix)",
       kConfirmed,
       "rekeysim's child.lifetime is life_time; rekey_time is life_time minus the margin"},
      {"strongswan-5.9",
       "swanctl.conf children.<child>.life_time",
       {"s", "m", "h", "d"},
       seconds(1),
       seconds(1),
       days(365),
       "strongSwan swanctl.conf(5) (time values take an s, m, h or d suffix)",
       kConfirmed,
       "as strongswan"},
      {"libreswan",
       "ipsec.conf salifetime",
       {"s", "m", "h"},
       seconds(1),
       seconds(1),
       hours(24),
       "libreswan ipsec.conf(5) salifetime",
       kAssumed,
       "UNCONFIRMED: a time with s/m/h suffix; pluto caps IPsec SA lifetimes (24 h assumed)"},
      {"panos",
       "Network > IPSec Crypto profile > Lifetime",
       {"min", "h", "d"},
       minutes(1),
       minutes(3),
       days(365),
       "PAN-OS admin guide 'Define IPSec Crypto Profiles' (lifetime: select units and enter the "
       "length of time); panos Terraform/Pulumi provider IpsecCryptoProfile lifetime "
       "(days/hours/minutes/seconds)",
       kAssumed,
       "UNCONFIRMED step and range: the GUI offers whole minutes, hours and days (a seconds unit "
       "exists in the API); rekeysim suggests whole minutes, at least 3 min"},
      {"cisco-ios",
       "crypto ipsec security-association lifetime seconds",
       {"s"},
       seconds(1),
       seconds(120),
       seconds(86400),
       "Cisco IOS Security Command Reference 'crypto ipsec security-association lifetime'",
       kAssumed,
       "UNCONFIRMED range: 120 to 86,400 s recalled from the command reference"},
      {"cisco-asa",
       "crypto ipsec security-association lifetime seconds",
       {"s"},
       seconds(1),
       seconds(120),
       seconds(2147483647),
       "Cisco ASA command reference 'crypto ipsec security-association lifetime'",
       kAssumed,
       "UNCONFIRMED range: 120 to 2,147,483,647 s recalled from the command reference"},
      {"juniper-srx",
       "security ipsec proposal <p> lifetime-seconds",
       {"s"},
       seconds(1),
       seconds(180),
       seconds(86400),
       "juniper.net Junos 'lifetime-seconds' statement (Range: 180 through 86,400)",
       kConfirmed,
       "seconds only, 180 to 86,400"},
      {"fortios",
       "config vpn ipsec phase2-interface: set keylifeseconds",
       {"s"},
       seconds(1),
       seconds(120),
       seconds(172800),
       "FortiOS CLI reference 'vpn ipsec phase2-interface'",
       kAssumed,
       "UNCONFIRMED range: 120 to 172,800 s recalled from the CLI reference"},
      {"aws-vpn",
       "VPN tunnel option Phase2LifetimeSeconds",
       {"s"},
       seconds(1),
       seconds(900),
       seconds(3600),
       "AWS EC2 API VpnTunnelOptionsSpecification.Phase2LifetimeSeconds ('A value between 900 "
       "and 3,600. The value must be less than the value for Phase1LifetimeSeconds')",
       kConfirmed,
       "whole seconds, 900 to 3,600"},
      {"azure-vpngw",
       "custom IPsec/IKE policy SA lifetime (seconds)",
       {"s"},
       seconds(1),
       seconds(300),
       seconds(172799),
       "MicrosoftDocs azure-docs vpn-gateway IPsec/IKE policy FAQ (QM SA lifetime)",
       kAssumed,
       "minimum 300 s confirmed; maximum 172,799 s UNCONFIRMED"},
  };
}

std::string grouped(long long n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

const std::vector<LifetimeSetting>& child_lifetime_settings() {
  static const std::vector<LifetimeSetting> kSettings = build();
  return kSettings;
}

const LifetimeSetting& child_lifetime_setting(std::string_view profile) {
  for (const auto& s : child_lifetime_settings()) {
    if (s.profile == profile) return s;
  }
  static const LifetimeSetting kGeneric{
      "",
      "Child SA lifetime",
      {"s"},
      seconds(1),
      seconds(1),
      days(365),
      "none",
      kAssumed,
      "no lifetime-unit data for this profile: whole seconds assumed"};
  return kGeneric;
}

bool configurable(const LifetimeSetting& s, SimTime lifetime) {
  return lifetime >= s.min && lifetime <= s.max && s.step.ns() > 0 &&
         lifetime.ns() % s.step.ns() == 0;
}

std::string format_hms(SimTime t) {
  long long s = t.ns() / 1'000'000'000;
  if (s == 0) return "0 s";
  const bool neg = s < 0;
  if (neg) s = -s;
  // Beyond a year, days and hours stop meaning anything to an admin: the
  // seconds a command takes ("2,147,483,647 s").
  if (s > 365LL * 86400) return (neg ? "-" : "") + grouped(s) + " s";
  std::string out;
  const std::pair<long long, const char*> parts[] = {
      {86400, "d"}, {3600, "h"}, {60, "min"}, {1, "s"}};
  for (const auto& [size, name] : parts) {
    if (s >= size) {
      out += (out.empty() ? "" : " ") + std::to_string(s / size) + " " + name;
      s %= size;
    }
  }
  return neg ? "-" + out : out;
}

std::string format_in_setting_units(const LifetimeSetting& s, SimTime lifetime) {
  const bool in_minutes = s.step == minutes(1);
  const long long n = lifetime.ns() / s.step.ns();
  std::string own = grouped(n) + (in_minutes ? " min" : " s");
  const std::string words = format_hms(lifetime);
  return words == own ? own : own + " (" + words + ")";
}

}  // namespace models
