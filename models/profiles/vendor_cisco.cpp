// Cisco IOS/IOS-XE and ASA/FTD. IPsec SA defaults are documented; the rekey
// point is documented for NX-OS/MDS only; collision handling is not
// documented at all.
#include "models/profiles/profile_builder.hpp"
#include "models/profiles/vendors.hpp"

namespace models::profiles {

namespace {

const std::string kIosIpsec =
    "Cisco IOS 'crypto ipsec security-association lifetime' defaults (Cisco 7100 VPN router "
    "configuration guide; CCSP study guide)";
const std::string kMds = "Cisco MDS 9000 / DCNM IPsec configuration guide (manualowl, p.937)";
const std::string kAsaIpsec = "Cisco ASA 5500 configuration guide (manualslib, p.524)";
const std::string kCscvx23833 =
    "Cisco bug CSCvx23833 (https://www.findbugzero.com/operational-defect-database/vendors/cisco/"
    "defects/CSCvx23833)";
const std::string kCscwc54984 =
    "Cisco bug CSCwc54984 (https://findbugzero.com/operational-defect-database/vendors/cisco/"
    "defects/CSCwc54984)";

// What both Cisco platforms share, as far as the sources say.
void cisco_common(ProfileBuilder& b, const std::string& lifetime_source) {
  b.confirmed("child.lifetime_bytes", "4608000KB", lifetime_source, "4,608,000 KB volume lifetime");
  b.assumption("child.volume_margin", "10%", kMds,
               "stated for NX-OS/MDS: a new SA is negotiated when ~10% of the KB lifetime "
               "remains; assumed the same here");
  b.assumption("child.fuzz", "0%", kMds,
               "the documented rule is a fixed point before expiry; no jitter is documented");
  b.confirmed("child.responder_margin_scale", "1", kMds,
              "'If you use IKEv2 to set up IPsec SAs, the SAs on each end have their own set up "
              "of lifetime values and thus the SAs on both sides expire independently'");
  b.assumption("ike.fuzz", "0%", kMds, "no jitter documented");
  b.confirmed("behaviour.start_action", "on_traffic", kMds,
              "'If no traffic has passed when the lifetime expires, no new SA is negotiated "
              "until new traffic arrives'");
  b.assumption("behaviour.no_sa_policy", "trap", kMds,
               "new traffic matching the crypto ACL is what starts the negotiation (see "
               "start_action); the packets that trigger it are assumed dropped, not sent in clear");
}

}  // namespace

Profile make_cisco_ios(const Profile& rfc7296) {
  ProfileBuilder b("cisco-ios", "Cisco IOS / IOS-XE IKEv2", rfc7296, Inherit::kReferenceOnly);
  b.confirmed("child.lifetime", "1h", kIosIpsec, "IPsec SA lifetime 3600 s");
  cisco_common(b, kIosIpsec);
  b.assumption("child.margin", "30s", kMds,
               "a fixed offset: stated for NX-OS/MDS, a new SA is negotiated 30 s before the time "
               "lifetime expires, whatever the lifetime; assumed the same in IOS");
  b.assumption("ike.lifetime", "24h", "Cisco IOS 'crypto ikev2 profile' lifetime",
               "UNCONFIRMED: 86400 s is the commonly cited IKEv2 SA default");
  b.assumption("ike.margin", "30s", kMds,
               "assumed to follow the IPsec SA rule: a fixed 30 s before expiry");
  b.confirmed("log_style", "cisco-ios",
              "Cisco TAC 'IOS IKEv2 Debugs for Site-to-Site VPN with PSKs' (doc 115934)",
              "IOS/IOS-XE `debug crypto ikev2` packet records and %CRYPTO syslog messages");
  return std::move(b).build();
}

Profile make_cisco_asa(const Profile& rfc7296) {
  ProfileBuilder b("cisco-asa", "Cisco ASA / FTD IKEv2", rfc7296, Inherit::kReferenceOnly);
  b.confirmed("child.lifetime", "8h", kAsaIpsec, "IPsec SA lifetime 28,800 s");
  cisco_common(b, kAsaIpsec);
  b.assumption("child.margin", "10%", kCscvx23833,
               "UNCONFIRMED: 'rekeys at ~90% of the lifetime' is recalled, not found; a fraction "
               "of the configured lifetime (48 min at the 8 h default, 6 min at 1 h)");
  b.assumption("ike.lifetime", "24h", "Cisco ASA 'crypto ikev2 policy' lifetime",
               "UNCONFIRMED: 86400 s is the commonly cited default");
  b.assumption("ike.margin", "10%", "Cisco ASA 'crypto ikev2 policy' lifetime",
               "UNCONFIRMED: 10% of the configured lifetime, as child.margin (2 h 24 min at 24 h)");
  b.assumption("behaviour.collision_resolution", "rfc7296", "Cisco ASA syslog 750005",
               "a syslog text 'IPsec rekey collision detected. I am lowest nonce initiator, "
               "deleting SA ...' is recalled but not found; it would mean the RFC nonce rule");
  b.assumption("behaviour.responder_switch", "on_old_sa_delete", kCscwc54984 + "; " + kCscvx23833,
               "the bugs show the ASA rejecting traffic on its own new inbound SPI (INVALID_SPI) "
               "when a PAN peer switches early, i.e. the ASA itself does not switch early; "
               "rekeysim does not model that install race");
  b.confirmed("log_style", "cisco-asa",
              "Cisco TAC 'ASA IKEv2 Debugs for Site-to-Site VPN with PSKs' (doc 115935); "
              "Cisco bugs CSCwc54984, CSCvx23833",
              "ASA/FTD `debug crypto ikev2 protocol|platform` lines and %ASA syslog messages");
  return std::move(b).build();
}

}  // namespace models::profiles
