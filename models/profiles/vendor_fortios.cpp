// Fortinet FortiGate (FortiOS).
#include "models/profiles/profile_builder.hpp"
#include "models/profiles/vendors.hpp"

namespace models::profiles {

namespace {

const std::string kForti =
    "Fortinet community article 397379 ('expire 34638 (configured value 43200)'), FortiOS "
    "phase1-interface keylife / phase2-interface keylifeseconds";

}  // namespace

Profile make_fortios(const Profile& rfc7296) {
  ProfileBuilder b("fortios", "Fortinet FortiGate FortiOS IKEv2", rfc7296, Inherit::kReferenceOnly);
  b.confirmed("child.lifetime", "12h", kForti, "phase2 keylifeseconds 43200 (kbytes optional)");
  b.assumption("child.margin", "10%", kForti,
               "UNCONFIRMED: FortiOS rekeys before expiry by an undocumented soft margin; 10% of "
               "the configured lifetime assumed (1 h 12 min at 12 h)");
  b.assumption("child.fuzz", "0%", kForti, "no jitter documented");
  b.assumption("child.lifetime_bytes", "0", kForti, "keylife-kbs is off unless enabled");
  b.confirmed("ike.lifetime", "24h", kForti, "phase1 keylife 86400 s");
  b.assumption("ike.margin", "10%", kForti,
               "UNCONFIRMED: 10% of the configured lifetime assumed (2 h 24 min at 24 h)");
  b.assumption("ike.fuzz", "0%", kForti, "no jitter documented");
  b.assumption("behaviour.no_sa_policy", "trap",
               "Fortinet Community, Technical Tip: Using Blackhole routes in site-to-site IPsec "
               "VPN (article 192526)",
               "kept as the RFC 4301 reference because this profile re-creates SAs on traffic "
               "(start_action on_traffic, inherited). The article shows a FortiGate whose "
               "tunnel is down routing the tunnel's traffic out of wan1 by the default route, "
               "unencrypted, unless a blackhole route is configured: model that with "
               "no_sa_policy clear");
  b.assumption("log_style", "plain", "FortiOS `diagnose debug application ike -1`",
               "no public sample of FortiOS IKE debug output for a rekey or delete was found, so "
               "rekeysim has no FortiOS style");
  return std::move(b).build();
}

}  // namespace models::profiles
