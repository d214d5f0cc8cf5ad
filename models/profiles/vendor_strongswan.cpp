// strongswan (6.x, swanctl defaults) and strongswan-5.9 (where 5.9.x differs).
// Sources: strongSwan source and docs as read for the semantics notes
// (swanctl.opt, vici_config.c, child_cfg.c, child_rekey.c, child_delete.c,
// ike_rekey.c, task_manager.c, ike_sa.h, NEWS) and two real 5.9.8 daemons
// observed rekeying every 20 s (identical and staggered timers).
#include "models/profiles/profile_builder.hpp"
#include "models/profiles/vendors.hpp"

namespace models::profiles {

namespace {

const std::string kSwanctl =
    "strongSwan swanctl.conf(5) connections.<c>.children.<ch>.rekey_time/life_time/rand_time "
    "(github.com/strongswan/strongswan src/swanctl/swanctl.opt, "
    "src/libcharon/plugins/vici/vici_config.c check_lifetimes)";
const std::string kSwanctlIke =
    "strongSwan swanctl.conf(5) connections.<c>.rekey_time/over_time/rand_time "
    "(src/swanctl/swanctl.opt, vici_config.c, src/libcharon/config/peer_cfg.c)";
// The derivation of rekey_time from life_time: commit a2b1e06f07 ("vici: Base
// default soft lifetime on hard lifetime if configured", 2022-12-06), first
// released in 5.9.9.
const std::string kDerive =
    "strongSwan src/libcharon/plugins/vici/vici_config.c check_lifetimes (commit a2b1e06f07, "
    "5.9.9 and later); swanctl.conf(5) children.<ch>.rekey_time ('If life_time is explicitly "
    "configured, rekey_time defaults to 10% less than that')";
const std::string kDeriveIke =
    "strongSwan src/libcharon/plugins/vici/vici_config.c (peer over_time = max(rekey_time, "
    "reauth_time) / 10, rand_time = min(over_time, rekey_time / 2)); swanctl.conf(5) over_time";
const std::string kJitter = "strongSwan child_cfg.c apply_jitter / ike_sa.c rekey scheduling";
const std::string kObserved =
    "rekeysim observation of two strongSwan 5.9.8 daemons (charon logs, identical and staggered "
    "timers)";
const std::string kRekeyC = "strongSwan src/libcharon/sa/ikev2/tasks/child_rekey.c";
const std::string kDeleteC = "strongSwan src/libcharon/sa/ikev2/tasks/child_delete.c";
const std::string kIkeRekeyC = "strongSwan src/libcharon/sa/ikev2/tasks/ike_rekey.c";
const std::string kRetransmit =
    "strongswan.conf(5) IKEv2 RETRANSMISSION: charon.retransmit_timeout/base/tries/jitter/limit "
    "(github.com/strongswan/strongswan src/libcharon/sa/task_manager.h, conf/options/charon.opt)";
const std::string kNews553 =
    "strongSwan NEWS 5.5.3 (https://github.com/strongswan/strongswan/blob/master/NEWS)";
const std::string kIssue1458 =
    "strongSwan issue #1458 (https://github.com/strongswan/strongswan/issues/1458)";
const std::string kIssue1896 =
    "strongSwan issue #1896 (https://github.com/strongswan/strongswan/issues/1896); NEWS 6.0.0";

}  // namespace

Profile make_strongswan(const Profile& rfc7296) {
  ProfileBuilder b("strongswan", "strongSwan 6.x charon with swanctl defaults", rfc7296,
                   Inherit::kReferenceOnly);
  // Child SA: rekey_time 1h, life_time = 1.1 x rekey_time = 66 min, rand_time = life - rekey.
  b.confirmed("child.lifetime", "66m", kSwanctl,
              "life_time defaults to 1.1 x rekey_time (1h) = 3960 s; the SA is deleted at this "
              "hard expiry if rekeying failed");
  b.confirmed("child.margin", "1/11", kSwanctl + "; " + kDerive,
              "margin = life_time - rekey_time. With the defaults 66 min - 60 min = 6 min; when "
              "only life_time is set, rekey_time = life_time / 1.1, so margin = life_time / 11 "
              "(5 min 27.3 s at 1 h, 2 h 10 min 54.5 s at 24 h), and rand_time = life_time - "
              "rekey_time = the whole margin (child.fuzz 100%). strongSwan truncates rekey_time "
              "to whole seconds, rekeysim keeps it to the ns");
  b.confirmed("child.fuzz", "100%", kSwanctl + "; " + kJitter,
              "rand_time = life_time - rekey_time = 6 min = the whole margin; strongSwan draws "
              "rekey - random() % (rand+1), i.e. 0..360 whole seconds (rekeysim: 0..359)");
  b.confirmed("child.fuzz_quantum", "1s", kJitter + "; " + kObserved,
              "jitter is whole seconds: effective rekey times are whole seconds after install, so "
              "two peers with the same settings often land in the same second (observed)");
  b.confirmed("child.responder_margin_scale", "1", kObserved + "; " + kSwanctl,
              "both peers run the same timers from the moment each installed the SA; the rekey "
              "responder also arms a rekey timer for the new SA (observed)");
  b.confirmed("child.responder_fuzz", "true", kJitter,
              "jitter is applied again at every SA installation, on both peers; with rand_time "
              "set, separate jittered timers are armed for the inbound and outbound SA and the "
              "earlier one rekeys (observed)");
  b.assumption("child.tick", "0", kObserved,
               "timers are per SA, not on a global tick: in the 5.9.8 logs each rekey fires "
               "exactly rekey_time after that SA was installed (16:34:18.983 -> 16:34:38.982)");
  b.confirmed("child.lifetime_bytes", "0", kSwanctl,
              "rekey_bytes/life_bytes default to 0: volume rekeying is off");
  b.confirmed("child.lifetime_packets", "0", kSwanctl,
              "rekey_packets/life_packets default to 0: off");
  b.assumption("child.volume_margin", "10%", kSwanctl,
               "rand_bytes works like rand_time; unused while volume limits are off");
  // IKE SA: rekey_time 4h, over_time 10% = 24 min, rand_time = min(over_time, rekey/2) = 24 min.
  b.confirmed("ike.lifetime", "4h24m", kSwanctlIke,
              "rekey_time 4h + over_time 24 min (10% of rekey_time); strongSwan counts the hard "
              "delete from the jittered rekey time, rekeysim from install (<= 24 min apart)");
  b.confirmed("ike.margin", "1/11", kSwanctlIke + "; " + kDeriveIke,
              "over_time defaults to 10% of rekey_time, so lifetime (rekey_time + over_time) = "
              "1.1 x rekey_time and the margin is lifetime / 11: 24 min at the 4 h 24 min default. "
              "A lifetime set alone is read as rekey_time = lifetime / 1.1 with the default "
              "over_time; swanctl has no IKE life_time key");
  b.confirmed("ike.fuzz", "100%", kSwanctlIke,
              "rand_time = min(over_time, rekey_time/2) = 24 min: rekey at 4h - random() % "
              "rand_time");
  b.confirmed("ike.fuzz_quantum", "1s", kJitter, "random() % rand_time in whole seconds");
  b.confirmed("ike.responder_margin_scale", "1", kSwanctlIke, "both peers schedule IKE rekeying");
  b.confirmed("ike.responder_fuzz", "true", kSwanctlIke, "jitter drawn at every IKE SA setup");
  b.assumption("ike.tick", "0", kObserved, "per-SA scheduler jobs, no global tick");
  b.assumption("clock_error", "0ppm", kObserved,
               "both observed daemons shared one host clock; real pairs use NTP");
  // Processing times measured in the 5.9.8 logs (1 ms timestamps; a delay d
  // logs as floor(t + d) - floor(t), whose mean is unbiased; fits by
  // likelihood under that quantisation). They decide the dead heats of
  // identical timers: see scenarios/strongswan-lab.yaml.
  b.confirmed("processing_delay", "lognormal(250us, 0.5)", kObserved,
              "INFORMATIONAL DELETE request -> response: n = 46, mean 0.28 ms (0 or 1 ms logged); "
              "IKE_AUTH alike; lognormal median 0.25 ms, sigma 0.5");
  b.confirmed("processing_delay_ke", "lognormal(700us, 0.1)", kObserved,
              "CREATE_CHILD_SA rekey request with KE -> response: n = 45, 13 x 0 ms and 32 x 1 ms "
              "logged, i.e. a near-constant 0.70 ms (Diffie-Hellman, key derivation, SA "
              "install; exponential rejected by likelihood); the response with KE -> DELETE "
              "of the old SA takes as long (mean 0.58 ms)");
  b.confirmed("processing_delay_informational", "lognormal(250us, 0.5)", kObserved,
              "DELETE request -> response, as processing_delay");
  b.assumption("initiation_delay", "lognormal(345us, 0.8)", kObserved,
               "rekey timer -> CREATE_CHILD_SA request sent: n = 45, mean 0.56 ms, p90 1 ms, "
               "max 3 ms; fit lognormal(400us, 0.8). The median is set to 345 us, inside that "
               "fit's uncertainty, so that two such daemons 0.3 ms apart collide in 19% of "
               "dead-heat rekeys as the logs did (4 of 21, Wilson 95% [0.077, 0.400]); the rate "
               "is the parameter's most sensitive consequence");
  b.assumption("timer_lateness", "0", kObserved,
               "the logs show the rekey job 0-4 ms after the SA's rekey time (median 0, one 30 ms "
               "stall) on both daemons alike; a symmetric lateness only spreads the dead heat "
               "and is folded into the calibrated initiation_delay");
  b.assumption("behaviour.child_pfs", "false", kSwanctl,
               "swanctl's default esp_proposals carry no DH group, so Child rekeys have no KE; "
               "the observed pair had PFS configured (every rekey request carried KE), which "
               "scenarios/strongswan-lab.yaml sets");
  b.confirmed("behaviour.collision_resolution", "strongswan_min_nonce", kRekeyC,
              "lost_collision(): memcmp(min(own Ni,Nr), min(peer Ni,Nr), shorter length) < 0 "
              "loses; a prefix tie lets both win. Observed: every collision settled with one "
              "Child SA on each side and no ping lost");
  b.confirmed("behaviour.unknown_spi", "ignore", kDeleteC,
              "logs 'received DELETE for unknown ESP CHILD_SA with SPI ...' and answers without "
              "a Delete payload; never seen in the observed runs because the 5 s keep delay "
              "meant every DELETE still found its SA");
  b.confirmed("behaviour.crossing_delete", "rfc7296", kDeleteC,
              "a DELETE for a CHILD_SA in state DELETING is answered without a Delete payload; "
              "both halves are kept until the own response arrives");
  b.confirmed("behaviour.responder_switch", "on_old_sa_delete", kNews553,
              "'the responder ... delays installing the outbound SA until it receives the "
              "DELETE for the replaced CHILD_SA' (since 5.5.3); a hard expire also forces it");
  b.confirmed("behaviour.ike_collision_winner", "rfc7296", kIkeRekeyC,
              "test_ike_rekey.c test_collision: the lowest nonce marks the redundant IKE SA");
  b.assumption("behaviour.start_action", "on_traffic",
               "swanctl.conf(5) connections.<c>.children.<ch>.start_action",
               "swanctl's default start_action is none; site-to-site setups use trap (as in the "
               "observed pair), i.e. re-create on traffic");
  b.assumption("behaviour.no_sa_policy", "trap",
               "swanctl.conf(5) connections.<c>.children.<ch>.start_action",
               "start_action=trap installs trap policies: a matching packet without an SA is "
               "dropped and its acquire makes charon negotiate. With start_action=none and no "
               "policy left after the SA is gone, packets would follow routing in clear");
  b.confirmed("behaviour.old_sa_delete_delay", "0", kRekeyC + "; " + kObserved,
              "the initiator sends DELETE for the old SA right after the CREATE_CHILD_SA "
              "response (same millisecond in the logs)");
  b.confirmed("behaviour.inbound_keep_delay", "5s", kDeleteC + " (charon.delete_rekeyed_delay)",
              "the old inbound SA is kept 5 s after the DELETE exchange (observed: 'CHILD_SA "
              "net{n} state change: DELETED => DESTROYING' 5 s later); with identical timers "
              "every rekey starts as a dead heat, and the staggered peer's timer fires on this "
              "kept SA to no effect");
  b.confirmed("behaviour.retry_min", "6s",
              "strongSwan src/libcharon/sa/ike_sa.h RETRY_INTERVAL/RETRY_JITTER",
              "retry after TEMPORARY_FAILURE in 15 - random() % 10 s");
  b.confirmed("behaviour.retry_max", "15s", "strongSwan src/libcharon/sa/ike_sa.h RETRY_INTERVAL",
              "RETRY_INTERVAL 15 s");
  b.confirmed("behaviour.redundant_ike_timeout", "30s", kIkeRekeyC + " (HALF_OPEN_IKE_SA_TIMEOUT)",
              "the collision winner deletes a redundant IKE SA the peer never deleted after 30 s");
  b.confirmed("behaviour.ike_rekey_forced_delete", "90s", kIkeRekeyC + " build_r",
              "a plain IKE rekey responder deletes the old IKE SA itself after 90 s");
  b.assumption("behaviour.reestablish_delay", "1s", kRetransmit,
               "giving up destroys the IKE SA; how soon it comes back depends on "
               "close_action/dpd_action/start_action, not on a fixed delay");
  b.confirmed("behaviour.retransmit.timeout", "4s", kRetransmit,
              "retransmit_timeout 4.0 s; sends at 0, 4, 11, 24, 47, 89 s, gives up at 165 s. "
              "Observed: a response dropped as 'already processing' in a same-message-ID "
              "collision was recovered only by this 4 s retransmission");
  b.confirmed("behaviour.retransmit.base", "1.8", kRetransmit, "retransmit_base 1.8");
  b.confirmed("behaviour.retransmit.tries", "5", kRetransmit, "retransmit_tries 5");
  b.confirmed("behaviour.retransmit.cap", "0", kRetransmit, "retransmit_limit 0 = no cap");
  b.confirmed("behaviour.retransmit.jitter", "0%", kRetransmit, "retransmit_jitter 0 (max 20%)");
  b.confirmed("behaviour.temp_failure_in_collision", "adopt_peer_rekey", kIssue1896,
              "6.0 aborts its own rekey 'because the peer successfully rekeyed it before "
              "receiving our request' and waits for the peer's DELETE");
  b.confirmed("behaviour.responder_deletes_old", "false", kRekeyC + " (build_r, process_i)",
              "the rekey initiator deletes the old SA after the response; the responder waits "
              "for that DELETE");
  b.confirmed("behaviour.rekey_vs_delete", "keep_until_response",
              kRekeyC + " 6.0.0 (commit d2b2e1b3fa); " + kDeleteC,
              "a DELETE for the SA being rekeyed is answered but the SA is kept until the "
              "CREATE_CHILD_SA response: a normal response means the responder's DELETE was an "
              "'incorrect' one and concludes the rekey (test_regular_responder_incorrect_delete)");
  b.confirmed("behaviour.reauth_time", "0", kSwanctlIke + "; strongSwan NEWS 6.0.0",
              "reauth_time defaults to 0 (no reauthentication; IKE SAs are rekeyed)");
  b.confirmed("behaviour.reauth_mode", "make_before_break",
              "strongSwan NEWS 6.0.0 ('charon.make_before_break is now enabled by default'); "
              "conf/options/charon.opt",
              "new IKE SA and CHILD_SAs first, then the old IKE SA is deleted");
  // Read at strongswan/strongswan commit 3b902ea59b86a8ac097e27a34db85feb877a00f9.
  b.confirmed("behaviour.reauth_retry_interval", "0",
              "strongSwan src/libcharon/sa/ike_sa.c retransmit() (IKE_CONNECTING), "
              "src/libcharon/sa/ikev2/task_manager_v2.c trigger_mbb_reauth (commit 3b902ea59b)",
              "the make-before-break reauthentication is a new IKE SA; when its IKE_SA_INIT "
              "retransmissions give up it is reset and initiated again at once ('peer not "
              "responding, trying again'), while keyingtries allows");
  b.confirmed("behaviour.reauth_tries", "1",
              "strongSwan src/swanctl/swanctl.opt connections.<conn>.keyingtries = 1; "
              "src/libcharon/sa/ike_sa.c retransmit() (commit 3b902ea59b)",
              "keyingtries defaults to 1: one retransmission sequence, no second attempt. "
              "strongSwan then leaves the old IKE SA reauthenticating (no rekey) until its "
              "maximum lifetime (reauth_time + over_time) deletes it; rekeysim instead arms "
              "reauth_time again (over_time is not modelled)");
  // Read at strongswan/strongswan commit 3b902ea59b86a8ac097e27a34db85feb877a00f9.
  b.confirmed("behaviour.duplicate_ike_sa", "keep_both",
              "strongSwan src/swanctl/swanctl.opt connections.<conn>.unique = no; "
              "src/libcharon/plugins/vici/vici_config.c (default UNIQUE_NO); "
              "src/libcharon/sa/ike_sa_manager.c check_uniqueness (commit 3b902ea59b)",
              "swanctl's default unique = no: the IKE_AUTH responder's check_uniqueness returns "
              "at once unless the request carried INITIAL_CONTACT, so a duplicate IKE SA made "
              "without it (both peers reauthenticating make-before-break at once, crossing "
              "IKE_SA_INIT) is kept. With INITIAL_CONTACT every other IKE SA with the peer is "
              "destroyed ('destroying duplicate IKE_SA ... received INITIAL_CONTACT'); the "
              "model drops the old state on such an IKE_SA_INIT (RFC 7296 2.4; not while it is "
              "connecting itself) whatever this field says. unique = replace (and ipsec.conf's "
              "uniqueids = yes, its default) is keep_newest with duplicate_ike_delete_delay "
              "10s; unique = keep (reject the new IKE SA) and never are not modelled");
  b.confirmed("behaviour.duplicate_ike_delete_delay", "10s",
              "strongSwan src/libcharon/sa/ike_sa_manager.c enforce_replace",
              "used only with keep_newest (unique = replace): same peer address, 'schedule "
              "delete of duplicate IKE_SA ... suspected reauthentication', a delete_ike_sa_job "
              "10 s later so the new Child SAs are up");
  b.assumption("behaviour.worker_race_window", "0", kIssue1458,
               "charon's worker threads can process two messages of one IKE SA that arrive "
               "back to back in either order: #1458 (5.8.4, Atom E3950) saw it only for "
               "messages less than 0.5 ms apart. Left at 0 here and in strongswan-5.9: the "
               "profiles are calibrated on the 5.9.8 lab logs, which show no such swap, and "
               "the window depends on the CPU; a scenario sets e.g. 500us to reproduce #1458 "
               "(scenarios/panos-vs-strongswan-584.yaml)");
  b.confirmed("log_style", "strongswan-6",
              "strongSwan 6.0.6 src/libcharon/sa/ikev2/tasks/child_rekey.c, child_delete.c "
              "(https://github.com/strongswan/strongswan)",
              "charon file logger; 6.x Child SA collision wording");
  return std::move(b).build();
}

Profile make_strongswan_5_9(const Profile& strongswan) {
  ProfileBuilder b("strongswan-5.9",
                   "strongSwan 5.9.x: as strongswan, with the pre-6.0 collision "
                   "handling (issue #1896)",
                   strongswan, Inherit::kSameImplementation);
  b.confirmed("child.margin", "1/11", kDerive,
              "the derivation of rekey_time from life_time (life_time / 1.1) is that of 5.9.9 - "
              "5.9.14 (commit a2b1e06f07), as in 6.x. 5.9.0 - 5.9.8 keep rekey_time at 1 h when "
              "only life_time is set and use rand_time = life_time - 1 h; before commit "
              "b450865615 (5.9.9) a rand_time above rekey_time was not capped, so the drawn "
              "rekey time could underflow. Neither is modelled: for those versions set "
              "child.margin and child.fuzz explicitly");
  b.confirmed("behaviour.temp_failure_in_collision", "retry_own_rekey", kIssue1896,
              "5.9.11: after a collision with a retransmitted request the peer answered "
              "TEMPORARY_FAILURE, then sent D(old); charon had set the old SA back to INSTALLED "
              "(retry path), so D(old) did not conclude the passive rekey and the outbound SPI "
              "was never installed: traffic lost until DPD or the next rekey. Fixed in 6.0");
  b.confirmed("behaviour.rekey_vs_delete", "close_both",
              kIssue1458 + "; " + kDeleteC + " and " + kRekeyC + " 5.8.4 - 5.9.14",
              "a DELETE for the SA being rekeyed is handled 'as usual, rekeying will fail': the "
              "SA is closed at once; the rekey's response then meets the registered "
              "CHILD_DELETE collision and handle_collision() deletes the new SA too ('CHILD_SA "
              "rekey/delete collision, deleting redundant child'). #1458 (5.8.4 against PAN-OS): "
              "'This leads to removing CHILD_SA keys thus NOT functional tunnel'");
  b.confirmed("behaviour.reauth_mode", "break_before_make",
              "strongSwan 5.9.14 conf/options/charon.opt (charon.make_before_break = no); NEWS "
              "6.0.0",
              "before 6.0.0 make-before-break had to be enabled explicitly ('it may fail with "
              "peers not supporting it'): 5.x deletes the IKE SA first");
  b.confirmed(
      "log_style", "strongswan", "strongSwan 5.9.14 src/libcharon; real 5.9.8 logs",
      "charon file logger; 5.x collision wording (detected CHILD_REKEY collision with ...)");
  return std::move(b).build();
}

}  // namespace models::profiles
