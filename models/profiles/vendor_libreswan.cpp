// libreswan (pluto). Sources: github.com/libreswan/libreswan @ 0c4e3ecc
// include/pluto_constants.h, programs/pluto/{rekeyfuzz.c, ikev2_parent.c,
// ikev2_child.c, ikev2_delete.c, retransmit.c, extract.c}, configs/d.ipsec.conf.
#include "models/profiles/profile_builder.hpp"
#include "models/profiles/vendors.hpp"

namespace models::profiles {

namespace {

const std::string kConstants =
    "libreswan include/pluto_constants.h; configs/d.ipsec.conf/conn/*.xml";
const std::string kFuzz =
    "libreswan programs/pluto/rekeyfuzz.c fuzz_rekey_margin; ikev2_parent.c "
    "schedule_v2_replace_event";
const std::string kExpireOld =
    "libreswan programs/pluto/ikev2_child.c ikev2_rekey_expire_predecessor (EXPIRE_OLD_SA_DELAY)";
const std::string kDelete =
    "libreswan programs/pluto/ikev2_delete.c; testing/pluto/crossing-streams-03-*";
const std::string kRetransmit =
    "libreswan programs/pluto/retransmit.c; include/pluto_constants.h (commit 05d5d47ad8)";
const std::string kIssue2184 =
    "libreswan issue #2184 (https://github.com/libreswan/libreswan/issues/2184)";

}  // namespace

Profile make_libreswan(const Profile& rfc7296) {
  ProfileBuilder b("libreswan", "libreswan pluto defaults: the SA's creator rekeys first", rfc7296,
                   Inherit::kReferenceOnly);
  for (const std::string kind : {"child", "ike"}) {
    const std::string k = kind + ".";
    b.confirmed(k + "lifetime", "8h", kConstants,
                kind == "child" ? "ipsec-lifetime (formerly salifetime/keylife) 8 h, max 24 h"
                                : "ikelifetime 8 h (IKE_SA_LIFETIME_DEFAULT; 1 h before 4.2)");
    b.confirmed(k + "margin", "9m", kConstants,
                "rekeymargin 540 s (SA_REPLACEMENT_MARGIN_DEFAULT), for IKE and IPsec: a fixed "
                "offset, its own setting, unchanged when only the lifetime is set");
    b.confirmed(k + "fuzz", "100%", kFuzz,
                "rekeyfuzz 100%: the SA's initiator uses margin x (100 + rnd(0..fuzz))/100, "
                "i.e. rekeys 9-18 min before expiry");
    b.assumption(k + "fuzz_quantum", "0", kFuzz,
                 "the granularity of rnd() in fuzz_rekey_margin is not recorded; treated as "
                 "continuous");
    b.confirmed(k + "responder_margin_scale", "0.5", kFuzz,
                "the SA's responder uses margin / 2 = 4.5 min ('The initiator is made to rekey "
                "earlier'), so the creator of the current SA rekeys it first");
    b.confirmed(k + "responder_fuzz", "false", kFuzz, "the responder's margin has no randomness");
    b.assumption(k + "tick", "0", kFuzz, "per-state timer events, no global tick assumed");
  }
  b.assumption("child.volume_margin", "75%", "libreswan programs/pluto/rekeyfuzz.c fuzz_soft_limit",
               "soft = 50% of hard; the initiator rekeys at soft/2 + rnd(0..soft/8), about 25-31% "
               "of hard (margin ~75%), the responder at just under 50% (not expressible per "
               "role); inactive while the volume lifetime is 0");
  b.confirmed("behaviour.collision_resolution", "none",
              "libreswan programs/pluto (grep @0c4e3ec: no lowest-nonce comparison); " + kIssue2184,
              "each side completes its own exchange and expires its predecessor; two new SA "
              "pairs remain until one is rekeyed again, and XFRM picks the newest outbound");
  b.confirmed("behaviour.unknown_spi", "log", kDelete,
              "'received delete request for ESP Child SA with outbound SPI %08x; Child SA not "
              "found' and an empty response; no teardown");
  b.confirmed("behaviour.crossing_delete", "rfc7296", kDelete,
              "child/child crossing: each side deletes on the peer's request; the request that "
              "arrives after that gets an empty response. (A Child-delete response without a "
              "Delete payload is fatal while the child still exists, harmless here.)");
  b.assumption("behaviour.responder_switch", "on_response_sent", kIssue2184,
               "the responder installs both halves when it answers and the kernel (XFRM) sends "
               "on the newest SA, so traffic moves at once; not stated as such in a source");
  b.assumption("behaviour.start_action", "immediate", "libreswan programs/pluto/revival.c",
               "connections that are 'supposed to remain up' are revived ('revival attempt N "
               "scheduled in S seconds'); the first delay is not recorded");
  b.assumption("behaviour.no_sa_policy", "trap", "libreswan ipsec.conf(5) negotiationshunt",
               "a connection being revived keeps its kernel policy, and packets meanwhile meet the "
               "negotiation shunt (default hold: not sent); revival does not wait for them "
               "(start_action immediate)");
  b.confirmed("behaviour.old_sa_delete_delay", "1s", kExpireOld,
              "the rekey initiator reschedules the predecessor's expiry 1 s after the new SA is "
              "up; that expiry sends the DELETE. The responder keeps the old SA until the DELETE");
  b.confirmed("behaviour.inbound_keep_delay", "0s", kExpireOld,
              "libreswan's only grace period is the 1 s before the predecessor's expiry "
              "(old_sa_delete_delay); that expiry deletes the kernel state as it sends the DELETE, "
              "so the old SA lives about 1 s after the new one is up in all (5 s in strongSwan, "
              "where the delay comes after the DELETE exchange)");
  b.confirmed("behaviour.retransmit.timeout", "500ms", kRetransmit,
              "retransmit-interval 500 ms, doubling");
  b.confirmed("behaviour.retransmit.base", "2", kRetransmit, "the interval doubles each time");
  b.assumption("behaviour.retransmit.tries", "5", kRetransmit,
               "pluto gives up once the total wait reaches retransmit-timeout (30 s in code since "
               "2026-05-07, 60 s in the docs): 0.5+1+2+4+8+16 = 31.5 s, i.e. 5 retransmissions; "
               "MAXIMUM_RETRANSMITS_PER_EXCHANGE 12 is never reached");
  b.confirmed("behaviour.retransmit.cap", "30s", kRetransmit,
              "RETRANSMIT_TIMEOUT_DEFAULT 30 s: the interval is not doubled beyond it (never "
              "reached before giving up)");
  b.assumption("behaviour.duplicate_ike_sa", "keep_newest", "libreswan ipsec.conf(5) uniqueids",
               "uniqueids=yes (the default) treats a new IKE SA with the same peer ID as "
               "replacing the old one ('IKE SA ... replaced by a newer one'); where pluto runs "
               "that check against two crossing IKE_AUTHs was not read in its source");
  b.assumption("behaviour.duplicate_ike_delete_delay", "0", "libreswan ipsec.conf(5) uniqueids",
               "no delay is documented; the old IKE SA is taken to be deleted at once");
  b.confirmed("log_style", "libreswan", "https://github.com/libreswan/libreswan/issues/1044",
              "pluto log file with logtime=yes: \"conn\" #serial: message");
  return std::move(b).build();
}

}  // namespace models::profiles
