// Palo Alto Networks PAN-OS (ikemgr, racoon2-derived). Few numbers are
// published; the behaviour knobs come from the KB incident rekeysim exists
// for and from interop bug reports about PAN peers.
#include "models/profiles/profile_builder.hpp"
#include "models/profiles/vendors.hpp"

namespace models::profiles {

namespace {

const std::string kKb =
    "PAN KB 'Troubleshooting IPsec VPN Tunnel Instability: Rekeying Race Condition' "
    "(https://knowledgebase.paloaltonetworks.com/KCSArticleDetail?id=kA1Ki000000TNW8KAO)";
const std::string kLifetimeDoc =
    "PAN-OS 11.0 admin guide 'Change the Key Lifetime or Authentication Interval for IKEv2' "
    "(https://docs.paloaltonetworks.com/content/techdocs/en_US/pan-os/11-0/pan-os-admin/vpns/"
    "set-up-site-to-site-vpn/set-up-an-ike-gateway/"
    "change-the-key-lifetime-or-authentication-interval-for-ikev2.html)";
const std::string kSaKeyLifetime =
    "docs.paloaltonetworks.com 'SA Key Lifetime and Re-Authentication Interval'";
const std::string kCscvx23833 =
    "Cisco bug CSCvx23833 (https://www.findbugzero.com/operational-defect-database/vendors/cisco/"
    "defects/CSCvx23833)";
const std::string kLiveness =
    "PAN KB IKEv2 liveness check (https://knowledgebase.paloaltonetworks.com/"
    "KCSArticleDetail?id=kA10g000000ClgcCAC)";
const std::string kSs1458 =
    "strongSwan issue #1458 (https://github.com/strongswan/strongswan/issues/1458)";
const std::string kRacoon2 =
    "racoon2 iked/ikev2.c ikev2_createchild_responder_recv/_send, ikev2_child.c ikev2_expire_child "
    "(github.com/zoulasc/racoon2 at 7ee335e)";

}  // namespace

Profile make_panos(const Profile& rfc7296) {
  ProfileBuilder b("panos", "Palo Alto PAN-OS ikemgr: the KB crossing-delete incident", rfc7296,
                   Inherit::kReferenceOnly);
  b.assumption("child.lifetime", "1h", "PAN-OS IPsec crypto profile default",
               "UNCONFIRMED: the commonly documented default (lifesize unset); the KB incident "
               "used identical lifetimes set by the admin, which scenarios set explicitly");
  b.assumption("child.margin", "10%", kLifetimeDoc,
               "UNCONFIRMED: PAN-OS does not document when before expiry it rekeys, only that "
               "'the gateway with the shorter key lifetime' requests the rekey; 10% of the "
               "configured lifetime assumed (6 min at 1 h)");
  b.assumption("child.fuzz", "0%", kKb,
               "no jitter is documented; the KB's remedy (make the lifetimes differ) and both "
               "peers acting on the same SA within 32 ms suggest little or none");
  b.confirmed("child.responder_margin_scale", "1", kLifetimeDoc,
              "initiator and responder keep their own lifetimes; the shorter one rekeys");
  b.assumption("child.lifetime_bytes", "0", "PAN-OS IPsec crypto profile (lifesize)",
               "lifesize is unset unless configured");
  b.confirmed("ike.lifetime", "8h", kSaKeyLifetime, "IKE crypto profile key lifetime 8 h");
  b.assumption("ike.margin", "10%", kSaKeyLifetime,
               "UNCONFIRMED: as child.margin, 10% of the configured lifetime (48 min at 8 h)");
  b.assumption("ike.fuzz", "0%", kKb, "as child.fuzz");
  b.confirmed("ike.responder_margin_scale", "1", kLifetimeDoc, "lifetimes are local on both ends");
  b.assumption("behaviour.collision_resolution", "none", kKb,
               "no collision decision appears in ikemgr.log; in the KB both peers delete the "
               "same SA (the KB log's two DELETEs name the two halves of one SA), which is what "
               "two peers that each finish their own rekey and delete the old SA do; the RFC "
               "nonce rule would have the DELETEs name different SAs");
  b.confirmed("behaviour.unknown_spi", "log", kKb + " (ikemgr.log sample)",
              "[PWRN] 'can't find sa for proto ESP spi 0x...' right after 'received DELETE "
              "payload' / 'delete proto ESP spi' (racoon2 ikev2.c:4716, PLOG_PROTOWARN); the KB "
              "says the tunnel then disconnects, which rekeysim attributes to the crossing delete "
              "rather than to a teardown");
  b.assumption("behaviour.crossing_delete", "naive", kKb + " (ikemgr.log sample)",
               "the firewall logs 'IPSEC KEY DELETED' and SADB_DELETE of its inbound SA in the "
               "same millisecond as it transmits its own DELETE (03:32:18.287), so the peer's "
               "DELETE for the same SA 32 ms later finds nothing; RFC 7296 1.4.1 would keep the "
               "incoming half until the response");
  b.confirmed("behaviour.responder_switch", "on_response_sent", kCscvx23833,
              "the PAN peer starts sending on the new SA immediately after its CREATE_CHILD_SA "
              "response (allowed by RFC 7296 2.8); the FTD saw the new SPI as invalid");
  b.assumption("behaviour.old_sa_delete_delay", "0", kSs1458,
               "PAN sends DELETE for the old SA immediately around its CREATE_CHILD_SA response "
               "(< 0.5 ms apart in #1458, where PAN was the rekey responder)");
  b.assumption("behaviour.responder_deletes_old", "false", kSs1458 + "; " + kRacoon2,
               "off by default, re-checked 2026-11: in #1458 a PAN-OS rekey responder "
               "(firmware not named) sent 'DELETE for ESP CHILD_SA with SPI a0f80e88' less than "
               "0.5 ms after 'CREATE_CHILD_SA response 10', and strongSwan 5.8.4 logged "
               "'detected CHILD_REKEY collision with CHILD_DELETE', which its child_rekey.c "
               "collide() logs only for a DELETE of the SA being rekeyed: that firmware deleted "
               "the old SA itself, as RFC 7296 1.3.3 leaves to the initiator. No second report "
               "was found (strongSwan/libreswan trackers, PAN KBs, Cisco CSCvx23833/CSCwc54984 "
               "show PAN as rekey responder switching early, not deleting), and racoon2, whose "
               "ikev2_child_delete() the KB's ikemgr.log names, has no such path: its rekey "
               "responder leaves the old Child SA to its own hard-lifetime timer. One report, "
               "one firmware: set true to model it (scenarios/panos-vs-strongswan-584.yaml does)");
  b.assumption("behaviour.rekey_vs_delete", "keep_until_response", kSs1458,
               "never observed: a PAN-OS initiator receiving a DELETE for the SA it rekeys is "
               "not in any public report; the RFC reading is assumed");
  b.confirmed("behaviour.reauth_time", "0", kLifetimeDoc,
              "reauthentication every IKE lifetime x 'IKEv2 Authentication Multiple'; the "
              "multiple defaults to 0 = no reauthentication");
  b.assumption("behaviour.worker_race_window", "0", kKb + " (ikemgr.log sample)",
               "ikemgr logs one message at a time in arrival order; no reordering is reported");
  b.assumption("behaviour.inbound_keep_delay", "0", kKb + " (ikemgr.log sample)",
               "SADB_DELETE of the inbound SA is logged in the same millisecond as the DELETE is "
               "sent: no grace period");
  b.assumption("behaviour.retransmit.timeout", "1s", kLiveness,
               "the documented IKEv2 liveness schedule (1+2+4+8+16+32+64+64+64+64 = 319 s, then "
               "the SAs are torn down) is assumed for every request");
  b.assumption("behaviour.retransmit.base", "2", kLiveness, "intervals double (liveness schedule)");
  b.assumption("behaviour.retransmit.tries", "9", kLiveness,
               "10 timeouts = 9 retransmissions before giving up at 319 s (liveness schedule)");
  b.assumption("behaviour.retransmit.cap", "64s", kLiveness, "intervals stop growing at 64 s");
  b.confirmed("log_style", "panos",
              "https://knowledgebase.paloaltonetworks.com/KCSArticleDetail?id=kA1Ki000000TNW8KAO",
              "PAN-OS 10/11 ikemgr.log as in the KB's sample");
  return std::move(b).build();
}

}  // namespace models::profiles
