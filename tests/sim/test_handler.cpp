// sim::Handler: the small-buffer callable that event handlers are stored in.
#include <catch2/catch.hpp>

#include <array>
#include <memory>
#include <utility>

#include "sim/handler.hpp"

TEST_CASE("Handler stores captures up to 48 bytes inline, larger ones on the heap", "[handler]") {
  std::array<std::uint64_t, 6> small{1, 2, 3, 4, 5, 6};  // 48 bytes
  std::uint64_t sum = 0;
  std::uint64_t* out = &sum;
  // 48 bytes of data plus one pointer would exceed the buffer, so capture the
  // array alone and write through a pointer kept in the array itself.
  small[5] = reinterpret_cast<std::uintptr_t>(out);
  sim::Handler h([small] {
    *reinterpret_cast<std::uint64_t*>(small[5]) =
        small[0] + small[1] + small[2] + small[3] + small[4];
  });
  CHECK(h.is_inline());
  h();
  CHECK(sum == 15);

  std::array<std::uint64_t, 7> big{1, 2, 3, 4, 5, 6, 7};  // 56 bytes: does not fit
  std::uint64_t total = 0;
  sim::Handler g([big, &total] {
    for (auto v : big) total += v;
  });
  CHECK_FALSE(g.is_inline());
  g();
  CHECK(total == 28);
}

TEST_CASE("Handler is move-only and accepts move-only captures", "[handler]") {
  auto p = std::make_unique<int>(41);
  int seen = 0;
  sim::Handler h([p = std::move(p), &seen] { seen = *p + 1; });
  CHECK(h.is_inline());
  sim::Handler moved(std::move(h));
  CHECK_FALSE(static_cast<bool>(h));  // NOLINT(bugprone-use-after-move): moved-from is empty
  REQUIRE(static_cast<bool>(moved));
  moved();
  CHECK(seen == 42);
  STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<sim::Handler>);
}

TEST_CASE("Handler destroys its captures exactly once on reset, reassignment and destruction",
          "[handler]") {
  auto token = std::make_shared<int>(0);
  {
    sim::Handler h([token] {});
    CHECK(token.use_count() == 2);
    sim::Handler h2 = std::move(h);
    CHECK(token.use_count() == 2);
    h2.reset();
    CHECK(token.use_count() == 1);
    CHECK_FALSE(static_cast<bool>(h2));
  }
  {
    std::array<char, 64> pad{};
    sim::Handler big([token, pad] { (void)pad; });
    CHECK_FALSE(big.is_inline());
    CHECK(token.use_count() == 2);
    sim::Handler other([] {});
    other = std::move(big);
    CHECK(token.use_count() == 2);
    other = sim::Handler([] {});
    CHECK(token.use_count() == 1);
  }
  CHECK(token.use_count() == 1);
}

TEST_CASE("Handler::emplace replaces the callable in place", "[handler]") {
  int which = 0;
  sim::Handler h([&which] { which = 1; });
  h.emplace([&which] { which = 2; });
  h();
  CHECK(which == 2);
}
