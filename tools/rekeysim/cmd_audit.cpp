// `rekeysim audit INVENTORY.(csv|yaml)`: every tunnel of a fleet ranked by
// harm per rekey and per month, with the fix for each that needs one
// (audit.hpp).
#include <iostream>

#include "tools/rekeysim/audit.hpp"
#include "tools/rekeysim/option_checks.hpp"
#include "tools/scenario/profile_file.hpp"

namespace rekeysim::cli {

Command add_audit_command(CLI::App& root) {
  struct Options {
    std::string inventory;
    std::string format = "table";
    std::string out;
    std::string html;
    bool no_fixes = false;
    std::optional<std::uint64_t> seed;
    AuditOptions audit;
    HarmFlags harm;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = root.add_subcommand(
      "audit", "rank a fleet of tunnels by risk per rekey and per month, with a fix for each");
  sub->add_option("inventory", o->inventory, "inventory of tunnels (.csv or .yaml)")->required();
  sub->add_option("--trials", o->audit.trials, "trials per tunnel")
      ->check(unsigned_in(2, 1'000'000))
      ->capture_default_str();
  sub->add_option("--duration", o->audit.duration, "simulated time per trial")
      ->capture_default_str();
  add_seed_option(sub, o->seed);
  add_threads_option(
      sub, o->audit.threads,
      "tunnels audited in parallel (0, the default: all cores); results are identical "
      "for any value");
  sub->add_flag("--no-fixes", o->no_fixes, "rank only; do not search fixes");
  sub->add_option("--format", o->format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  sub->add_option("--out", o->out, "write the table/JSON/CSV to this file instead of stdout")
      ->check(non_empty());
  sub->add_option("--html", o->html, "also write the HTML report to this file")->check(non_empty());
  add_harm_options(sub, o->harm);
  sub->footer(
      "Example:\n"
      "  rekeysim audit scenarios/fleet-inventory.csv --html fleet.html\n"
      "CSV columns: name,a_profile,b_profile[,a_lifetime,b_lifetime,latency,traffic,\n"
      "a_overrides,b_overrides]; overrides are KEY=VALUE;... with peer keys (child.margin=5m).\n"
      "Exit status: 0 no tunnel needs a fix, 1 some do, 2 usage or input error.");
  return {sub, [o] {
            o->audit.advice = advice_options(o->harm);
            o->audit.fixes = !o->no_fixes;
            if (o->seed) o->audit.seed = *o->seed;
            OutputFiles files;
            files.add_input("the inventory", o->inventory);
            if (!o->out.empty()) files.add("--out", o->out);
            if (!o->html.empty()) files.add("--html", o->html);
            const Inventory inv = load_inventory(o->inventory);
            for (const auto& t : inv.tunnels) {
              for (const auto& s : t.settings) {
                if (const auto p = scenario::profile_file_of(s))
                  files.add_input("the profile " + *p, *p);
              }
            }
            const auto ranked = run_audit(inv, o->audit);
            std::string text = o->format == "json"  ? render_audit_json(ranked, o->audit)
                               : o->format == "csv" ? render_audit_csv(ranked)
                                                    : render_audit_table(ranked, o->audit);
            if (o->out.empty()) {
              files.put_stdout(std::move(text));
            } else {
              files.put("--out", std::move(text));
            }
            if (!o->html.empty())
              files.put("--html", render_audit_html(inv.file, ranked, o->audit));
            files.commit();
            for (const auto& t : ranked) {
              if (t.risk == RiskClass::kNeedsFix) return kExitExpectFailed;
            }
            return kExitOk;
          }};
}

}  // namespace rekeysim::cli
