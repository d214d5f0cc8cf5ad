// `rekeysim ingest LOG`: a device's real log (PAN-OS ikemgr.log or strongSwan
// charon) read back into rekeysim's typed trace records, written as JSON
// Lines (the `trace --jsonl` format), with a count of the lines it could not
// use. A first step towards comparing a customer's log with a simulation.
#include <fstream>
#include <iostream>

#include "tools/ingest/ingest.hpp"
#include "tools/rekeysim/common.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::cli {

namespace {

struct IngestCliOptions {
  std::string log;
  std::string style = "auto";
  std::string peer = "a";
  std::string out;
};

[[noreturn]] void usage(const std::string& field, const std::string& what,
                        const std::string& expected) {
  throw scenario::ScenarioError({"<command line>", 1, 1}, field, what, expected);
}

int run_ingest(const IngestCliOptions& o) {
  // --out is checked before the log is read, and written only at the end.
  CommonOptions common;
  common.out = o.out;
  OutputFiles files;
  add_out_file(files, common);
  ingest::IngestOptions opts;
  if (o.style != "auto") {
    opts.style = ingest::parse_style(o.style);
    if (!opts.style)
      usage("--style", "unknown style \"" + o.style + "\"", "auto, panos or strongswan");
  }
  if (o.peer != "a" && o.peer != "b") usage("--peer", "unknown peer \"" + o.peer + "\"", "a or b");
  opts.peer = o.peer == "a" ? models::PeerId::kA : models::PeerId::kB;
  std::ifstream in(o.log, std::ios::binary);
  if (!in) usage("LOG", "\"" + o.log + "\" cannot be read", "a readable log file");
  ingest::IngestResult r;
  try {
    r = ingest::ingest(in, opts);
  } catch (const ingest::IngestError& e) {
    std::cerr << o.log << ": error: " << e.what() << "\n";
    return kExitUsage;
  }
  std::cerr << o.log << ": style " << ingest::to_string(r.style)
            << (r.detected ? " (detected)" : "") << ", " << r.lines << " lines: " << r.used
            << " used, " << r.skipped << " skipped (no record kind), " << r.unusable
            << " unusable; " << r.records.size() << " records\n";
  for (const auto& u : r.first_unusable) {
    std::cerr << o.log << ":" << u.line << ": unusable: " << u.text << "\n";
  }
  emit(files, common, trace::render_jsonl(r.records));
  files.commit();
  return kExitOk;
}

}  // namespace

Command add_ingest_command(CLI::App& root) {
  auto o = std::make_shared<IngestCliOptions>();
  CLI::App* sub = root.add_subcommand(
      "ingest", "read a real PAN-OS or strongSwan log back into trace records (JSON Lines)");
  sub->add_option("log", o->log, "the log file")->required();
  sub->add_option("--style", o->style, "auto (detect), panos or strongswan")->capture_default_str();
  sub->add_option("--peer", o->peer, "which peer (a|b) the device is in the records")
      ->capture_default_str();
  sub->add_option("--out", o->out, "write the records to this file instead of stdout");
  sub->footer(
      "Example:\n"
      "  rekeysim ingest ikemgr.log --out ikemgr.jsonl\n"
      "Exit status: 0 ok, 2 usage error or no known log style (the styles tried are named).");
  return {sub, [o] { return run_ingest(*o); }};
}

}  // namespace rekeysim::cli
