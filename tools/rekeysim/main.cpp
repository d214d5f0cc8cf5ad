// rekeysim: YAML scenarios in, rekey outcome rates with 95% intervals out.
// Each subcommand lives in its own cmd_*.cpp; this file parses the command
// line, sets up logging and maps errors to exit codes:
//   0 ok, 1 an `expect` failed, 2 usage or input error, 3 internal error.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "tools/rekeysim/common.hpp"
#include "tools/rekeysim/interrupt.hpp"
#include "tools/runner/worker_pool.hpp"

#ifndef REKEYSIM_VERSION
#define REKEYSIM_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace rekeysim::cli;
  install_interrupt_handlers();
  CLI::App app{"rekeysim " REKEYSIM_VERSION
               ": simulate IKEv2 rekeying between two VPN peers and report how often\n"
               "rekeys collide, peers log \"can't find sa\", ESP packets drop and tunnels reset."};
  app.set_version_flag("--version", "rekeysim " REKEYSIM_VERSION);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "diagnostics on stderr: trace|debug|info|warn|error|off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  rekeysim sweep scenarios/kb-incident.yaml --plot kb-incident-sweep.svg\n"
      "  rekeysim run scenarios/kb-incident-staggered.yaml --format json\n"
      "  rekeysim profiles panos\n"
      "  rekeysim explore scenarios/kb-incident.yaml --out-dir cex\n"
      "  rekeysim test scenarios/cases\n"
      "Exit status: 0 ok, 1 an expect failed, 2 usage or input error, 3 internal error.");
  std::vector<Command> commands = {add_run_command(app),       add_sweep_command(app),
                                   add_recommend_command(app), add_validate_command(app),
                                   add_profiles_command(app),  add_trace_command(app),
                                   add_schema_command(app),    add_ingest_command(app)};
  commands.push_back(add_explore_command(app));
  commands.push_back(add_test_command(app));
  commands.push_back(add_report_command(app));
  commands.push_back(add_audit_command(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  auto logger = spdlog::stderr_color_mt("rekeysim");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("rekeysim: %l: %v");
  spdlog::set_level(spdlog::level::from_str(log_level));
  try {
    for (const auto& c : commands) {
      if (c.app->parsed()) return c.run();
    }
    return kExitUsage;
  } catch (const rekeysim::scenario::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  } catch (const rekeysim::runner::PoolStartError& e) {
    // The machine's limits, not the user's input: an internal error, at once.
    std::cerr << "rekeysim: error: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::runtime_error& e) {
    // Output files that cannot be written, scenarios whose runs cannot reach a
    // verdict: the user's to fix.
    std::cerr << "rekeysim: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "rekeysim: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}
