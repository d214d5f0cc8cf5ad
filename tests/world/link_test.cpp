// The network: loss, latency and reordering of one link direction, checked
// against the configured values with a fixed seed.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/world/link.hpp"

using models::LinkConfig;
using models::world::delay_bounds;
using models::world::Link;
namespace sim = ::sim;

TEST_CASE("Link: the fraction of lost messages matches the configured loss probability") {
  LinkConfig c;
  c.loss = 0.1;
  const Link link(c);
  sim::Rng rng(7);
  const int n = 200000;
  int lost = 0;
  for (int i = 0; i < n; ++i) lost += link.transit(rng) ? 0 : 1;
  // Binomial(n, 0.1): sd = sqrt(n p (1 - p)) ~ 134; accept 5 sd.
  const double sd = std::sqrt(n * 0.1 * 0.9);
  CHECK(std::abs(lost - 0.1 * n) < 5 * sd);
}

TEST_CASE("Link: no message is lost when loss is 0, and a constant latency is exact") {
  LinkConfig c;
  c.latency = sim::DurationDist::constant(sim::milliseconds(16));
  const Link link(c);
  sim::Rng rng(1);
  for (int i = 0; i < 1000; ++i) {
    const auto d = link.transit(rng);
    REQUIRE(d);
    CHECK(*d == sim::milliseconds(16));
  }
  CHECK(link.bounds().fixed());
}

TEST_CASE("Link: normal latency has the configured mean and sd, truncated at 0 and within bounds") {
  LinkConfig c;
  c.latency = sim::DurationDist::normal(sim::milliseconds(16), sim::milliseconds(2));
  const Link link(c);
  sim::Rng rng(11);
  const int n = 100000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const sim::SimTime d = *link.transit(rng);
    REQUIRE(d >= link.bounds().lo);
    REQUIRE(d <= link.bounds().hi);
    const double ms = d.seconds() * 1e3;
    sum += ms;
    sum2 += ms * ms;
  }
  const double mean = sum / n;
  const double sd = std::sqrt(sum2 / n - mean * mean);
  CHECK(std::abs(mean - 16.0) < 5 * 2.0 / std::sqrt(n));  // 5 standard errors
  CHECK(std::abs(sd - 2.0) < 0.05);
  CHECK(link.bounds().lo == sim::milliseconds(0));  // 16 - 8*2 = 0
  CHECK(link.bounds().hi == sim::milliseconds(32));
}

TEST_CASE("Link: a message is held back by reorder_delay with the configured probability") {
  LinkConfig c;
  c.latency = sim::DurationDist::constant(sim::milliseconds(10));
  c.reorder = 0.25;
  c.reorder_delay = sim::milliseconds(5);
  const Link link(c);
  sim::Rng rng(3);
  const int n = 100000;
  int held = 0;
  for (int i = 0; i < n; ++i) {
    const sim::SimTime d = *link.transit(rng);
    REQUIRE((d == sim::milliseconds(10) || d == sim::milliseconds(15)));
    held += d == sim::milliseconds(15) ? 1 : 0;
  }
  CHECK(std::abs(held - 0.25 * n) < 5 * std::sqrt(n * 0.25 * 0.75));
  CHECK(link.bounds().hi == sim::milliseconds(15));
}

TEST_CASE("Link: reordering lets a later message overtake an earlier one") {
  LinkConfig c;
  c.latency = sim::DurationDist::constant(sim::milliseconds(10));
  c.reorder = 0.3;
  c.reorder_delay = sim::milliseconds(5);
  const Link link(c);
  sim::Rng rng(5);
  // Messages sent 1 ms apart; count pairs that arrive out of order.
  int overtakes = 0;
  sim::SimTime prev_arrival{};
  for (int i = 0; i < 1000; ++i) {
    const sim::SimTime arrival = sim::milliseconds(i) + *link.transit(rng);
    if (i > 0 && arrival < prev_arrival) ++overtakes;
    prev_arrival = arrival;
  }
  CHECK(overtakes > 100);  // expected ~0.3 * 0.7 * 1000 = 210
}

TEST_CASE("Link: delay bounds of each latency distribution") {
  using sim::milliseconds;
  CHECK(delay_bounds(sim::DurationDist::uniform(milliseconds(5), milliseconds(9))).lo ==
        milliseconds(5));
  CHECK(delay_bounds(sim::DurationDist::uniform(milliseconds(5), milliseconds(9))).hi ==
        milliseconds(9));
  CHECK(delay_bounds(sim::DurationDist::exponential(milliseconds(2))).hi == milliseconds(80));
  const auto ln = delay_bounds(sim::DurationDist::lognormal(milliseconds(10), 0.1));
  CHECK(ln.lo < milliseconds(10));
  CHECK(ln.hi > milliseconds(10));
  CHECK(delay_bounds(
            sim::DurationDist::empirical({milliseconds(3), milliseconds(1), milliseconds(7)}))
            .hi == milliseconds(7));
}

TEST_CASE("Link: ike_loss and esp_loss override loss for their own kind") {
  LinkConfig c;
  c.loss = 0.5;
  c.ike_loss = 0.0;  // IKE passes...
  c.esp_loss = 0.2;  // ...while ESP suffers
  const Link link(c);
  CHECK(link.ike_loss() == 0.0);
  CHECK(link.esp_loss() == 0.2);
  sim::Rng rng(11);
  const int n = 100000;
  int ike_lost = 0;
  int esp_lost = 0;
  for (int i = 0; i < n; ++i) {
    ike_lost += link.transit(rng) ? 0 : 1;
    esp_lost += link.esp_lost(rng) ? 1 : 0;
  }
  CHECK(ike_lost == 0);
  const double sd = std::sqrt(n * 0.2 * 0.8);
  CHECK(std::abs(esp_lost - 0.2 * n) < 5 * sd);
  LinkConfig plain;
  plain.loss = 0.3;
  CHECK(Link(plain).ike_loss() == 0.3);
  CHECK(Link(plain).esp_loss() == 0.3);
}
