// Ladder SVG: renders with rsvg-convert, marks the race in red.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "synthetic.hpp"
#include "tools/trace/trace_views.hpp"

using rekeysim::trace::LadderOptions;
using rekeysim::trace::render_ladder_svg;

namespace {

// Renders `svg` to PNG with rsvg-convert; returns the PNG size (0 on failure).
std::uintmax_t render_png(const std::string& svg, const std::string& stem) {
  const std::filesystem::path dir = REKEYSIM_TRACE_BINARY_DIR;
  const auto svg_path = dir / (stem + ".svg");
  const auto png_path = dir / (stem + ".png");
  std::ofstream(svg_path) << svg;
  std::filesystem::remove(png_path);
  const std::string cmd =
      "rsvg-convert -o '" + png_path.string() + "' '" + svg_path.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  if (rc != 0 || !std::filesystem::exists(png_path)) return 0;
  return std::filesystem::file_size(png_path);
}

}  // namespace

TEST_CASE("ladder SVG renders with rsvg-convert for each synthetic trace", "[trace][ladder]") {
  // setup.sh installs rsvg-convert: its absence is a failure, not a skip.
  REQUIRE(std::system("command -v rsvg-convert > /dev/null 2>&1") == 0);
  LadderOptions opt;
  opt.title = "Simultaneous Child SA rekey (RFC 7296 2.8.1)";
  CHECK(render_png(render_ladder_svg(synthetic::simultaneous_rekey(), opt), "ladder_simultaneous") >
        20000);
  opt.title = "Crossing DELETEs: can't find sa";
  CHECK(render_png(render_ladder_svg(synthetic::crossing_deletes(), opt), "ladder_crossing") >
        15000);
  opt.title = "Normal rekey";
  CHECK(render_png(render_ladder_svg(synthetic::normal_rekey(), opt), "ladder_normal") > 15000);
}

TEST_CASE("ladder SVG: arrows carry exchange, role, message ID and SPIs, alerts are red",
          "[trace][ladder]") {
  const std::string svg = render_ladder_svg(synthetic::crossing_deletes(), LadderOptions{});
  CHECK(svg.find("INFORMATIONAL req #836 D(ESP 0xd3a1bd45)") != std::string::npos);
  CHECK(svg.find("can&apos;t find sa") == std::string::npos);  // apostrophes are left as they are
  CHECK(svg.find("can't find sa for proto ESP spi 0xd6b2c300") != std::string::npos);
  CHECK(svg.find("ESP dropped: 12 pkt to 0xd6b2c300") != std::string::npos);
  CHECK(svg.find("#d0021b") != std::string::npos);  // red
  CHECK(svg.find("marker-end=\"url(#head-alert)\"") != std::string::npos);
  const std::string rekey = render_ladder_svg(synthetic::simultaneous_rekey(), LadderOptions{});
  CHECK(rekey.find("CREATE_CHILD_SA req #6 N(REKEY_SA 0xc0000001)") != std::string::npos);
  CHECK(rekey.find("COLLISION simultaneous_child_rekey") != std::string::npos);
}

TEST_CASE("ladder SVG is deterministic", "[trace][ladder]") {
  const auto records = synthetic::simultaneous_rekey();
  CHECK(render_ladder_svg(records, LadderOptions{}) == render_ladder_svg(records, LadderOptions{}));
}
