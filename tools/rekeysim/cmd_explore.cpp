// `rekeysim explore SCENARIO`: every order of the two peers' events around
// the first Child SA rekey of the scenario's peers (tools/explore), with the
// invariants checked at every step and end state. Prints states explored,
// distinct end states and wall time; each violation kind with a shortest
// step sequence, and with --out-dir writes it as a case file (`rekeysim
// test` replays it) and a ladder SVG.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "tools/explore/case_yaml.hpp"
#include "tools/explore/explore.hpp"
#include "tools/rekeysim/common.hpp"
#include "tools/rekeysim/option_checks.hpp"

namespace rekeysim::cli {

namespace {

struct ExploreOptions {
  std::string scenario_path;
  std::vector<std::string> sets;
  std::string window = "0s";
  int max_loss = 0;
  std::uint64_t depth = 200;
  std::uint64_t max_states = 4'000'000;
  std::vector<std::string> allow;
  std::string out_dir;
  bool reorder = false;
  std::optional<std::uint64_t> seed;
};

// Checks --out-dir before the search: an existing directory, or a name
// whose parent is one (it is created later, only if there is a violation to
// write). Returns whether it has to be created. Throws std::runtime_error.
bool check_out_dir(const std::string& out_dir) {
  namespace fs = std::filesystem;
  const fs::path dir(out_dir);
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (fs::is_directory(st)) return false;
  if (fs::exists(st))
    throw std::runtime_error("--out-dir: " + out_dir + " exists and is not a directory");
  // "cex/" names cex, whose parent is "." (not "cex").
  const fs::path name = dir.has_filename() ? dir : dir.parent_path();
  const fs::path parent = name.has_parent_path() ? name.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec))
    throw std::runtime_error("--out-dir: cannot create " + out_dir + ": " + parent.string() +
                             " is not an existing directory; expected a directory, or a new "
                             "name in one");
  // A probe before the search: some parents (/proc, read-only mounts) list
  // as directories yet take no new entry, and that should not surface only
  // after a long search. The probe is removed at once.
  if (!fs::create_directory(dir, ec) || ec)
    throw std::runtime_error("--out-dir: cannot create the directory " + out_dir + " in " +
                             parent.string() + " (" +
                             (ec ? ec.message() : std::string("it appeared meanwhile")) +
                             "); expected a new name in a directory you can write to");
  fs::remove(dir, ec);
  return true;
}

}  // namespace

