// Issue 11 part 1: every profile derives its rekey point from the configured
// lifetime by its vendor's rule, so a scenario that sets only `lifetime` gets
// the rekeys that vendor would make. The expected rules are restated here,
// independently of the profile code, from each profile's cited source.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "models/margin.hpp"
#include "models/profiles/lifetime_rules.hpp"
#include "models/profiles/profile.hpp"
#include "models/profiles/profile_report.hpp"
#include "models/trial.hpp"

using models::LifetimePolicy;
using models::Outcome;
using models::PeerConfig;
using models::Profile;

namespace {

// A vendor's margin rule: a fixed duration (seconds) or a fraction of the lifetime.
struct Rule {
  const char* profile;
  bool fraction;
  double value;
};

// The same rule holds for Child and IKE SAs in every profile.
constexpr Rule kRules[] = {
    {"rfc7296", false, 540},         // FreeS/WAN-lineage rekeymargin (assumption)
    {"strongswan", true, 1.0 / 11},  // rekey_time = life_time / 1.1 (vici_config.c, 5.9.9+)
    {"strongswan-5.9", true, 1.0 / 11},
    {"libreswan", false, 540},    // rekeymargin 9 min, its own setting
    {"panos", true, 0.10},        // 10% (assumption)
    {"cisco-ios", false, 30},     // 30 s before expiry
    {"cisco-asa", true, 0.10},    // ~90% of the lifetime (assumption)
    {"juniper-srx", true, 0.10},  // 10% (assumption)
    {"fortios", true, 0.10},      // 10% (assumption)
    {"aws-vpn", false, 270},      // RekeyMarginTimeSeconds 270
    {"azure-vpngw", true, 0.10},  // 10% (assumption)
};

const Profile& get(const std::string& name) {
  const Profile* p = models::find_builtin_profile(name);
  REQUIRE(p != nullptr);
  return *p;
}

double expected_margin_s(const Rule& r, sim::SimTime lifetime) {
  return r.fraction ? lifetime.seconds() * r.value : r.value;
}

// Mean rekey interval of an SA this peer initiated: lifetime - m (1 + fuzz / 2).
double mean_interval_s(const LifetimePolicy& p, double margin_s, sim::SimTime lifetime) {
  return lifetime.seconds() - margin_s * (1.0 + p.fuzz / 2.0);
}

// Rekeys started within `duration`, one every `interval` on average: a
// renewal count, about duration / interval - 1/2 (the last interval is cut).
double expected_count(sim::SimTime duration, double interval_s) {
  return duration.seconds() / interval_s - 0.5;
}

// Peer A runs `profile`; peer B never rekeys first (its lifetimes are 1000 days),
// so every rekey is A's own, at A's soft time.
models::TrialConfig lone_rekeyer(const Profile& profile) {
  models::TrialConfig c;
  c.a = profile.config;
  c.b = get("rfc7296").config;
  for (PeerConfig* p : {&c.a, &c.b}) {
    p->child.lifetime = sim::days(1000);
    p->ike.lifetime = sim::days(1000);
  }
  return c;
}

}  // namespace

TEST_CASE("Lifetime rules: every builtin profile has a rule in this test", "[profiles][lifetime]") {
  for (const Profile& p : models::builtin_profiles()) {
    bool found = false;
    for (const Rule& r : kRules) found = found || p.name == r.profile;
    INFO(p.name);
    CHECK(found);
  }
}

