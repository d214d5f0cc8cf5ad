// Profile values: the field strings, the parsed config and the vendor
// numbers agree.
#include <cmath>

#include <catch2/catch.hpp>

#include "models/profiles/profile.hpp"

using models::PeerConfig;
using models::Profile;

namespace {

const Profile& get(const char* name) {
  const Profile* p = models::find_builtin_profile(name);
  REQUIRE(p != nullptr);
  return *p;
}

std::string value(const Profile& p, const std::string& key) {
  for (const auto& f : p.fields) {
    if (f.key == key) return f.value;
  }
  FAIL("no field " << key << " in " << p.name);
  return {};
}

// The duration-valued keys and where each lives in PeerConfig.
sim::SimTime duration_of(const PeerConfig& c, const std::string& key) {
  if (key == "child.lifetime") return c.child.lifetime;
  if (key == "child.fuzz_quantum") return c.child.fuzz_quantum;
  if (key == "child.tick") return c.child.tick;
  if (key == "ike.lifetime") return c.ike.lifetime;
  if (key == "ike.fuzz_quantum") return c.ike.fuzz_quantum;
  if (key == "ike.tick") return c.ike.tick;
  if (key == "behaviour.old_sa_delete_delay") return c.behaviour.old_sa_delete_delay;
  if (key == "behaviour.inbound_keep_delay") return c.behaviour.inbound_keep_delay;
  if (key == "behaviour.retry_min") return c.behaviour.retry_min;
  if (key == "behaviour.retry_max") return c.behaviour.retry_max;
  if (key == "behaviour.redundant_ike_timeout") return c.behaviour.redundant_ike_timeout;
  if (key == "behaviour.ike_rekey_forced_delete") return c.behaviour.ike_rekey_forced_delete;
  if (key == "behaviour.reestablish_delay") return c.behaviour.reestablish_delay;
  if (key == "behaviour.retransmit.timeout") return c.behaviour.retransmit.timeout;
  if (key == "behaviour.retransmit.cap") return c.behaviour.retransmit.cap;
  return sim::SimTime::from_ns(-1);
}

}  // namespace

TEST_CASE("profile values: every delay distribution field parses back to the config value",
          "[profiles]") {
  int checked = 0;
  for (const Profile& p : models::builtin_profiles()) {
    for (const auto& f : p.fields) {
      const sim::DurationDist* in_config = nullptr;
      if (f.key == "processing_delay") in_config = &p.config.processing_delay;
      // "processing_delay" leaves the optional delay unset (processing_delay applies).
      const bool unset = f.value == "processing_delay";
      if (f.key == "processing_delay_ke") {
        CHECK(p.config.processing_delay_ke.has_value() == !unset);
        if (unset) continue;
        in_config = &*p.config.processing_delay_ke;
      }
      if (f.key == "processing_delay_informational") {
        CHECK(p.config.processing_delay_informational.has_value() == !unset);
        if (unset) continue;
        in_config = &*p.config.processing_delay_informational;
      }
      if (f.key == "timer_lateness") in_config = &p.config.timer_lateness;
      if (f.key == "initiation_delay") in_config = &p.config.initiation_delay;
      if (!in_config) continue;
      INFO(p.name << ": " << f.key << " = " << f.value);
      CHECK(sim::parse_duration_dist(f.value).describe() == in_config->describe());
      ++checked;
    }
  }
  CHECK(checked >= 10);
}

TEST_CASE("profile values: every duration field parses back to the config value", "[profiles]") {
  int checked = 0;
  for (const Profile& p : models::builtin_profiles()) {
    for (const auto& f : p.fields) {
      const sim::SimTime in_config = duration_of(p.config, f.key);
      if (in_config.ns() < 0) continue;  // not a duration key
      INFO(p.name << ": " << f.key << " = " << f.value);
      CHECK(sim::parse_duration(f.value) == in_config);
      ++checked;
    }
  }
  CHECK(checked >= 11 * 15);  // margins and processing_delay: the tests around
}

