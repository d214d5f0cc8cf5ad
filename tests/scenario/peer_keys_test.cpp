// The peer key table is the single source of truth for per-peer settings:
// every key reads and renders its field, and every builtin profile's
// documented values are in the same syntax.
#include <catch2/catch.hpp>

#include "models/profiles/profile.hpp"
#include "tools/scenario/peer_keys.hpp"

using namespace rekeysim::scenario;

TEST_CASE("Peer keys: the contract names of architecture.md are all present") {
  for (const char* k :
       {"child.lifetime", "child.margin", "child.fuzz", "child.fuzz_quantum",
        "child.responder_margin_scale", "child.responder_fuzz", "child.tick",
        "child.lifetime_bytes", "child.lifetime_packets", "child.volume_margin", "ike.lifetime",
        "ike.margin", "ike.fuzz", "ike.fuzz_quantum", "ike.responder_margin_scale",
        "ike.responder_fuzz", "ike.tick", "ike.lifetime_bytes", "ike.lifetime_packets",
        "ike.volume_margin", "profile", "clock_error", "processing_delay",
        "behaviour.collision_resolution", "behaviour.unknown_spi", "behaviour.crossing_delete",
        "behaviour.responder_switch", "behaviour.ike_collision_winner", "behaviour.start_action",
        "behaviour.temp_failure_in_collision", "behaviour.old_sa_delete_delay",
        "behaviour.inbound_keep_delay", "behaviour.retry_min", "behaviour.retry_max",
        "behaviour.redundant_ike_timeout", "behaviour.ike_rekey_forced_delete",
        "behaviour.reestablish_delay", "behaviour.retransmit.timeout", "behaviour.retransmit.base",
        "behaviour.retransmit.tries", "behaviour.retransmit.cap", "behaviour.retransmit.jitter",
        "behaviour.max_child_sas", "processing_delay_ke", "processing_delay_informational",
        "timer_lateness", "initiation_delay", "behaviour.child_pfs",
        // Issue 11 part 3: PAN-OS deleting the old SA as responder, strongSwan 5.x (#1458).
        "behaviour.responder_deletes_old", "behaviour.rekey_vs_delete",
        "behaviour.worker_race_window", "behaviour.reauth_time", "behaviour.reauth_mode",
        "behaviour.duplicate_ike_sa", "behaviour.duplicate_ike_delete_delay",
        // The vendor log shape `trace --style auto` uses (issue 12).
        "log_style",
        // What a packet that finds no Child SA meets (issue 11, part 3).
        "behaviour.no_sa_policy",
        // A failed make-before-break reauthentication is tried again (RFC 7296 2.8.3).
        "behaviour.reauth_retry_interval", "behaviour.reauth_tries"}) {
    INFO(k);
    CHECK(find_peer_key(k) != nullptr);
  }
  CHECK(peer_keys().size() == 59);
}

TEST_CASE("Peer keys: values take units and both fraction forms") {
  models::PeerConfig c;
  parse_peer_field(c, "child.lifetime", "7h55m");
  CHECK(c.child.lifetime == sim::hours(7) + sim::minutes(55));
  parse_peer_field(c, "child.fuzz", "100%");
  CHECK(c.child.fuzz == 1.0);
  parse_peer_field(c, "child.fuzz", "0.25");
  CHECK(c.child.fuzz == 0.25);
  parse_peer_field(c, "clock_error", "20ppm");
  CHECK(c.clock_error_ppm == 20.0);
  parse_peer_field(c, "clock_error", "-5");
  CHECK(c.clock_error_ppm == -5.0);
  parse_peer_field(c, "child.lifetime_bytes", "4608000KB");
  CHECK(c.child.lifetime_bytes == 4608000ull * 1024);
  parse_peer_field(c, "behaviour.unknown_spi", "log");
  CHECK(c.behaviour.unknown_spi == models::UnknownSpiAction::kLogCantFindSa);
  parse_peer_field(c, "behaviour.retransmit.tries", "7");
  CHECK(c.behaviour.retransmit.tries == 7);
  parse_peer_field(c, "processing_delay", "normal(1ms, 200us)");
  CHECK(c.processing_delay.kind == sim::DurationDist::Kind::kNormal);
  CHECK(c.processing_delay.a == sim::milliseconds(1));
  CHECK(c.processing_delay.b == sim::microseconds(200));
  parse_peer_field(c, "processing_delay", "{dist: uniform, lo: 1ms, hi: 3ms}");
  CHECK(c.processing_delay.kind == sim::DurationDist::Kind::kUniform);
  CHECK(c.processing_delay.b == sim::milliseconds(3));
}

TEST_CASE("Peer keys: a bad value names the key and the accepted form") {
  models::PeerConfig c;
  CHECK_THROWS_WITH(
      parse_peer_field(c, "child.margin", "-5m"),
      Catch::Contains("child.margin: negative duration") && Catch::Contains("expected a duration"));
  CHECK_THROWS_WITH(parse_peer_field(c, "behaviour.collision_resolution", "rfc7269"),
                    Catch::Contains("did you mean \"rfc7296\""));
  CHECK_THROWS_WITH(parse_peer_field(c, "child.lifetim", "8h"),
                    Catch::Contains("did you mean \"child.lifetime\""));
  CHECK_THROWS_WITH(parse_peer_field(c, "child.fuzz", "abc"), Catch::Contains("not a fraction"));
}

TEST_CASE("Peer keys: every field renders in scenario syntax and reads back unchanged") {
  std::vector<models::PeerConfig> configs = {models::PeerConfig{}};
  for (const auto& p : models::builtin_profiles()) configs.push_back(p.config);
  for (const auto& config : configs) {
    for (const auto& key : peer_keys()) {
      const std::string text = key.format(config);
      models::PeerConfig back;
      parse_peer_field(back, key.path, text);
      INFO(config.profile << " " << key.path << " = " << text);
      CHECK(key.format(back) == text);
    }
  }
}

TEST_CASE("Peer keys: every builtin profile's documented field values parse to its config") {
  REQUIRE(models::builtin_profiles().size() >= 11);
  for (const auto& p : models::builtin_profiles()) {
    for (const auto& f : p.fields) {
      INFO(p.name << ": " << f.key << " = " << f.value);
      REQUIRE(find_peer_key(f.key) != nullptr);
      // Start from the RFC 7296 defaults, not the profile, so the check
      // cannot pass without the parse doing the work.
      models::PeerConfig parsed;
      parse_peer_field(parsed, f.key, f.value);
      CHECK(format_peer_field(parsed, f.key) == format_peer_field(p.config, f.key));
    }
  }
}

TEST_CASE("Peer keys: the ten vendor profiles of the brief exist") {
  for (const char* name :
       {"rfc7296", "strongswan", "strongswan-5.9", "libreswan", "panos", "cisco-ios", "cisco-asa",
        "juniper-srx", "fortios", "aws-vpn", "azure-vpngw"}) {
    INFO(name);
    CHECK(models::find_builtin_profile(name) != nullptr);
  }
}