TEST_CASE("Lifetime rules: a lifetime of 1 h or 24 h set alone gets the vendor's margin",
          "[profiles][lifetime]") {
  for (const Rule& r : kRules) {
    const Profile& p = get(r.profile);
    CHECK(p.config.child.margin.is_fraction() == r.fraction);
    CHECK(p.config.ike.margin.is_fraction() == r.fraction);
    for (const sim::SimTime l : {sim::hours(1), sim::hours(24)}) {
      INFO(r.profile << " lifetime " << sim::format_duration(l));
      for (const LifetimePolicy* base : {&p.config.child, &p.config.ike}) {
        LifetimePolicy policy = *base;
        policy.lifetime = l;  // set alone
        const double m = policy.margin.resolve(l).seconds();
        CHECK(m == Approx(expected_margin_s(r, l)).margin(1e-9));
        const models::SoftWindow w = models::soft_window(policy, l);
        CHECK(w.rekeys);
        CHECK(w.latest.seconds() == Approx(l.seconds() - m).margin(1e-9));
      }
    }
  }
}

TEST_CASE(
    "Lifetime rules: with child.lifetime 1 h or 24 h set alone, each profile rekeys at "
    "its vendor's fraction of the lifetime (simulated, 20 lifetimes)",
    "[profiles][lifetime]") {
  for (const Rule& r : kRules) {
    const Profile& p = get(r.profile);
    for (const sim::SimTime l : {sim::hours(1), sim::hours(24)}) {
      models::TrialConfig c = lone_rekeyer(p);
      c.a.child.lifetime = l;
      c.duration = l * 20;
      const double interval = mean_interval_s(c.a.child, expected_margin_s(r, l), l);
      const double expected = expected_count(c.duration, interval);
      const auto out = models::run_trial(c, 11, 0);
      INFO(r.profile << " child.lifetime " << sim::format_duration(l) << ": expected ~" << expected
                     << " rekeys (one every " << interval << " s)");
      // The random part averages out over ~20 rekeys (sd of the count < 0.4).
      CHECK(std::abs(static_cast<double>(out.count(Outcome::kChildRekeys)) - expected) <= 1.5);
    }
  }
}

TEST_CASE(
    "Lifetime rules: with ike.lifetime 1 h or 24 h set alone, each profile rekeys the IKE "
    "SA at its vendor's fraction of the lifetime (simulated, 20 lifetimes)",
    "[profiles][lifetime]") {
  for (const Rule& r : kRules) {
    const Profile& p = get(r.profile);
    for (const sim::SimTime l : {sim::hours(1), sim::hours(24)}) {
      models::TrialConfig c = lone_rekeyer(p);
      c.a.ike.lifetime = l;
      c.duration = l * 20;
      const double interval = mean_interval_s(c.a.ike, expected_margin_s(r, l), l);
      const double expected = expected_count(c.duration, interval);
      const auto out = models::run_trial(c, 12, 0);
      INFO(r.profile << " ike.lifetime " << sim::format_duration(l) << ": expected ~" << expected
                     << " IKE rekeys");
      CHECK(std::abs(static_cast<double>(out.count(Outcome::kIkeRekeys)) - expected) <= 1.5);
    }
  }
}

TEST_CASE("Lifetime rules: cisco-asa with child.lifetime 1h alone rekeys 3 times in 3 h, not 14",
          "[profiles][lifetime]") {
  models::TrialConfig c = lone_rekeyer(get("cisco-asa"));
  c.a.child.lifetime = sim::hours(1);
  c.duration = sim::hours(3);
  // 10% of 1 h: rekeys at 54 min, 1 h 48 min, 2 h 42 min (the 8 h default's
  // fixed 48 min margin made it every 12 min).
  CHECK(models::run_trial(c, 1, 0).count(Outcome::kChildRekeys) == 3);
}

