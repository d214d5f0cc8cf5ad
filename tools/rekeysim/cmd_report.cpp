// `rekeysim report SCENARIO --out report.html`: the advice, its evidence and
// the episodes behind it as one self-contained HTML file (html_report.hpp).
#include <array>
#include <iostream>
#include <optional>

#include "models/trial.hpp"
#include "tools/rekeysim/html_report.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::cli {

namespace {

// The first onset of every outcome in a trial, as the classifier counts it,
// so the episode shown for "outage" is one `run` counts as an outage.
class FirstOnsets final : public models::OutcomeListener {
 public:
  void counted(models::Outcome o, std::uint64_t count, sim::SimTime onset) override {
    auto& f = first_[static_cast<std::size_t>(o)];
    if (count > 0 && !f) f = onset;
  }
  std::optional<sim::SimTime> first(models::Outcome o) const {
    return first_[static_cast<std::size_t>(o)];
  }

 private:
  std::array<std::optional<sim::SimTime>, models::kOutcomeCount> first_{};
};

// The first episode of each harmful kind in the current configuration, and
// one harmless rekey in the recommended one, searched in trial-index order.
std::vector<LadderShown> find_ladders(const scenario::Scenario& sc, const Advice& a) {
  struct Want {
    const char* kind;
    trace::EpisodeFilter filter;
    sim::SimTime half;
  };
  const Want wants[] = {{"collision", trace::EpisodeFilter::kCollision, sim::seconds(1)},
                        {"cant_find_sa", trace::EpisodeFilter::kCantFindSa, sim::seconds(1)},
                        {"outage", trace::EpisodeFilter::kOutage, sim::seconds(1)},
                        {"tunnel_reset", trace::EpisodeFilter::kTunnelReset, sim::seconds(60)}};
  std::vector<LadderShown> out(std::size(wants));
  for (std::size_t i = 0; i < std::size(wants); ++i) out[i].kind = wants[i].kind;
  const std::uint64_t search = std::min<std::uint64_t>(sc.trials, 100);
  std::size_t left = std::size(wants);
  auto ladder = [&](std::span<const models::TraceRecord> recs, const std::string& title) {
    trace::LadderOptions lo;
    lo.title = title;
    lo.peer_a_name = "A (" + a.config.a.profile + ")";
    lo.peer_b_name = "B (" + a.config.b.profile + ")";
    return trace::render_ladder_svg(recs, lo);
  };
  for (std::uint64_t k = 0; k < search && left > 0; ++k) {
    trace::TraceBuffer buffer;
    FirstOnsets onsets;
    models::run_trial(a.config, sc.seed, k, &buffer, &onsets);
    for (std::size_t i = 0; i < std::size(wants); ++i) {
      if (!out[i].svg.empty()) continue;
      const auto counted = trace::counted_outcome(wants[i].filter);
      const auto at =
          counted ? onsets.first(*counted) : trace::find_first(buffer.records(), wants[i].filter);
      if (!at) continue;
      out[i].where = "Current lifetimes, trial " + std::to_string(k) + ", first " + wants[i].kind +
                     " at " + format_instant(*at) + " of simulated time (ladder: ±" +
                     models::format_hms(wants[i].half) + ")";
      out[i].svg = ladder(trace::window(buffer.records(), *at, wants[i].half),
                          std::string(wants[i].kind) + " at " + format_instant(*at));
      --left;
    }
  }
  for (std::size_t i = 0; i < std::size(wants); ++i) {
    if (out[i].svg.empty())
      out[i].absent = "No " + std::string(wants[i].kind) + " in the " + std::to_string(search) +
                      " trials searched with the current lifetimes.";
  }
  if (a.chosen) {
    const Candidate& c = a.tried[*a.chosen];
    LadderShown l;
    l.kind = "rekey with the recommended lifetimes";
    for (std::uint64_t k = 0; k < search && l.svg.empty(); ++k) {
      trace::TraceBuffer buffer;
      models::run_trial(c.config, sc.seed, k, &buffer, nullptr);
      const auto at = trace::find_first(buffer.records(), trace::EpisodeFilter::kRekey);
      if (!at) continue;
      l.where = "Recommended lifetimes, trial " + std::to_string(k) + ", first rekey at " +
                format_instant(*at) + " (ladder: ±1 s)";
      l.svg = ladder(trace::window(buffer.records(), *at, sim::seconds(1)),
                     "rekey at " + format_instant(*at) + " (recommended lifetimes)");
    }
    if (l.svg.empty()) l.absent = "No clean rekey found in the trials searched.";
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace

Command add_report_command(CLI::App& root) {
  auto o = std::make_shared<CommonOptions>();
  auto flags = std::make_shared<HarmFlags>();
  CLI::App* sub = root.add_subcommand(
      "report", "write one self-contained HTML report: advice, evidence, episodes, configuration");
  add_common_options(sub, *o, false);
  sub->add_option("--out", o->out, "the HTML file to write (atomically)")->required();
  add_harm_options(sub, *flags);
  sub->footer(
      "Example:\n"
      "  rekeysim report scenarios/panos-vs-aws.yaml --out report.html\n"
      "The page has no script and fetches nothing: open it offline or attach it to a ticket.\n"
      "Exit status: 0 written, 2 usage or input error.");
  return {sub, [o, flags] {
            AdviceOptions opt = advice_options(*flags);
            opt.full_ladder = true;
            OutputFiles files;
            files.add_input("the scenario", o->scenario_path);
            files.add("--out", o->out);
            const scenario::Scenario sc = load_with_overrides(*o);
            add_profile_inputs(files, sc);
            const Advice a = advise(sc, opt, *o);
            files.put("--out", render_report_html(sc, a, find_ladders(sc, a)));
            files.commit();
            std::cerr << "wrote " << o->out << "\n";
            return kExitOk;
          }};
}

}  // namespace rekeysim::cli
