// The sweep plot's axis choices follow the data.
#include <catch2/catch.hpp>

#include "tools/rekeysim/plot_svg.hpp"

using namespace rekeysim::cli;

TEST_CASE("Plot: a stagger spanning 0 and ±1ms..±300s gets a symmetric-log x axis") {
  CHECK(choose_x_scale({-300, -1, -0.001, 0, 0.001, 1, 300}) == AxisScale::kSymlog);
  CHECK(choose_x_scale({0.001, 0.1, 10}) == AxisScale::kLog);
  CHECK(choose_x_scale({1, 2, 3, 4}) == AxisScale::kLinear);
}

TEST_CASE("Plot: rates spanning decades, or zeros beside rates, get a log y axis with a floor") {
  PlotSeries s{"collisions", "#d62728", {0.3, 0.001}, {0.2, 0.0005}, {0.4, 0.002}};
  CHECK(choose_y_scale({s}) == AxisScale::kLog);
  PlotSeries z{"collisions", "#d62728", {0.3, 0}, {0.2, 0}, {0.4, 0.01}};
  CHECK(choose_y_scale({z}) == AxisScale::kLog);
  PlotSeries flat{"collisions", "#d62728", {0.3, 0.35}, {0.2, 0.3}, {0.4, 0.4}};
  CHECK(choose_y_scale({flat}) == AxisScale::kLinear);
  PlotInput in;
  in.title = "t";
  in.x_label = "stagger";
  in.x_is_duration = true;
  in.x = {-1, 0, 1};
  in.series = {
      PlotSeries{"collisions", "#d62728", {0.3, 0.1, 0}, {0.2, 0.05, 0}, {0.4, 0.2, 0.01}}};
  const std::string svg = render_sweep_svg(in);
  CHECK(svg.find("rate 0, drawn at the floor line") != std::string::npos);
  CHECK(svg.find("(log scale)") != std::string::npos);
  CHECK(svg.find("fill=\"white\" stroke-width") != std::string::npos);  // the hollow zero marker
}

TEST_CASE("Plot: categories sit evenly spaced in their order, each labelled") {
  PlotInput in;
  in.title = "t";
  in.x_label = "peers.a.profile";
  in.x = {5, -3, 1e9};  // ignored with categories
  in.x_categories = {"rfc7296", "strongswan", "panos"};
  in.series = {
      PlotSeries{"collisions", "#d62728", {0.3, 0.2, 0.1}, {0.2, 0.1, 0}, {0.4, 0.3, 0.2}}};
  const std::string svg = render_sweep_svg(in);
  std::vector<double> xs;
  for (const std::string v : {"rfc7296", "strongswan", "panos"}) {
    const std::size_t at = svg.find(">" + v + "</text>");
    REQUIRE(at != std::string::npos);
    const std::size_t x = svg.rfind("<text x=\"", at) + 9;
    xs.push_back(std::stod(svg.substr(x)));
  }
  CHECK(xs[0] < xs[1]);
  CHECK(xs[1] - xs[0] == Approx(xs[2] - xs[1]));
  CHECK(svg.find("log scale)") == svg.rfind("log scale)"));  // only the y axis, if any
}
