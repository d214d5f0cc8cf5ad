// `rekeysim test FILE|DIR... [--junit FILE]`: runs scripted cases
// (scenarios/cases/FORMAT.md). Every file is loaded before any case runs, so
// a bad case file exits 2 with nothing run and nothing written.
#include <iostream>

#include "tools/cases/case.hpp"
#include "tools/rekeysim/common.hpp"

namespace rekeysim::cli {

Command add_test_command(CLI::App& root) {
  struct Options {
    std::vector<std::string> paths;
    std::string junit;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = root.add_subcommand(
      "test", "run scripted cases: exact message orderings between two peers with expectations");
  sub->add_option("CASE", o->paths, "case files, or directories of them (*.yaml, recursively)")
      ->required();
  sub->add_option("--junit", o->junit, "also write JUnit XML (one testcase per case) to this file");
  sub->footer(
      "Example:\n"
      "  rekeysim test scenarios/cases --junit cases.xml\n"
      "Prints PASS or FAIL and the case name, one line per case; a failure adds each failed\n"
      "expectation and the expected and actual message ladders side by side.\n"
      "Case format: scenarios/cases/FORMAT.md.\n"
      "Exit status: 0 every case passed, 1 a case failed, 2 a case file or option is bad.");
  return {sub, [o] {
            std::vector<cases::Case> loaded;
            for (const auto& f : cases::collect_case_files(o->paths))
              loaded.push_back(cases::load_case_file(f));
            OutputFiles files;
            for (const auto& c : loaded) {
              files.add_input("the case " + c.file, c.file);
              for (const auto& p : c.profile_files) files.add_input("the profile " + p, p);
            }
            if (!o->junit.empty()) files.add("--junit", o->junit);
            std::vector<cases::CaseResult> results;
            std::string text;
            std::size_t failed = 0;
            for (const auto& c : loaded) {
              results.push_back(cases::run_case(c));
              text += cases::format_result(results.back());
              if (!results.back().passed) ++failed;
            }
            text += std::to_string(results.size()) + " case(s), " +
                    std::to_string(results.size() - failed) + " passed, " + std::to_string(failed) +
                    " failed\n";
            if (files.has("--junit")) files.put("--junit", cases::junit_xml(results));
            files.put_stdout(std::move(text));
            files.commit();
            return failed > 0 ? kExitExpectFailed : kExitOk;
          }};
}

}  // namespace rekeysim::cli
