// Scripted cases (scenarios/cases/FORMAT.md): one exact message ordering
// between two peers on the scripted world, and what must hold. Loaded from
// YAML with file:line:column errors, run deterministically (no wall clock,
// no threads), reported as text ladders and JUnit XML by `rekeysim test`.
//
// Stable API (installed; `find_package(rekeysim)`, target rekeysim::rekeysim):
//   load_case_file, load_case_text, collect_case_files, run_case, CaseResult,
//   format_result, side_by_side, junit_xml. The Case/Step/Check structures are
//   read-only views for tools (explore) and may gain fields.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/config.hpp"
#include "models/ikev2/peer_port.hpp"
#include "models/outcome.hpp"
#include "models/scripted/scripted_world.hpp"
#include "models/trace.hpp"
#include "tools/scenario/diagnostics.hpp"

namespace rekeysim::cases {

using scenario::ScenarioError;
using scenario::SourcePos;

// A Child SA of one peer, as a step or check names it.
struct SaSelector {
  enum class Pick { kOldest, kNewest, kSpi };
  Pick pick = Pick::kOldest;
  std::uint32_t spi = 0;  // inbound SPI at that peer (kSpi)
};

class CaseState;

// What differs when a check fails (both in case syntax).
struct Mismatch {
  std::string expected;
  std::string actual;
};

// One `expect` key for one peer (or both): "child_sas.a", "outcomes.collisions".
struct Check {
  std::string field;
  SourcePos pos;
  std::function<std::optional<Mismatch>(const CaseState&)> eval;
};

enum class StepKind {
  kRekeyChild,
  kDeleteChild,
  kRekeyIke,
  kDeleteIke,
  kReauthIke,
  kConnect,
  kForgetChild,
  kFire,
  kDeliver,
  kHold,
  kDrop,
  kDropAll,
  kDuplicate,
  kSettle,
  kAdvance,
  kAdvanceTo,
  kSettleFor,
  kNonces,
  kLowestNonce,
  kExpect,
};
// The step's key as written in a case ("rekey_child", ...).
std::string_view to_string(StepKind k);

struct Step {
  StepKind kind = StepKind::kSettle;
  SourcePos pos;
  std::string field;  // "script[3].deliver" (0-based index), for messages
  models::PeerId peer = models::PeerId::kA;
  SaSelector sa;
  bool has_sa = false;  // fire: `sa` was given
  models::ikev2::TimerKind timer = models::ikev2::TimerKind::kChildSoftExpire;
  std::optional<std::uint64_t> ike;     // fire: IKE SA id, 0 = the current one
  std::vector<std::string> names;       // deliver/hold/drop/duplicate
  models::SimTime duration{};           // advance, advance_to, settle_for
  std::vector<std::uint8_t> octets[2];  // nonces: first octets for A, B
  std::vector<Check> checks;            // expect
};

struct Case {
  std::string file;
  std::string name;
  std::string description;
  std::string source;
  std::uint64_t seed = 1;
  models::PeerConfig a;
  models::PeerConfig b;
  std::optional<models::PeerId> establish = models::PeerId::kA;
  std::vector<Step> script;
  std::vector<Check> expect;
  // `allow: [KIND, ...]`, when given (even empty): the invariants of
  // models/ikev2/invariants.hpp are checked too, all but these kinds.
  std::optional<std::vector<std::string>> allow;
  SourcePos allow_pos;
  // `expect: messages`, when given: the ladder printed beside the actual one.
  std::optional<std::vector<std::string>> expected_ladder;
  // Profile files its peers name (`profile: ../my-asa.yaml`), as opened.
  std::vector<std::string> profile_files;
};

// Reads and checks a case file. Throws ScenarioError
// ("file:line:column: error: field: what; expected form") for anything that
// is not a valid case: YAML errors, unknown keys, bad values, peers whose
// settings a scenario would refuse.
Case load_case_file(const std::string& path);
// The same from text; `file` names it in messages, profile paths resolve against `dir`.
Case load_case_text(std::string_view text, const std::string& file, const std::string& dir = ".");

// Files named on the command line: a file as is, a directory as every *.yaml
// below it (recursively, sorted by path; FORMAT.md and other non-YAML files
// are skipped). Throws ScenarioError at 1:1 of a path that does not exist or
// a directory without any case.
std::vector<std::string> collect_case_files(const std::vector<std::string>& paths);

struct Failure {
  SourcePos pos;      // the expectation or step that failed
  std::string field;  // "expect.child_sas.a", "script[4].deliver"
  std::string expected;
  std::string actual;
};

struct CaseResult {
  std::string name;
  std::string file;
  bool passed = false;
  std::vector<Failure> failures;
  std::vector<std::string> actual_ladder;  // ScriptedWorld::ladder() at the end
  std::optional<std::vector<std::string>> expected_ladder;
  std::vector<models::TraceRecord> trace;  // everything recorded
};

// Runs the script, then the final expectations. A failing intermediate
// `expect` is recorded and the script goes on; a step that cannot be done
// (a message not in flight, an SA the peer does not have) ends the run.
// Deterministic: same case => same result.
CaseResult run_case(const Case& c);

// The state a Check sees (valid during run_case only).
class CaseState {
 public:
  explicit CaseState(const models::scripted::ScriptedWorld& w) : world_(w) {}
  const models::scripted::ScriptedWorld& world() const { return world_; }
  // Outcome counts the classifier of `rekeysim run` computes from the trace so far.
  std::uint64_t outcome(models::Outcome o) const;

 private:
  const models::scripted::ScriptedWorld& world_;
};

// "PASS name" / "FAIL name" plus, for a failure, each failed expectation
// ("file:line:column: field: expected X, got Y") and the ladders side by side.
std::string format_result(const CaseResult& r);
// Two columns, "expected" and "actual", one message per row; rows that
// differ are marked with '!' (every row is marked when `expected` is empty).
std::string side_by_side(const std::vector<std::string>& expected,
                         const std::vector<std::string>& actual);
// JUnit XML (one <testsuite name="rekeysim test">, one <testcase> per case,
// classname = case file, a <failure> carrying format_result's text), as
// Jenkins, GitLab and GitHub test reporters read it. No timestamps or times
// (time="0"), so the document is the same on every run.
std::string junit_xml(const std::vector<CaseResult>& results);

}  // namespace rekeysim::cases
