// The sweep plot input from sweep results (first swept parameter on x):
// collisions, cant_find_sa, outages and esp_dropped (packets) per rekey.
#pragma once

#include <string>
#include <vector>

#include "tools/rekeysim/plot_svg.hpp"
#include "tools/rekeysim/report.hpp"
#include "tools/scenario/scenario.hpp"

namespace rekeysim::cli {

// Throws std::invalid_argument if the sweep has no parameter or more than one.
PlotInput sweep_plot_input(const scenario::Scenario& sc, const std::vector<PointReport>& reports);

}  // namespace rekeysim::cli
