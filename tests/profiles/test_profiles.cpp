// The built-in profiles as documentation: names, keys, sources, honesty.
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "models/profiles/profile.hpp"

using models::Profile;
using models::SourceStatus;

namespace {

// The scenario key paths relative to a peer (the scenario schema contract),
// written out here independently of the library's own list.
const std::set<std::string> kAllowedKeys = {
    "child.lifetime", "child.margin", "child.fuzz", "child.fuzz_quantum",
    "child.responder_margin_scale", "child.responder_fuzz", "child.tick", "child.lifetime_bytes",
    "child.lifetime_packets", "child.volume_margin", "ike.lifetime", "ike.margin", "ike.fuzz",
    "ike.fuzz_quantum", "ike.responder_margin_scale", "ike.responder_fuzz", "ike.tick",
    "ike.lifetime_bytes", "ike.lifetime_packets", "ike.volume_margin", "clock_error",
    "processing_delay", "behaviour.collision_resolution", "behaviour.unknown_spi",
    "behaviour.crossing_delete", "behaviour.responder_switch", "behaviour.ike_collision_winner",
    "behaviour.start_action", "behaviour.no_sa_policy", "behaviour.old_sa_delete_delay",
    "behaviour.inbound_keep_delay", "behaviour.retry_min", "behaviour.retry_max",
    "behaviour.redundant_ike_timeout", "behaviour.ike_rekey_forced_delete",
    "behaviour.reestablish_delay", "behaviour.retransmit.timeout", "behaviour.retransmit.base",
    "behaviour.retransmit.tries", "behaviour.retransmit.cap", "behaviour.retransmit.jitter",
    // Added with the strongswan-5.9 profile (models/config.hpp TempFailureInCollision).
    "behaviour.temp_failure_in_collision",
    // RFC 7296 1.3 NO_ADDITIONAL_SAS.
    "behaviour.max_child_sas", "processing_delay_ke", "processing_delay_informational",
    "timer_lateness", "initiation_delay", "behaviour.child_pfs",
    // Issue 11 part 3: PAN-OS deleting the old SA as responder, strongSwan 5.x (#1458).
    "behaviour.responder_deletes_old", "behaviour.rekey_vs_delete", "behaviour.worker_race_window",
    "behaviour.reauth_time", "behaviour.reauth_mode",
    // A failed make-before-break reauthentication is tried again (RFC 7296 2.8.3).
    "behaviour.reauth_retry_interval", "behaviour.reauth_tries",
    // Issue 11 part 3: two IKE SAs after both peers re-established at once.
    "behaviour.duplicate_ike_sa", "behaviour.duplicate_ike_delete_delay",
    // The vendor log shape `rekeysim trace --style auto` prints the peer in.
    "log_style"};

const std::set<std::string> kRequiredKeys = {"child.lifetime",
                                             "child.margin",
                                             "child.fuzz",
                                             "ike.lifetime",
                                             "behaviour.collision_resolution",
                                             "behaviour.responder_switch",
                                             "behaviour.unknown_spi",
                                             "behaviour.crossing_delete",
                                             "behaviour.retransmit.timeout",
                                             "behaviour.inbound_keep_delay"};

const models::ProfileField* field(const Profile& p, const std::string& key) {
  for (const auto& f : p.fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("profiles: the 11 built-in profiles exist, rfc7296 first, names unique", "[profiles]") {
  const auto all = models::builtin_profiles();
  REQUIRE(all.size() == 11);
  CHECK(all[0].name == "rfc7296");
  CHECK(all[0].base.empty());
  std::set<std::string> names;
  for (const Profile& p : all) {
    CHECK(names.insert(p.name).second);
    CHECK(p.config.profile == p.name);
    CHECK_FALSE(p.description.empty());
    REQUIRE(models::find_builtin_profile(p.name) == &p);
    if (p.name != "rfc7296") CHECK_FALSE(p.base.empty());
  }
  for (const char* name : {"strongswan", "strongswan-5.9", "libreswan", "panos", "cisco-ios",
                           "cisco-asa", "juniper-srx", "fortios", "aws-vpn", "azure-vpngw"}) {
    CHECK(names.count(name) == 1);
  }
  CHECK(models::find_builtin_profile("racoon") == nullptr);
}

TEST_CASE("profiles: every field key is a scenario key path, each at most once", "[profiles]") {
  for (const Profile& p : models::builtin_profiles()) {
    std::set<std::string> seen;
    for (const auto& f : p.fields) {
      INFO(p.name << ": " << f.key);
      CHECK(kAllowedKeys.count(f.key) == 1);
      CHECK(seen.insert(f.key).second);
      CHECK(models::is_profile_field_key(f.key));
    }
  }
  CHECK(models::profile_field_keys().size() == kAllowedKeys.size());
}

TEST_CASE("profiles: every profile documents the fields that decide a rekey race", "[profiles]") {
  for (const Profile& p : models::builtin_profiles()) {
    for (const auto& key : kRequiredKeys) {
      INFO(p.name << " lacks " << key);
      CHECK(field(p, key) != nullptr);
    }
  }
}

TEST_CASE("profiles: every field has a source, and every assumption says why", "[profiles]") {
  for (const Profile& p : models::builtin_profiles()) {
    for (const auto& f : p.fields) {
      INFO(p.name << ": " << f.key);
      CHECK_FALSE(f.source.empty());
      CHECK_FALSE(f.value.empty());
      if (f.status == SourceStatus::kAssumption) CHECK_FALSE(f.note.empty());
    }
  }
}

TEST_CASE("profiles: honesty — undocumented vendor values are assumptions", "[profiles]") {
  // PAN-OS does not document its rekey margin (semantics notes: UNCONFIRMED).
  const Profile& panos = *models::find_builtin_profile("panos");
  CHECK(field(panos, "child.margin")->status == SourceStatus::kAssumption);
  CHECK(field(panos, "behaviour.crossing_delete")->status == SourceStatus::kAssumption);
  CHECK(field(panos, "behaviour.unknown_spi")->status == SourceStatus::kConfirmed);
  CHECK(field(panos, "behaviour.responder_switch")->source.find("CSCvx23833") != std::string::npos);
  // A vendor value inherited from the reference profile is never "confirmed".
  const Profile& juniper = *models::find_builtin_profile("juniper-srx");
  CHECK(field(juniper, "behaviour.collision_resolution")->status == SourceStatus::kAssumption);
  CHECK(field(juniper, "behaviour.collision_resolution")->note.find("not found for juniper-srx") !=
        std::string::npos);
  // strongswan-5.9 inherits strongswan's sourced values as they are.
  const Profile& ss59 = *models::find_builtin_profile("strongswan-5.9");
  CHECK(field(ss59, "child.lifetime")->status == SourceStatus::kConfirmed);
  CHECK(ss59.base == "strongswan");
}

TEST_CASE("profiles: the strongswan notes carry what the real 5.9.8 pair showed", "[profiles]") {
  const Profile& ss = *models::find_builtin_profile("strongswan");
  CHECK(field(ss, "child.fuzz_quantum")->note.find("whole seconds") != std::string::npos);
  CHECK(field(ss, "child.responder_margin_scale")->note.find("responder also arms") !=
        std::string::npos);
  CHECK(field(ss, "behaviour.inbound_keep_delay")->note.find("dead heat") != std::string::npos);
  CHECK(field(ss, "behaviour.collision_resolution")->note.find("one Child SA on each side") !=
        std::string::npos);
}
