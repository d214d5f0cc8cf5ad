// `rekeysim audit INVENTORY`: a fleet of tunnels, each a pair of peers with
// their profiles, overrides, latency and traffic, simulated one by one and
// ranked by harm per rekey (advice.hpp), with the fix for each that needs one.
//
// Inventory CSV: a header row naming the columns, then one tunnel per line:
//   name,a_profile,b_profile[,a_lifetime,b_lifetime,latency,traffic,a_overrides,b_overrides]
// `traffic` is packets per second each way ("200pps" or "200"), overrides are
// KEY=VALUE pairs separated by ';' with scenario peer keys (child.margin=5m).
// Inventory YAML: {tunnels: [{name, a: {profile, <peer keys>}, b: {...},
// latency, traffic}]}. Every error names file:line:column.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tools/rekeysim/advice.hpp"

namespace rekeysim::cli {

struct InventoryTunnel {
  std::string name;
  scenario::SourcePos pos;                  // where the tunnel is written
  std::vector<scenario::Setting> settings;  // full key paths, with positions
};

struct Inventory {
  std::string file;
  std::vector<InventoryTunnel> tunnels;
};

// Reads a .csv or .yaml/.yml inventory. Throws scenario::ScenarioError
// (file:line:column, what was expected) on any malformed line, unknown
// column, bad value, unknown profile or duplicate name.
Inventory load_inventory(const std::string& path);
Inventory parse_inventory_csv(std::string_view text, const std::string& file);
Inventory parse_inventory_yaml(std::string_view text, const std::string& file);

struct AuditOptions {
  std::uint64_t trials = 10;
  std::uint64_t seed = 1;
  std::string duration = "7d";  // simulated time per trial
  unsigned threads = 0;         // tunnels audited in parallel (0: all cores)
  AdviceOptions advice;
  bool fixes = true;  // search a fix for each tunnel that needs one
};

enum class RiskClass { kNeedsFix, kInconclusive, kOk };

struct TunnelRisk {
  std::string name;
  models::TrialConfig config;
  runner::PointResult result;
  Harm harm;                    // per rekey
  double rekeys_per_month = 0;  // Child SA rekeys in 30.44 days
  Harm per_month;               // harm x rekeys per month
  RiskClass risk = RiskClass::kOk;
  std::optional<Advice> advice;  // kNeedsFix, when fixes were searched
};

// Every tunnel, most harmful first (harm, then its upper bound, then name).
// Deterministic for a given inventory and options at any thread count.
std::vector<TunnelRisk> run_audit(const Inventory& inventory, const AuditOptions& options);

std::string render_audit_table(const std::vector<TunnelRisk>& ranked, const AuditOptions& o);
std::string render_audit_csv(const std::vector<TunnelRisk>& ranked);
std::string render_audit_json(const std::vector<TunnelRisk>& ranked, const AuditOptions& o);
std::string render_audit_html(const std::string& inventory_file,
                              const std::vector<TunnelRisk>& ranked, const AuditOptions& o);

}  // namespace rekeysim::cli