TEST_CASE("profile values: every margin field parses back to the config value", "[profiles]") {
  int checked = 0;
  for (const Profile& p : models::builtin_profiles()) {
    for (const auto& f : p.fields) {
      if (f.key != "child.margin" && f.key != "ike.margin") continue;
      INFO(p.name << ": " << f.key << " = " << f.value);
      const models::Margin& in_config =
          f.key == "child.margin" ? p.config.child.margin : p.config.ike.margin;
      CHECK(models::parse_margin(f.value) == in_config);
      CHECK(models::format_margin(in_config) == f.value);
      ++checked;
    }
  }
  CHECK(checked == 11 * 2);
}

TEST_CASE("profile values: rfc7296 is exactly the default PeerConfig", "[profiles]") {
  const PeerConfig d;
  const PeerConfig& c = get("rfc7296").config;
  for (const auto* pair : {&c.child, &c.ike}) {
    const auto& def = pair == &c.child ? d.child : d.ike;
    CHECK(pair->lifetime == def.lifetime);
    CHECK(pair->margin == def.margin);
    CHECK(pair->fuzz == def.fuzz);
    CHECK(pair->fuzz_quantum == def.fuzz_quantum);
    CHECK(pair->responder_margin_scale == def.responder_margin_scale);
    CHECK(pair->responder_fuzz == def.responder_fuzz);
    CHECK(pair->tick == def.tick);
    CHECK(pair->lifetime_bytes == def.lifetime_bytes);
    CHECK(pair->lifetime_packets == def.lifetime_packets);
    CHECK(pair->volume_margin == Approx(def.volume_margin));
  }
  const auto& b = c.behaviour;
  const auto& db = d.behaviour;
  CHECK(b.collision_resolution == db.collision_resolution);
  CHECK(b.unknown_spi == db.unknown_spi);
  CHECK(b.crossing_delete == db.crossing_delete);
  CHECK(b.responder_switch == db.responder_switch);
  CHECK(b.ike_collision_winner == db.ike_collision_winner);
  CHECK(b.start_action == db.start_action);
  CHECK(b.old_sa_delete_delay == db.old_sa_delete_delay);
  CHECK(b.inbound_keep_delay == db.inbound_keep_delay);
  CHECK(b.retry_min == db.retry_min);
  CHECK(b.retry_max == db.retry_max);
  CHECK(b.redundant_ike_timeout == db.redundant_ike_timeout);
  CHECK(b.ike_rekey_forced_delete == db.ike_rekey_forced_delete);
  CHECK(b.reestablish_delay == db.reestablish_delay);
  CHECK(b.retransmit.timeout == db.retransmit.timeout);
  CHECK(b.retransmit.base == db.retransmit.base);
  CHECK(b.retransmit.tries == db.retransmit.tries);
  CHECK(b.retransmit.cap == db.retransmit.cap);
  CHECK(b.retransmit.jitter == db.retransmit.jitter);
  CHECK(b.temp_failure_in_collision == db.temp_failure_in_collision);
  CHECK(b.max_child_sas == db.max_child_sas);
  CHECK(b.responder_deletes_old == db.responder_deletes_old);
  CHECK(b.rekey_vs_delete == db.rekey_vs_delete);
  CHECK(b.worker_race_window == db.worker_race_window);
  CHECK(b.reauth_time == db.reauth_time);
  CHECK(b.reauth_mode == db.reauth_mode);
  CHECK(b.duplicate_ike_sa == db.duplicate_ike_sa);
  CHECK(b.duplicate_ike_delete_delay == db.duplicate_ike_delete_delay);
  CHECK(c.clock_error_ppm == d.clock_error_ppm);
  CHECK(c.processing_delay.is_zero());
}

