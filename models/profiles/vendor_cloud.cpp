// Cloud VPN gateways: AWS Site-to-Site VPN and Azure VPN Gateway.
#include "models/profiles/profile_builder.hpp"
#include "models/profiles/vendors.hpp"

namespace models::profiles {

namespace {

const std::string kAws =
    "AWS EC2 API ModifyVpnTunnelOptionsSpecification (Phase1/Phase2LifetimeSeconds, "
    "RekeyMarginTimeSeconds, RekeyFuzzPercentage, StartupAction); AWS Kotlin SDK docs (270 s); "
    "brendanhay/amazonka VPNTunnelOptionsSpecification.hs (540 s, older)";
const std::string kAzure =
    "MicrosoftDocs/azure-docs includes/vpn-gateway-faq-ipsecikepolicy-include.md (2022)";

}  // namespace

Profile make_aws_vpn(const Profile& rfc7296) {
  ProfileBuilder b("aws-vpn", "AWS Site-to-Site VPN tunnel endpoint (AWS side)", rfc7296,
                   Inherit::kReferenceOnly);
  b.confirmed("child.lifetime", "1h", kAws, "Phase2LifetimeSeconds 3600 (900-3600, < Phase 1)");
  b.confirmed("child.margin", "4m30s", kAws,
              "RekeyMarginTimeSeconds: 'the margin time before the phase 2 lifetime expires, "
              "during which the AWS side ... performs an IKE rekey'; 270 s today (540 s in older "
              "API docs); range 60..Phase2/2. A separate parameter with its own default: a fixed "
              "offset, unchanged when only the Phase 2 lifetime is set");
  b.confirmed("child.fuzz", "100%", kAws,
              "RekeyFuzzPercentage 100: 'the percentage of the rekey window ... during which the "
              "rekey time is randomly selected'");
  b.confirmed("ike.lifetime", "8h", kAws, "Phase1LifetimeSeconds 28800 (900-28800)");
  b.assumption("ike.margin", "4m30s", kAws,
               "the API describes the margin for Phase 2; assumed the same fixed offset for "
               "Phase 1");
  b.assumption("ike.fuzz", "100%", kAws, "as child.fuzz");
  b.confirmed("behaviour.start_action", "none", kAws,
              "StartupAction 'add': the customer gateway initiates; the AWS side waits (DPD "
              "timeout 40 s with action 'clear' is not modelled)");
  b.assumption("behaviour.no_sa_policy", "drop", kAws,
               "the AWS side never starts a negotiation (start_action none), so no packet "
               "triggers one; VPC traffic for a tunnel without SA is assumed dropped, never "
               "sent to the internet in clear");
  b.assumption("log_style", "plain", "AWS Site-to-Site VPN documentation",
               "the AWS endpoint's IKE log is not a device log a customer diffs; rekeysim has no "
               "style for it");
  return std::move(b).build();
}

Profile make_azure_vpngw(const Profile& rfc7296) {
  ProfileBuilder b("azure-vpngw", "Azure VPN Gateway, IKEv2 default policy", rfc7296,
                   Inherit::kReferenceOnly);
  b.confirmed("child.lifetime", "7h30m", kAzure, "QM SA default 27,000 s (min 300 s)");
  b.confirmed("child.lifetime_bytes", "102400000KB", kAzure, "QM SA default 102,400,000 KB");
  b.confirmed("child.responder_margin_scale", "1", kAzure,
              "QM lifetimes are 'local specifications only, don't need to match'");
  b.assumption("child.margin", "10%", kAzure,
               "UNCONFIRMED: the rekey point is not documented; 10% of the configured lifetime "
               "assumed (45 min at the 7.5 h default)");
  b.assumption("child.fuzz", "0%", kAzure, "no jitter documented");
  b.confirmed("ike.lifetime", "8h", kAzure, "IKEv2 main mode SA fixed at 28,800 s");
  b.assumption("ike.margin", "10%", kAzure,
               "UNCONFIRMED: 10% of the configured lifetime assumed (48 min at 8 h)");
  b.assumption("ike.fuzz", "0%", kAzure, "no jitter documented");
  b.assumption("log_style", "plain", "Azure VPN Gateway documentation",
               "Azure's IKE diagnostic log shape was not researched; rekeysim has no style for "
               "it");
  return std::move(b).build();
}

}  // namespace models::profiles