Command add_explore_command(CLI::App& root) {
  auto o = std::make_shared<ExploreOptions>();
  CLI::App* sub = root.add_subcommand(
      "explore", "try every event order around a rekey; report invariant violations");
  sub->add_option("scenario", o->scenario_path, "scenario YAML file (its peers are explored)")
      ->required();
  sub->add_option("--set", o->sets, "override a key, e.g. --set peers.b.profile=libreswan")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--window", o->window,
                  "how far apart two timers may fire out of order, and how long a message may "
                  "stay in flight (a duration, e.g. 100ms)")
      ->capture_default_str();
  sub->add_option("--max-loss", o->max_loss, "messages lost at most per order")
      ->check(CLI::Range(0, 8))
      ->capture_default_str();
  sub->add_flag("--reorder", o->reorder,
                "messages in one direction may also overtake each other (default: in send order)");
  sub->add_option("--depth", o->depth, "longest step sequence explored")
      ->check(unsigned_in(1, 100'000))
      ->capture_default_str();
  sub->add_option("--max-states", o->max_states, "stop (incomplete) after this many states")
      ->check(unsigned_in(1, 100'000'000))
      ->capture_default_str();
  sub->add_option("--allow", o->allow, "a violation kind the scenario allows (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(CLI::IsMember(explore::violation_kinds()));
  sub->add_option("--out-dir", o->out_dir,
                  "write each counterexample as <kind>.yaml (a case for `rekeysim test`) and "
                  "<kind>.svg (ladder) into this directory (created, in an existing directory, if "
                  "missing)")
      ->check(non_empty());
  add_seed_option(sub, o->seed);
  sub->footer(
      "Example:\n"
      "  rekeysim explore scenarios/kb-incident.yaml --out-dir cex\n"
      "The scenario's `explore: {allow: [...]}` adds to --allow.\n"
      "Exit status: 0 no violation in a complete search, 1 a violation found or the search\n"
      "was incomplete (--depth or --max-states reached: INCOMPLETE), 2 usage or input error.");
  return {sub, [o] {
            scenario::Scenario sc = scenario::load_scenario(o->scenario_path, o->sets);
            explore::Options eo;
            try {
              eo.window = sim::parse_duration(o->window);
            } catch (const std::exception& e) {
              throw std::runtime_error("--window: " + std::string(e.what()) +
                                       "; expected a duration like 100ms");
            }
            if (eo.window < sim::SimTime{})
              throw std::runtime_error("--window: must not be negative");
            eo.max_loss = o->max_loss;
            eo.reorder = o->reorder;
            eo.depth = o->depth;
            eo.max_states = o->max_states;
            eo.allow = {o->allow.begin(), o->allow.end()};
            eo.allow.insert(sc.explore_allow.begin(), sc.explore_allow.end());
            eo.seed = o->seed.value_or(sc.seed);
            // Refused before the search, so a bad --out-dir costs no search time.
            const bool create_out_dir = !o->out_dir.empty() && check_out_dir(o->out_dir);
            const scenario::Point pt = scenario::build_with(sc, {});
            const auto& a = pt.config.a;
            const auto& b = pt.config.b;
            const explore::Result r = explore::explore(a, b, eo);

            std::ostringstream out;
            char wall[32];
            std::snprintf(wall, sizeof wall, "%.2f s", r.wall.count());
            out << "explore " << sc.file << ": A " << a.profile << ", B " << b.profile
                << "; window " << sim::format_duration(eo.window) << ", max loss " << eo.max_loss
                << (eo.reorder ? ", reordering" : ", in order per direction") << ", depth "
                << eo.depth << ", horizon " << sim::format_duration(r.horizon) << "\n"
                << "  states explored:     " << r.states << (r.complete ? "" : " (INCOMPLETE)")
                << "\n"
                << "  transitions:         " << r.transitions << "\n"
                << "  distinct end states: " << r.end_states << "\n"
                << "  longest order:       " << r.longest << " steps\n"
                << "  cut at depth:        " << r.truncated << " states\n"
                << "  wall time:           " << wall << "\n";
            if (r.violations.empty() && r.complete) out << "no violation\n";
            OutputFiles files;
            files.add_input("the scenario", o->scenario_path);
            add_profile_inputs(files, sc);
            const std::filesystem::path dir(o->out_dir);
            // Created only once there is something to write, and removed again
            // (it is empty then) when writing fails: nothing partial is left.
            bool created = false;
            try {
              for (const auto& v : r.violations) {
                out << "VIOLATION " << v.kind << " (" << v.steps.size() << " steps): " << v.detail
                    << "\n"
                    << explore::steps_text(a, b, eo.seed, v.steps);
                if (o->out_dir.empty()) continue;
                if (create_out_dir && !created) {
                  std::error_code ec;
                  std::filesystem::create_directory(dir, ec);
                  if (ec)
                    throw std::runtime_error("--out-dir: cannot create " + o->out_dir + ": " +
                                             ec.message());
                  created = true;
                }
                explore::CaseInfo info;
                info.name = sc.name + " " + v.kind;
                info.description = v.detail;
                info.source = "rekeysim explore " + sc.file + " --window " +
                              sim::format_duration(eo.window) + " --max-loss " +
                              std::to_string(eo.max_loss) + (eo.reorder ? " --reorder" : "");
                const std::string yaml = (dir / (v.kind + ".yaml")).string();
                const std::string svg = (dir / (v.kind + ".svg")).string();
                files.add("--out-dir (" + v.kind + ".yaml)", yaml);
                files.add("--out-dir (" + v.kind + ".svg)", svg);
                files.put("--out-dir (" + v.kind + ".yaml)",
                          explore::case_yaml(a, b, eo.seed, v, info));
                files.put("--out-dir (" + v.kind + ".svg)",
                          explore::ladder_svg(a, b, eo.seed, v, sc.name + ": " + v.kind));
                out << "  wrote " << yaml << " and " << svg << "\n";
              }
              if (!r.complete) {
                std::string bound;
                if (r.truncated > 0) bound = "--depth " + std::to_string(eo.depth);
                if (r.max_states_hit)
                  bound += (bound.empty() ? "" : " and ") + std::string("--max-states ") +
                           std::to_string(eo.max_states);
                out << "INCOMPLETE: " << (r.violations.empty() ? "no violation found in " : "")
                    << r.states << " states" << (r.violations.empty() ? "" : " explored")
                    << ", search bounded by " << bound << "; orders beyond it were not checked\n";
              }
              files.put_stdout(out.str());
              files.commit();
            } catch (...) {
              std::error_code ec;
              if (created) std::filesystem::remove(dir, ec);  // empty: commit wrote nothing
              throw;
            }
            // An incomplete search proves nothing: 1, as for a violation.
            return r.violations.empty() && r.complete ? kExitOk : kExitExpectFailed;
          }};
}

}  // namespace rekeysim::cli