TEST_CASE(
    "Lifetime rules: strongSwan derives rekey_time = life_time / 1.1 and rand_time = "
    "life_time - rekey_time when only life_time is set (vici_config.c check_lifetimes)",
    "[profiles][lifetime]") {
  for (const char* name : {"strongswan", "strongswan-5.9"}) {
    INFO(name);
    const LifetimePolicy defaults = get(name).config.child;
    // The defaults: rekey_time 1 h, life_time 66 min, rand_time 6 min, exactly.
    CHECK(defaults.margin.resolve(defaults.lifetime) == sim::minutes(6));
    const models::SoftWindow d = models::soft_window(defaults, defaults.lifetime);
    CHECK(d.latest == sim::hours(1));
    CHECK(d.earliest == sim::minutes(54));
    // life_time 24 h alone: rekey_time 78545.45 s, rand_time 7854.55 s.
    LifetimePolicy p = defaults;
    p.lifetime = sim::hours(24);
    const models::SoftWindow w = models::soft_window(p, p.lifetime);
    CHECK(w.latest.seconds() == Approx(86400.0 / 1.1).margin(1e-6));
    CHECK(w.earliest.seconds() == Approx(86400.0 / 1.1 - (86400.0 - 86400.0 / 1.1)).margin(1e-6));
    CHECK(p.fuzz == 1.0);  // rand_time is the whole margin
    // IKE: over_time 10% of rekey_time, so lifetime = 1.1 rekey_time; 4 h at the defaults.
    const LifetimePolicy ike = get(name).config.ike;
    CHECK(ike.lifetime - ike.margin.resolve(ike.lifetime) == sim::hours(4));
  }
}

TEST_CASE("Lifetime rules: margins parse as durations, percentages or ratios and render back",
          "[profiles][lifetime]") {
  CHECK(models::parse_margin("10%") == models::Margin::fraction(10, 100));
  CHECK(models::parse_margin("12.5%") == models::Margin::fraction(12.5, 100));
  CHECK(models::parse_margin("1/11") == models::Margin::fraction(1, 11));
  CHECK(models::parse_margin("9m") == models::Margin(sim::minutes(9)));
  CHECK(models::parse_margin("0") == models::Margin(sim::SimTime{}));
  CHECK(models::parse_margin("10%").resolve(sim::hours(8)) == sim::minutes(48));
  CHECK(models::parse_margin("1/11").resolve(sim::minutes(66)) == sim::minutes(6));
  CHECK(models::parse_margin("9m").resolve(sim::hours(24)) == sim::minutes(9));
  for (const char* text : {"10%", "12.5%", "1/11", "9m", "4m30s", "0"}) {
    CHECK(models::format_margin(models::parse_margin(text)) == text);
  }
  for (const char* bad : {"-5%", "abc%", "%", "1/0", "-1/11", "1.5/11", "10", "-5m", "1/"}) {
    INFO(bad);
    CHECK_THROWS_AS(models::parse_margin(bad), sim::ParseError);
  }
}

TEST_CASE(
    "Lifetime rules: `rekeysim profiles NAME` shows each lifetime rule with its source, "
    "status and what it gives at 1 h and 24 h",
    "[profiles][lifetime]") {
  const std::string asa = models::format_lifetime_rules(get("cisco-asa"));
  CHECK_THAT(asa, Catch::Contains("child: margin 10% of the lifetime, fuzz 0% of the margin  "
                                  "[assumption]"));
  CHECK_THAT(asa, Catch::Contains("lifetime 1h set alone: rekey at 54m"));
  CHECK_THAT(asa, Catch::Contains("lifetime 1d set alone: rekey at 21h36m"));
  CHECK_THAT(asa, Catch::Contains("source: Cisco bug CSCvx23833"));
  const std::string aws = models::format_lifetime_rules(get("aws-vpn"));
  CHECK_THAT(aws, Catch::Contains("child: margin 4m30s before expiry, whatever the lifetime, "
                                  "fuzz 100% of the margin  [confirmed]"));
  CHECK_THAT(aws, Catch::Contains("lifetime 1h set alone: rekey between 51m and 55m30s"));
  const std::string sw = models::format_lifetime_rules(get("strongswan"));
  CHECK_THAT(sw, Catch::Contains("child: margin 1/11 of the lifetime"));
  CHECK_THAT(sw, Catch::Contains("lifetime 1h6m (default): rekey between 54m and 1h"));
  CHECK_THAT(models::format_profile_detail(get("libreswan")),
             Catch::Contains("lifetime rules") && Catch::Contains("9m before expiry"));
}
