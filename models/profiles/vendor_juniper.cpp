// Juniper SRX (kmd/iked). Defaults conflict between Junos releases and the
// rekey point is not documented: mostly assumptions.
#include "models/profiles/profile_builder.hpp"
#include "models/profiles/vendors.hpp"

namespace models::profiles {

namespace {

const std::string kJunos =
    "juniper.net Junos 9.3 (J-series) and current SRX IPsec proposal pages; Junos 9.3 'Configuring "
    "the Lifetime for an IPSec SA'";

}  // namespace

Profile make_juniper_srx(const Profile& rfc7296) {
  ProfileBuilder b("juniper-srx", "Juniper SRX IKEv2 (defaults conflict between releases)", rfc7296,
                   Inherit::kReferenceOnly);
  b.assumption("child.lifetime", "1h", kJunos,
               "UNCONFIRMED and conflicting: current SRX docs 3600 s, older Junos 28,800 s if "
               "unset; the current value is used");
  b.assumption("child.margin", "10%", kJunos,
               "UNCONFIRMED: 'the soft lifetime, which is derived from the hard lifetime' (Junos "
               "9.3), by a rule the stored pages do not give; 10% of the configured lifetime "
               "assumed (6 min at 1 h)");
  b.assumption("child.fuzz", "0%", kJunos, "no jitter documented");
  b.assumption("child.lifetime_bytes", "0", kJunos,
               "lifetime-kilobytes (64-1048576 KB) has no default: no volume limit");
  b.assumption("ike.lifetime", "8h", "Juniper IKE proposal lifetime-seconds",
               "UNCONFIRMED: 28,800 s");
  b.assumption("ike.margin", "10%", "Juniper IKE proposal lifetime-seconds",
               "UNCONFIRMED: 10% of the configured lifetime assumed (48 min at 8 h)");
  b.assumption("ike.fuzz", "0%", kJunos, "no jitter documented");
  b.confirmed("log_style", "juniper-srx",
              "Junos system log messages reference, KMD chapter; public kmd-logs samples (cited in "
              "rekeysim tools/trace/README.md)",
              "SRX kmd syslog: KMD_PM_SA_ESTABLISHED per direction, KMD_VPN_UP/DOWN_ALARM_USER");
  return std::move(b).build();
}

}  // namespace models::profiles
