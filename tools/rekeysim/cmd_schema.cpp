// `rekeysim schema`: the per-peer key table in Markdown, generated from the
// key table itself; scenarios/SCHEMA.md embeds it (a test keeps them equal).
#include <iostream>

#include "tools/rekeysim/common.hpp"
#include "tools/scenario/peer_keys.hpp"

namespace rekeysim::cli {

Command add_schema_command(CLI::App& root) {
  CLI::App* sub = root.add_subcommand(
      "schema", "print the per-peer key table (Markdown) of scenarios/SCHEMA.md");
  sub->footer("Example:\n  rekeysim schema > /tmp/peer-keys.md");
  return {sub, [] {
            std::cout << scenario::peer_keys_markdown();
            return kExitOk;
          }};
}

}  // namespace rekeysim::cli