TEST_CASE(
    "profile values: strongswan rekeys a Child SA uniformly between 54 and 60 min after "
    "install, whole seconds (swanctl rekey_time 1h, life_time 66m, rand_time 6m)",
    "[profiles]") {
  const auto& c = get("strongswan").config.child;
  // soft = lifetime - margin - U[0,1) * fuzz * margin
  const sim::SimTime m = c.margin.resolve(c.lifetime);
  CHECK(c.lifetime - m == sim::hours(1));
  CHECK(sim::SimTime::from_ns(static_cast<std::int64_t>(static_cast<double>((c.lifetime - m).ns()) -
                                                        c.fuzz * static_cast<double>(m.ns()))) ==
        sim::minutes(54));
  CHECK(c.fuzz_quantum == sim::seconds(1));
  CHECK(c.responder_margin_scale == 1.0);
  const auto& i = get("strongswan").config.ike;
  CHECK(i.lifetime - i.margin.resolve(i.lifetime) == sim::hours(4));
  const auto& b = get("strongswan").config.behaviour;
  CHECK(b.collision_resolution == models::CollisionResolution::kStrongswanMinNonce);
  CHECK(b.unknown_spi == models::UnknownSpiAction::kIgnore);
  CHECK(b.responder_switch == models::ResponderOutboundSwitch::kOnOldSaDelete);
  CHECK(b.inbound_keep_delay == sim::seconds(5));
  CHECK(b.old_sa_delete_delay == sim::SimTime{});
  CHECK(b.retry_min == sim::seconds(6));
  CHECK(b.retry_max == sim::seconds(15));
  // strongSwan's retransmission gives up 165 s after the first send (4 x 1.8^n, n = 0..5).
  double total = 0;
  for (int n = 0; n <= b.retransmit.tries; ++n) {
    total += b.retransmit.timeout.seconds() * std::pow(b.retransmit.base, n);
  }
  CHECK(total == Approx(165.0).margin(0.5));
}

TEST_CASE(
    "profile values: strongswan-5.9 differs from strongswan only in the #1896 knob, the #1458 "
    "rekey-vs-delete handling, the make_before_break default and its 5.x log wording",
    "[profiles]") {
  const Profile& ss = get("strongswan");
  const Profile& old = get("strongswan-5.9");
  CHECK(ss.config.behaviour.temp_failure_in_collision ==
        models::TempFailureInCollision::kAdoptPeerRekey);
  CHECK(old.config.behaviour.temp_failure_in_collision ==
        models::TempFailureInCollision::kRetryOwnRekey);
  REQUIRE(ss.fields.size() == old.fields.size());
  int differing = 0;
  for (std::size_t k = 0; k < ss.fields.size(); ++k) {
    CHECK(ss.fields[k].key == old.fields[k].key);
    if (ss.fields[k].value != old.fields[k].value) {
      ++differing;
      INFO(ss.fields[k].key);
      CHECK((ss.fields[k].key == "behaviour.temp_failure_in_collision" ||
             ss.fields[k].key == "behaviour.rekey_vs_delete" ||
             ss.fields[k].key == "behaviour.reauth_mode" || ss.fields[k].key == "log_style"));
    }
  }
  CHECK(differing == 4);
  CHECK(ss.config.behaviour.rekey_vs_delete == models::RekeyVsDelete::kKeepUntilResponse);
  CHECK(old.config.behaviour.rekey_vs_delete == models::RekeyVsDelete::kCloseBoth);
  CHECK(ss.config.log_style == "strongswan-6");
  CHECK(old.config.log_style == "strongswan");
}

TEST_CASE(
    "profile values: libreswan lets the SA's creator rekey first (margin x0.5 for the "
    "responder, no fuzz), no collision tie-break, 1 s delete delay",
    "[profiles]") {
  const auto& c = get("libreswan").config;
  CHECK(c.child.lifetime == sim::hours(8));
  CHECK(c.child.margin == sim::minutes(9));
  CHECK(c.child.fuzz == 1.0);
  CHECK(c.child.responder_margin_scale == 0.5);
  CHECK_FALSE(c.child.responder_fuzz);
  CHECK(c.ike.lifetime == sim::hours(8));
  CHECK(c.behaviour.collision_resolution == models::CollisionResolution::kNone);
  CHECK(c.behaviour.old_sa_delete_delay == sim::seconds(1));
  // Only the 1 s before the DELETE; the DELETE removes the kernel state (no keep delay).
  CHECK(c.behaviour.inbound_keep_delay == sim::SimTime{});
  CHECK(c.behaviour.retransmit.timeout == sim::milliseconds(500));
  CHECK(c.behaviour.retransmit.base == 2.0);
  CHECK(c.behaviour.retransmit.cap == sim::seconds(30));
  // Initiator rekeys 9-18 min before expiry, responder exactly 4.5 min before.
  CHECK(c.child.margin.duration() * 2 == sim::minutes(18));
  CHECK(sim::SimTime::from_ns(
            static_cast<std::int64_t>(static_cast<double>(c.child.margin.duration().ns()) *
                                      c.child.responder_margin_scale)) == sim::seconds(270));
}

