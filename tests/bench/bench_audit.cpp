// `rekeysim audit` on a fleet of 1,000 tunnels: the example inventory
// (scenarios/fleet-inventory.csv, 50 mixed-vendor tunnels) repeated 20 times
// under distinct names, audited on 2 threads with the command's defaults
// (10 trials x 7 d per tunnel), with and without the fix search. A figure for
// the README, not a test (no timing assertions in tests).
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "tools/rekeysim/audit.hpp"

namespace {

rekeysim::cli::Inventory fleet_of_1000() {
  std::ifstream in(std::string(REKEYSIM_SOURCE_DIR) + "/scenarios/fleet-inventory.csv");
  std::stringstream ss;
  ss << in.rdbuf();
  std::istringstream lines(ss.str());
  std::string header, line, csv;
  std::vector<std::string> rows;
  while (std::getline(lines, line)) {
    if (line.empty() || line.starts_with("#")) continue;
    if (header.empty()) {
      header = line;
    } else {
      rows.push_back(line);
    }
  }
  csv = header + "\n";
  for (int copy = 0; copy < 20; ++copy) {
    for (const auto& r : rows)
      csv += r.substr(0, r.find(',')) + "-" + std::to_string(copy) + r.substr(r.find(',')) + "\n";
  }
  return rekeysim::cli::parse_inventory_csv(csv, "fleet-1000.csv");
}

void audit(benchmark::State& state, bool fixes) {
  const auto inv = fleet_of_1000();
  rekeysim::cli::AuditOptions o;
  o.threads = 2;
  o.fixes = fixes;
  std::size_t needs = 0;
  for (auto _ : state) {
    const auto ranked = rekeysim::cli::run_audit(inv, o);
    needs = 0;
    for (const auto& t : ranked) needs += t.risk == rekeysim::cli::RiskClass::kNeedsFix;
    benchmark::DoNotOptimize(ranked.data());
  }
  state.counters["tunnels"] = static_cast<double>(inv.tunnels.size());
  state.counters["needing_fix"] = static_cast<double>(needs);
}

void BM_Audit1000Tunnels2Threads(benchmark::State& state) {
  audit(state, true);
}
void BM_Audit1000Tunnels2ThreadsNoFixes(benchmark::State& state) {
  audit(state, false);
}

}  // namespace

BENCHMARK(BM_Audit1000Tunnels2Threads)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(BM_Audit1000Tunnels2ThreadsNoFixes)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();
BENCHMARK_MAIN();
