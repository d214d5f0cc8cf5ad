// rfc7296: the reference profile. Its config equals a default PeerConfig.
// RFC 7296 fixes the rules (collisions, deletes, who switches when) but not
// the numbers (lifetimes, margins, retransmission timers): those are local
// policy, so every number here is an assumption that says where it came from.
#include "models/profiles/profile_builder.hpp"
#include "models/profiles/vendors.hpp"

namespace models::profiles {

namespace {

const std::string kSec2_8 = "RFC 7296 2.8 (https://www.rfc-editor.org/rfc/rfc7296#section-2.8)";
const std::string kSec2_8_1 =
    "RFC 7296 2.8.1 (https://www.rfc-editor.org/rfc/rfc7296#section-2.8.1)";
const std::string kSec2_8_2 =
    "RFC 7296 2.8.2 (https://www.rfc-editor.org/rfc/rfc7296#section-2.8.2)";
const std::string kSec1_4_1 =
    "RFC 7296 1.4.1 (https://www.rfc-editor.org/rfc/rfc7296#section-1.4.1)";
const std::string kSec1_3_3 =
    "RFC 7296 1.3.3, 2.8 (https://www.rfc-editor.org/rfc/rfc7296#section-1.3.3)";
const std::string kSec2_4 =
    "RFC 7296 2.4, 2.1 (https://www.rfc-editor.org/rfc/rfc7296#section-2.4)";
const std::string kSec2_25 =
    "RFC 7296 2.25 (https://rfcinfo.com/rfc-7296/2-25-exchange-collisions)";

void lifetime_fields(ProfileBuilder& b, const std::string& kind, const char* lifetime) {
  const std::string k = kind + ".";
  b.assumption(
      k + "lifetime", lifetime, kSec2_8,
      "lifetimes are local policy and not negotiated in IKEv2; " +
          (kind == "child" ? std::string("8h is the identical Phase 2 lifetime of the PAN-OS KB "
                                         "incident and libreswan's default")
                           : std::string("24h is the common vendor IKE SA default (Cisco, "
                                         "FortiGate, HPE)")));
  b.assumption(k + "margin", "9m", kSec2_8,
               "the RFC says rekey before expiry but gives no margin; 9 min is the "
               "FreeS/WAN-lineage rekeymargin (libreswan, strongSwan ipsec.conf), a fixed offset "
               "whatever the lifetime");
  b.assumption(k + "fuzz", "100%", kSec2_8_1,
               "rekey requests SHOULD be jittered, amount unspecified; 100% of the margin is "
               "libreswan's and strongSwan ipsec.conf's rekeyfuzz");
  b.assumption(k + "fuzz_quantum", "0", kSec2_8_1,
               "no granularity is specified: continuous jitter");
  b.assumption(k + "responder_margin_scale", "1", kSec2_8,
               "each end enforces its own lifetime the same way; the RFC makes no role "
               "distinction");
  b.assumption(k + "responder_fuzz", "true", kSec2_8_1,
               "jitter applies to whichever end notices the need to rekey");
  b.assumption(k + "tick", "0", kSec2_8, "timer granularity is an implementation detail: exact");
  b.assumption(k + "lifetime_bytes", "0", kSec2_8,
               "volume lifetimes are local policy; none unless configured");
  b.assumption(k + "lifetime_packets", "0", kSec2_8,
               "packet-count lifetimes are local policy; none unless configured");
  b.assumption(k + "volume_margin", "10%", kSec2_8,
               "no volume margin is specified; 10% matches Cisco's rule (rekey when ~10% of the "
               "volume remains); inactive while the volume lifetime is 0");
}

}  // namespace

Profile make_rfc7296() {
  ProfileBuilder b("rfc7296", "RFC 7296 reference: the RFC's rules, rekeysim's reference numbers");
  lifetime_fields(b, "child", "8h");
  lifetime_fields(b, "ike", "24h");
  b.assumption("clock_error", "0ppm", kSec2_8, "an ideal clock; skew is a scenario choice");
  b.assumption("processing_delay", "0", kSec2_8, "messages are handled instantly");
  // Not set: a scenario's processing_delay then covers these messages too.
  b.assumption("processing_delay_ke", "processing_delay", kSec2_8,
               "not set: a request carrying a KE payload takes processing_delay like any other");
  b.assumption("processing_delay_informational", "processing_delay", kSec2_8,
               "not set: INFORMATIONAL requests take processing_delay like any other");
  b.assumption("timer_lateness", "0", kSec2_8, "rekey timers run exactly when due");
  b.assumption("initiation_delay", "0", kSec2_8,
               "a request leaves the moment its rekey timer runs");
  b.assumption("behaviour.child_pfs", "false", kSec1_3_3,
               "the KE payload of CREATE_CHILD_SA is optional (PFS is local policy); off, so a "
               "Child SA rekey costs no DH computation");
  b.confirmed("behaviour.collision_resolution", "rfc7296", kSec2_8_1,
              "the SA created with the lowest of the four nonces (octet order, a prefix is "
              "lower) is closed by the endpoint that created it");
  b.confirmed("behaviour.unknown_spi", "ignore", kSec2_25 + "; " + kSec1_4_1,
              "a DELETE for an SA that does not exist is answered as usual without a Delete "
              "payload (2.25.1)");
  b.confirmed("behaviour.crossing_delete", "rfc7296", kSec1_4_1,
              "a node receiving a DELETE for SAs it is itself deleting removes the outgoing "
              "half on the request, the incoming half on the response, and answers without a "
              "Delete payload");
  b.confirmed("behaviour.responder_switch", "on_old_sa_delete", kSec2_8,
              "the rekey responder keeps sending on the old SA until it receives traffic on "
              "the new one or the DELETE of the replaced SA (it MAY send at once but risks "
              "loss)");
  b.confirmed("behaviour.ike_collision_winner", "rfc7296", kSec2_8_2,
              "the new IKE SA with the lowest nonce is redundant; the other inherits the Child "
              "SAs (RFC 4718 5.11.4 had it the other way round)");
  b.assumption("behaviour.start_action", "on_traffic", kSec2_8,
               "after a failed rekey the SA MUST be closed and new ones MAY be started; "
               "re-creating on demand is the common policy");
  b.confirmed("behaviour.no_sa_policy", "trap",
              "RFC 4301 5.1 (https://www.rfc-editor.org/rfc/rfc4301#section-5.1)",
              "an outbound packet that matches a PROTECT entry of the SPD and finds no SA makes "
              "the implementation invoke IKE to create one; it is never sent unprotected");
  b.confirmed("behaviour.old_sa_delete_delay", "0", kSec1_3_3,
              "the rekey initiator deletes the old SA when the new one is established");
  b.assumption("behaviour.inbound_keep_delay", "5s", kSec2_8_1 + "; " + kSec1_4_1,
               "a node MUST accept packets on both SAs while both are eligible, but no grace "
               "period after the DELETE is given; 5 s (strongSwan's delete_rekeyed_delay) keeps "
               "in-flight ESP from counting against the reference");
  b.assumption("behaviour.retry_min", "6s", kSec2_25,
               "after TEMPORARY_FAILURE the sender MUST NOT retry at once and MAY retry over "
               "several minutes; 6-15 s is strongSwan's RETRY_INTERVAL - random() % "
               "RETRY_JITTER");
  b.assumption("behaviour.retry_max", "15s", kSec2_25,
               "see retry_min: strongSwan's RETRY_INTERVAL 15 s");
  b.assumption("behaviour.redundant_ike_timeout", "30s", kSec2_8_2,
               "no timeout is specified for a redundant IKE SA the peer never deletes; 30 s is "
               "strongSwan's HALF_OPEN_IKE_SA_TIMEOUT");
  b.assumption("behaviour.ike_rekey_forced_delete", "90s", kSec2_8,
               "the initiator deletes the old IKE SA; a responder fallback is not specified, "
               "90 s is strongSwan's (ike_rekey.c)");
  b.assumption("behaviour.reestablish_delay", "1s", kSec2_4,
               "after giving up, state is deleted and MAY be re-created; delay unspecified");
  b.assumption("behaviour.retransmit.timeout", "4s", kSec2_4,
               "the RFC suggests retransmitting at least a dozen times over several minutes "
               "with exponentially growing intervals but fixes no numbers; 4 s x 1.8^n, 5 tries "
               "is strongSwan's default schedule");
  b.assumption("behaviour.retransmit.base", "1.8", kSec2_4, "intervals MUST grow exponentially");
  b.assumption("behaviour.retransmit.tries", "5", kSec2_4,
               "strongSwan's retransmit_tries; fewer than the RFC's 'at least a dozen'");
  b.assumption("behaviour.retransmit.cap", "0", kSec2_4, "no cap specified");
  b.assumption("behaviour.retransmit.jitter", "0%", kSec2_4, "no jitter specified");
  b.confirmed("behaviour.temp_failure_in_collision", "adopt_peer_rekey",
              kSec2_8_2 + "; " + kSec2_25,
              "when a late rekey request is answered with TEMPORARY_FAILURE because the peer's "
              "rekey already replaced the SA, the initiator must not retry or re-create");
  b.assumption("behaviour.max_child_sas", "0",
               "RFC 7296 1.3 (https://www.rfc-editor.org/rfc/rfc7296#section-1.3)",
               "a responder MAY refuse further Child SAs with NO_ADDITIONAL_SAS; the RFC sets no "
               "limit, and none of the vendors' documents gives one for a single traffic-selector "
               "pair");
  b.confirmed("behaviour.responder_deletes_old", "false", kSec1_3_3,
              "the initiator of the rekey deletes the old SA once the new one is established");
  b.confirmed("behaviour.rekey_vs_delete", "keep_until_response",
              "RFC 7296 2.25.1 (https://www.rfc-editor.org/rfc/rfc7296#section-2.25.1)",
              "a DELETE for an SA being rekeyed is answered 'as usual'; keeping the SA until the "
              "rekey's response (strongSwan 6.0) is the reading that never closes a tunnel the "
              "response would have kept");
  b.assumption("behaviour.worker_race_window", "0", "RFC 7296 2.3",
               "messages of one IKE SA are processed in the order they arrive; the RFC says "
               "nothing about an implementation's worker threads");
  b.assumption("behaviour.reauth_time", "0",
               "RFC 7296 2.8.3 (https://www.rfc-editor.org/rfc/rfc7296#section-2.8.3)",
               "reauthentication is local policy (the AUTH_LIFETIME notify of RFC 4478 only "
               "tells the peer); off unless configured");
  b.confirmed("behaviour.reauth_mode", "make_before_break",
              "RFC 7296 2.8.3 (https://www.rfc-editor.org/rfc/rfc7296#section-2.8.3)",
              "reauthentication creates a new IKE SA from scratch and new Child SAs within it, "
              "and finally deletes the old IKE SA, which deletes the old Child SAs as well");
  b.assumption("behaviour.reauth_retry_interval", "0",
               "RFC 7296 2.8.3, 2.4 (https://www.rfc-editor.org/rfc/rfc7296#section-2.8.3)",
               "the RFC gives no retry timing for reauthentication (local policy): the next "
               "attempt starts as soon as the last one gave up, so 2.4's retransmission schedule "
               "spaces the attempts");
  b.assumption("behaviour.reauth_tries", "0",
               "RFC 7296 2.8.3 (https://www.rfc-editor.org/rfc/rfc7296#section-2.8.3)",
               "a peer whose policy requires reauthentication keeps trying while the old IKE SA "
               "carries the tunnel; the RFC sets no limit");
  b.assumption("behaviour.duplicate_ike_sa", "keep_both",
               "RFC 7296 2.8.2 (https://www.rfc-editor.org/rfc/rfc7296#section-2.8.2)",
               "the RFC is silent on two IKE SAs made by crossing IKE_SA_INIT exchanges (2.8.2 "
               "settles only simultaneous rekeys), so nothing deletes either");
  b.assumption("behaviour.duplicate_ike_delete_delay", "0", "RFC 7296", "unused with keep_both");
  b.assumption("log_style", "plain", "rekeysim",
               "an RFC is not an implementation: no vendor log shape, the plain event view");
  return std::move(b).build();
}

}  // namespace models::profiles
