// `rekeysim report`: one self-contained HTML page (inline CSS and SVG, no
// script, nothing fetched) a network engineer can read and pass on: the
// recommendation with its evidence, every outcome against the stagger in
// both directions with 95% interval bands, the per-tunnel distribution, a
// ladder diagram of a representative episode of each kind found, the
// resolved configuration of both peers with the source of every value, and
// how the numbers were computed. The audit's page reuses the same pieces.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/rekeysim/advice.hpp"

namespace rekeysim::cli {

// A ladder diagram shown in the report: which episode, where it was found.
struct LadderShown {
  std::string kind;    // "outage", "collision", ... ("rekey": an episode without harm)
  std::string where;   // "current lifetimes, trial 3 at 1 h 46 min 46.124 s"
  std::string svg;     // tools/trace render_ladder_svg output (may be empty)
  std::string absent;  // why there is none ("no collision in 40 trials searched")
};

// Text escaped for HTML element content and attribute values.
std::string html_escape(std::string_view s);
// <!DOCTYPE html> ... with the shared inline stylesheet.
std::string html_page(const std::string& title, const std::string& body);

std::string render_report_html(const scenario::Scenario& sc, const Advice& advice,
                               const std::vector<LadderShown>& ladders);

}  // namespace rekeysim::cli
