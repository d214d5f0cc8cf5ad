// Runs a Case's script on a ScriptedWorld and evaluates its expectations.
#include <algorithm>
#include <set>
#include <span>

#include "models/ikev2/invariants.hpp"

#include "models/world/outcome_classifier.hpp"
#include "tools/cases/case.hpp"
#include "tools/cases/checks.hpp"
#include "tools/cases/names.hpp"

namespace rekeysim::cases {

namespace {

using models::PeerId;
using models::scripted::ScriptedWorld;

constexpr PeerId kPeers[] = {PeerId::kA, PeerId::kB};

// `settle_for`: messages are delivered every 10 ms of simulated time (a
// network with ~zero latency, as the C++ tests' run_settling()).
constexpr models::SimTime kSettleStep = sim::milliseconds(10);

std::size_t idx(PeerId p) {
  return static_cast<std::size_t>(p);
}

Failure failure(SourcePos pos, std::string field, std::string expected, std::string actual) {
  Failure f;
  f.pos = std::move(pos);
  f.field = std::move(field);
  f.expected = std::move(expected);
  f.actual = std::move(actual);
  return f;
}

struct Runner {
  const Case& c;
  CaseResult& r;
  ScriptedWorld w;
  std::set<std::string> held;
  bool reauth[2] = {false, false};

  Runner(const Case& cs, CaseResult& res) : c(cs), r(res), w(cs.a, cs.b, cs.seed) {}

  // Records a step that could not be done; the run ends.
  bool stop(const Step& s, std::string expected, std::string actual) {
    r.failures.push_back(failure(s.pos, s.field, std::move(expected), std::move(actual)));
    return false;
  }

  std::string in_flight_text() const {
    std::string out;
    for (PeerId to : kPeers) {
      out += to == PeerId::kA ? "to A: [" : "; to B: [";
      for (std::size_t i = 0; i < w.in_flight(to); ++i) {
        if (i > 0) out += ", ";
        out += w.name(to, i);
        if (held.count(w.name(to, i))) out += " (held)";
      }
      out += "]";
    }
    return out;
  }

  bool ever_sent(const std::string& name) const {
    for (const auto& m : w.wire())
      if (m.name == name) return true;
    return false;
  }

  // The message's place in flight, or a failure saying why it is not there.
  std::optional<std::pair<PeerId, std::size_t>> locate(const Step& s, const std::string& name) {
    const auto at = w.find(name);
    if (!at) {
      stop(s, name + " in flight",
           (ever_sent(name) ? "no longer in flight (delivered or dropped); in flight "
                            : "never sent; in flight ") +
               in_flight_text());
    }
    return at;
  }

  std::optional<std::uint32_t> pick_sa(PeerId p, const SaSelector& sel) const {
    if (sel.pick == SaSelector::Pick::kSpi) return sel.spi;
    std::vector<const models::ikev2::ChildSa*> live;
    for (const auto* ch : by_age(w.peer(p)))
      if (ch->state != models::ikev2::ChildSaState::kDeleted) live.push_back(ch);
    if (live.empty()) return std::nullopt;
    return sel.pick == SaSelector::Pick::kOldest ? live.front()->spi_in : live.back()->spi_in;
  }

  bool unheld_in_flight() const {
    for (PeerId to : kPeers)
      for (std::size_t i = 0; i < w.in_flight(to); ++i)
        if (!held.count(w.name(to, i))) return true;
    return false;
  }

  // Delivers everything not held, oldest first, alternating A then B.
  void settle() {
    auto first_unheld = [&](PeerId to) -> std::optional<std::size_t> {
      for (std::size_t i = 0; i < w.in_flight(to); ++i)
        if (!held.count(w.name(to, i))) return i;
      return std::nullopt;
    };
    for (int guard = 0; guard < 100000; ++guard) {
      bool any = false;
      for (PeerId to : kPeers) {
        if (const auto i = first_unheld(to)) {
          w.deliver(to, *i);
          after_step();  // a reauthentication may start within the settling
          any = true;
        }
      }
      if (!any) return;
    }
  }

  void check(const std::vector<Check>& checks) {
    const CaseState st(w);
    for (const auto& ch : checks) {
      if (auto m = ch.eval(st))
        r.failures.push_back(failure(ch.pos, ch.field, m->expected, m->actual));
    }
  }

