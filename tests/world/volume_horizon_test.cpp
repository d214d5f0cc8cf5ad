// The volume horizon (models/world/volume_horizon.hpp): a peer whose Child SAs
// cannot reach a volume limit within their hard lifetime keeps no volume books.
#include "models/world/volume_horizon.hpp"

#include <catch2/catch.hpp>

using models::FlowConfig;
using models::LifetimePolicy;
using models::world::volume_limit_reachable;

namespace {

FlowConfig flow(double pps, std::uint64_t size) {
  FlowConfig f;
  f.rate_pps = pps;
  f.size_bytes = size;
  return f;
}

// The KB scenario's Cisco ASA side: 8 h and 4,608,000 KB (Cisco's default
// volume lifetime), rekey at 90% of it.
LifetimePolicy cisco_8h() {
  LifetimePolicy p;
  p.lifetime = sim::hours(8);
  p.lifetime_bytes = 4608000ull * 1024;
  p.volume_margin = 0.1;
  return p;
}

}  // namespace

TEST_CASE("Volume horizon - the KB's Cisco volume limit lies beyond 8 h at 200 pps of 600 B") {
  // 200 pps x 600 B x 28,800 s = 3.456e9 B < 0.9 x 4.719e9 B = 4.247e9 B.
  CHECK_FALSE(volume_limit_reachable(cisco_8h(), 0, flow(200, 600), flow(200, 600)));
  // At 300 pps inbound alone the soft limit (7.08e6 packets of 600 B) comes
  // after 23,593 s, inside the 28,800 s lifetime.
  CHECK(volume_limit_reachable(cisco_8h(), 0, flow(200, 600), flow(300, 600)));
  CHECK(volume_limit_reachable(cisco_8h(), 0, flow(300, 600), flow(0, 600)));
}

TEST_CASE("Volume horizon - a peer without a volume limit keeps no books") {
  LifetimePolicy p;
  CHECK_FALSE(volume_limit_reachable(p, 0, flow(1e6, 1500), flow(1e6, 1500)));
}

TEST_CASE("Volume horizon - without a time lifetime every volume limit is reachable") {
  LifetimePolicy p = cisco_8h();
  p.lifetime = sim::SimTime{};
  CHECK(volume_limit_reachable(p, 0, flow(0.001, 1), flow(0, 1)));
}

TEST_CASE("Volume horizon - packet limit at the bound of rate x (lifetime + 1 s) + 2") {
  LifetimePolicy p;
  p.lifetime = sim::seconds(100);
  p.volume_margin = 0;
  // At 10 pps an SA counts at most 10 x 101 s + 2 = 1,012 packets by the bound.
  p.lifetime_packets = 1013;
  CHECK_FALSE(volume_limit_reachable(p, 0, flow(10, 100), flow(0, 100)));
  p.lifetime_packets = 1012;
  CHECK(volume_limit_reachable(p, 0, flow(10, 100), flow(0, 100)));
  // The soft level (limit x (1 - margin)) is what is reached first.
  p.lifetime_packets = 2000;
  p.volume_margin = 0.5;
  CHECK(volume_limit_reachable(p, 0, flow(10, 100), flow(0, 100)));
}

TEST_CASE("Volume horizon - a slow clock lengthens the lifetime in true time") {
  LifetimePolicy p;
  p.lifetime = sim::seconds(100);
  p.volume_margin = 0;
  p.lifetime_packets = 1013;
  // -1% (10,000 ppm slow): 100 s local last 101.01 s true, room for 1,022 packets.
  CHECK(volume_limit_reachable(p, -10000, flow(10, 100), flow(0, 100)));
  CHECK_FALSE(volume_limit_reachable(p, 10000, flow(10, 100), flow(0, 100)));
}
