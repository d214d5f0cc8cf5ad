// `rekeysim schema [--trace]`: the per-peer key table (or with --trace the
// `trace:` section's key table) in Markdown, generated from the key table
// itself; scenarios/SCHEMA.md embeds both (a test keeps them equal).
#include <iostream>

#include "tools/rekeysim/common.hpp"
#include "tools/scenario/peer_keys.hpp"
#include "tools/scenario/trace_section.hpp"

namespace rekeysim::cli {

Command add_schema_command(CLI::App& root) {
  CLI::App* sub = root.add_subcommand(
      "schema", "print the per-peer key table (Markdown) of scenarios/SCHEMA.md");
  auto trace = std::make_shared<bool>(false);
  sub->add_flag("--trace", *trace, "print the `trace:` section's key table instead");
  sub->footer("Example:\n  rekeysim schema > /tmp/peer-keys.md\n  rekeysim schema --trace");
  return {
      sub, [trace] {
        std::cout << (*trace ? scenario::trace_keys_markdown() : scenario::peer_keys_markdown());
        return kExitOk;
      }};
}

}  // namespace rekeysim::cli
