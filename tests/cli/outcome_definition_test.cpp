// One definition of each outcome: `trace --first KIND` finds the episodes the
// classifier counts for `run`, not a look-alike (an outage used to be "the
// first dropped ESP packet", which the classifier does not always count).
#include <catch2/catch.hpp>

#include <regex>

#include "models/trial.hpp"
#include "run_cli.hpp"
#include "tools/rekeysim/report.hpp"
#include "tools/scenario/scenario.hpp"
#include "tools/trace/trace_views.hpp"

using cli_test::run;
using cli_test::source;
using models::Outcome;

TEST_CASE(
    "Outcome onsets: the classifier reports every counted collision, can't-find-SA, "
    "outage and reset once, as run counts them") {
  const auto sc = rekeysim::scenario::load_scenario(source("scenarios/kb-incident.yaml"));
  const auto point = rekeysim::scenario::build_with(sc, {});
  for (Outcome o :
       {Outcome::kCollisions, Outcome::kCantFindSa, Outcome::kOutages, Outcome::kTunnelResets}) {
    std::uint64_t seen = 0;
    std::uint64_t counted = 0;
    for (std::uint64_t k = 0; k < 3; ++k) {
      rekeysim::trace::OnsetCollector onsets(o);
      const models::TrialOutcome t = models::run_trial(point.config, sc.seed, k, nullptr, &onsets);
      // Each counted event is one onset (episodes() would merge the two
      // directions' outages of one rekey).
      seen += onsets.events();
      counted += t.count(o);
    }
    INFO(models::outcome_name(o));
    CHECK(seen == counted);
  }
}

TEST_CASE("trace --first outage shows the first outage run counts, at its onset") {
  const auto sc = rekeysim::scenario::load_scenario(source("scenarios/kb-incident.yaml"));
  const auto point = rekeysim::scenario::build_with(sc, {});
  // The first trial with an outage, and its onset, by the classifier.
  std::uint64_t trial = 0;
  std::optional<sim::SimTime> onset;
  for (; trial < 50 && !onset; ++trial) {
    rekeysim::trace::OnsetCollector onsets(Outcome::kOutages);
    models::run_trial(point.config, sc.seed, trial, nullptr, &onsets);
    if (!onsets.episodes().empty()) onset = onsets.episodes().front();
  }
  REQUIRE(onset);
  --trial;
  const auto r = run("trace " + source("scenarios/kb-incident.yaml") +
                     " --first outage --search 50 --threads 2 --window 1s");
  REQUIRE(r.status == 0);
  const std::string expected = "trial " + std::to_string(trial) +
                               ": first outage at t=" + rekeysim::cli::format_instant(*onset) +
                               " (";
  INFO(r.err);
  CHECK(r.err.find(expected) != std::string::npos);  // the header goes to stderr
}

TEST_CASE("A tunnel that never comes up is reported, not shown as zero rates") {
  // Every IKE message lost: IKE_SA_INIT never completes, so there is no rekey
  // episode at all and every rate would read 0.
  const std::string scn = source("scenarios/kb-incident.yaml");
  const auto table =
      run("run " + scn + " --trials 3 --set duration=1d --set network.ike_loss=100% --quiet");
  REQUIRE(table.status == 0);
  CHECK(table.out.find("WARNING: the tunnel never came up") != std::string::npos);
  CHECK(table.out.find("in 3 of 3 trials") != std::string::npos);
  const auto j = run("run " + scn +
                     " --trials 3 --set duration=1d --set network.ike_loss=100% --format json "
                     "--quiet");
  REQUIRE(j.status == 0);
  CHECK(j.out.find("\"trials_never_up\": 3") != std::string::npos);
  const auto ok = run("run " + scn + " --trials 3 --set duration=1d --format json --quiet");
  CHECK(ok.out.find("\"trials_never_up\": 0") != std::string::npos);
}