  bool run(const Step& s) {
    models::ikev2::Peer& peer = w.peer(s.peer);
    const char P = models::peer_name(s.peer);
    switch (s.kind) {
      case StepKind::kRekeyChild:
      case StepKind::kDeleteChild:
      case StepKind::kForgetChild: {
        const auto spi = pick_sa(s.peer, s.sa);
        if (!spi) return stop(s, std::string("a Child SA at ") + P, "none");
        if (s.kind == StepKind::kRekeyChild) peer.request_rekey_child(*spi);
        if (s.kind == StepKind::kDeleteChild) peer.request_delete_child(*spi);
        if (s.kind == StepKind::kForgetChild) peer.forget_child(*spi);
        return true;
      }
      case StepKind::kRekeyIke:
        peer.request_rekey_ike();
        return true;
      case StepKind::kDeleteIke:
        peer.request_delete_ike();
        return true;
      case StepKind::kReauthIke:
        // RFC 7296 2.8.3, break-before-make: close, then a new IKE_SA_INIT
        // once the peer holds no IKE SA (after_step).
        peer.request_delete_ike();
        reauth[idx(s.peer)] = true;
        return true;
      case StepKind::kConnect:
        peer.connect();
        return true;
      case StepKind::kFire: {
        std::optional<std::uint64_t> cookie;
        if (s.has_sa) {
          const auto spi = pick_sa(s.peer, s.sa);
          if (!spi) return stop(s, std::string("a Child SA at ") + P, "none");
          cookie = *spi;
        } else if (s.ike) {
          if (*s.ike != 0) {
            cookie = *s.ike;
          } else if (const auto* ike = peer.ike_sa()) {
            cookie = ike->id;
          } else {
            return stop(s, std::string("a current IKE SA at ") + P, "none");
          }
        }
        if (!w.fire_timer(s.peer, s.timer, cookie) && !cookie)
          return stop(
              s, std::string("a pending ") + std::string(timer_name(s.timer)) + " timer at " + P,
              "none pending");
        return true;
      }
      case StepKind::kDeliver:
        for (const auto& name : s.names) {
          const auto at = locate(s, name);
          if (!at) return false;
          held.erase(name);
          w.deliver(at->first, at->second);
        }
        return true;
      case StepKind::kHold:
        for (const auto& name : s.names) {
          if (!locate(s, name)) return false;
          held.insert(name);
        }
        return true;
      case StepKind::kDrop:
        for (const auto& name : s.names) {
          const auto at = locate(s, name);
          if (!at) return false;
          held.erase(name);
          w.drop(at->first, at->second);
        }
        return true;
      case StepKind::kDropAll:
        for (std::size_t i = 0; i < w.in_flight(s.peer); ++i) held.erase(w.name(s.peer, i));
        w.drop_all(s.peer);
        return true;
      case StepKind::kDuplicate: {
        const auto at = locate(s, s.names.front());
        if (!at) return false;
        w.duplicate(at->first, at->second);
        return true;
      }
      case StepKind::kSettle:
        settle();
        return true;
      case StepKind::kAdvance:
        w.advance(s.duration);
        return true;
      case StepKind::kAdvanceTo:
        if (s.duration < w.now())
          return stop(s, "a time not before now (" + sim::format_duration(w.now()) + ")",
                      sim::format_duration(s.duration));
        w.run_until(s.duration);
        return true;
      case StepKind::kSettleFor: {
        const models::SimTime start = w.now();
        const models::SimTime until = start + s.duration;
        while (w.now() < until) {
          models::SimTime next = std::min(until, w.now() + kSettleStep);
          // With nothing to deliver, steps before the next timer change
          // nothing: go to the first step at or after it (same grid), so a
          // long settle_for costs its events, not its length / 10 ms.
          if (!unheld_in_flight()) {
            const auto due = w.next_timer_due();
            if (!due || *due >= until) {
              next = until;
            } else if (*due > next) {
              const auto steps = (*due - start).ns() / kSettleStep.ns() +
                                 ((*due - start).ns() % kSettleStep.ns() != 0 ? 1 : 0);
              next = std::min(until, start + sim::nanoseconds(steps * kSettleStep.ns()));
            }
          }
          w.run_until(next);
          settle();
        }
        return true;
      }
      case StepKind::kNonces:
      case StepKind::kLowestNonce:
        for (PeerId p : kPeers)
          for (auto o : s.octets[idx(p)]) w.queue_nonce_first_byte(p, o);
        return true;
      case StepKind::kExpect:
        check(s.checks);
        return true;
    }
    return true;
  }

  // `allow:` (models/ikev2/invariants.hpp): what the trace shows, the ESP
  // state after every step, and the settled state at the end; one failure per
  // kind not allowed, with the first time it was seen.
  std::vector<models::ikev2::InvariantViolation> seen;
  std::size_t records_checked = 0;
  void note_invariants() {
    if (!c.allow) return;
    const auto& t = w.trace();
    models::ikev2::record_violations(
        std::span<const models::TraceRecord>(t).subspan(records_checked), seen);
    records_checked = t.size();
    models::ikev2::esp_violations(w.peer(PeerId::kA), w.peer(PeerId::kB), seen);
  }
  void check_invariants() {
    models::ikev2::end_violations(w.peer(PeerId::kA), w.peer(PeerId::kB), seen);
    std::set<std::string> reported;
    for (const auto& v : seen) {
      if (std::find(c.allow->begin(), c.allow->end(), v.kind) != c.allow->end()) continue;
      if (!reported.insert(v.kind).second) continue;
      r.failures.push_back(
          failure(c.allow_pos, "allow", "no " + v.kind + " (not in allow:)", v.detail));
    }
  }

  void after_step() {
    note_invariants();
    for (PeerId p : kPeers) {
      if (reauth[idx(p)] && w.peer(p).ike_sas().empty()) {
        reauth[idx(p)] = false;
        w.peer(p).connect();
      }
    }
  }
};

}  // namespace

std::uint64_t CaseState::outcome(models::Outcome o) const {
  models::world::OutcomeClassifier classifier;
  for (const auto& rec : world_.trace()) classifier.record(rec);
  classifier.finish(world_.now());
  return classifier.outcome().count(o);
}

CaseResult run_case(const Case& c) {
  CaseResult r;
  r.name = c.name;
  r.file = c.file;
  r.expected_ladder = c.expected_ladder;
  Runner run(c, r);
  bool completed = true;
  try {
    if (c.establish) run.w.establish(*c.establish);
    run.note_invariants();
    for (const auto& s : c.script) {
      if (!run.run(s)) {
        completed = false;
        break;
      }
      run.after_step();
    }
    if (completed) run.check(c.expect);
    if (completed && c.allow) run.check_invariants();
  } catch (const std::exception& e) {
    // The model refused a scripted event (a bug the case found): report it
    // as this case's failure rather than end every other case's run.
    r.failures.push_back(failure(SourcePos{c.file, 1, 1}, "script", "the script to run",
                                 std::string("exception: ") + e.what()));
  }
  r.passed = r.failures.empty();
  r.actual_ladder = run.w.ladder();
  r.trace = run.w.trace();
  return r;
}

}  // namespace rekeysim::cases