TEST_CASE(
    "profile values: panos models the KB incident (can't find sa logged, naive crossing "
    "delete, switch right after the response)",
    "[profiles]") {
  const auto& b = get("panos").config.behaviour;
  CHECK(b.unknown_spi == models::UnknownSpiAction::kLogCantFindSa);
  CHECK(b.crossing_delete == models::CrossingDeleteHandling::kNaive);
  CHECK(b.responder_switch == models::ResponderOutboundSwitch::kOnResponseSent);
  CHECK(value(get("panos"), "behaviour.unknown_spi") == "log");
  CHECK(get("panos").config.ike.lifetime == sim::hours(8));
  // Liveness schedule 1+2+4+...+64+64+64+64 = 319 s (PAN KB kA10g000000ClgcCAC).
  double total = 0;
  for (int n = 0; n <= b.retransmit.tries; ++n) {
    total += std::min(b.retransmit.timeout.seconds() * std::pow(b.retransmit.base, n),
                      b.retransmit.cap.seconds());
  }
  CHECK(total == Approx(319.0));
}

TEST_CASE("profile values: vendor volume and time lifetimes", "[profiles]") {
  CHECK(get("cisco-ios").config.child.lifetime == sim::hours(1));
  CHECK(get("cisco-ios").config.child.lifetime_bytes == 4608000ull * 1024);
  CHECK(get("cisco-ios").config.child.margin == sim::seconds(30));
  CHECK(get("cisco-asa").config.child.lifetime == sim::hours(8));
  CHECK(get("cisco-asa").config.child.lifetime_bytes == 4608000ull * 1024);
  CHECK(get("azure-vpngw").config.child.lifetime == sim::seconds(27000));
  CHECK(get("azure-vpngw").config.child.lifetime_bytes == 102400000ull * 1024);
  CHECK(get("azure-vpngw").config.ike.lifetime == sim::seconds(28800));
  CHECK(get("aws-vpn").config.child.margin == sim::seconds(270));
  CHECK(get("aws-vpn").config.child.fuzz == 1.0);
  CHECK(get("aws-vpn").config.behaviour.start_action == models::StartAction::kNone);
  CHECK(get("fortios").config.child.lifetime == sim::seconds(43200));
  CHECK(get("fortios").config.ike.lifetime == sim::seconds(86400));
  CHECK(value(get("cisco-asa"), "child.lifetime_bytes") == "4608000KB");
  CHECK(value(get("libreswan"), "child.fuzz") == "100%");
}

TEST_CASE("apply_profile_field: bad values and keys are rejected with the expected form",
          "[profiles]") {
  PeerConfig c;
  CHECK_THROWS_AS(models::apply_profile_field(c, "child.lifetime", "8 hours"), sim::ParseError);
  CHECK_THROWS_AS(models::apply_profile_field(c, "child.fuzz", "100"), sim::ParseError);
  CHECK_THROWS_AS(models::apply_profile_field(c, "behaviour.collision_resolution", "lowest"),
                  sim::ParseError);
  CHECK_THROWS_AS(models::apply_profile_field(c, "behaviour.retransmit.tries", "-1"),
                  sim::ParseError);
  CHECK_THROWS_AS(models::apply_profile_field(c, "child.lifetimes", "8h"), std::invalid_argument);
  try {
    models::apply_profile_field(c, "behaviour.unknown_spi", "drop");
    FAIL("no exception");
  } catch (const sim::ParseError& e) {
    CHECK(e.expected() == "one of ignore log teardown");
  }
  models::apply_profile_field(c, "child.fuzz", "12.5%");
  CHECK(c.child.fuzz == Approx(0.125));
  models::apply_profile_field(c, "clock_error", "-20ppm");
  CHECK(c.clock_error_ppm == -20.0);
  models::apply_profile_field(c, "behaviour.ike_collision_winner", "rfc4718");
  CHECK(c.behaviour.ike_collision_winner == models::IkeCollisionWinner::kRfc4718Inverted);
}
