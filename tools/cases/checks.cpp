#include "tools/cases/checks.hpp"

#include <algorithm>

#include "models/ikev2/peer.hpp"
#include "tools/cases/names.hpp"
#include "tools/scenario/values.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::cases {

namespace {

using models::PeerId;
using models::ikev2::ChildSa;
using models::ikev2::Peer;
using models::scripted::ScriptedWorld;
using scenario::join;
using scenario::pos_of;
using scenario::quoted_with_suggestion;
using scenario::ValueContext;

const std::vector<std::string> kExpectKeys = {
    "child_sas", "sending_on", "accepts", "rejects", "ike_sa",   "ike_sas", "in_flight", "message",
    "messages",  "events",     "records", "timers",  "outcomes", "log",     "time",      "agree"};

std::string list_text(const std::vector<std::string>& items) {
  return "[" + join(items) + "]";
}

std::string spi_text(std::optional<std::uint32_t> spi) {
  return spi ? std::to_string(*spi) : "none";
}

// One expected Child SA: "IN/OUT" or a mapping of some fields.
struct SaSpec {
  std::optional<std::uint32_t> spi_in, spi_out;
  std::optional<models::ikev2::SaRole> role;
  std::optional<models::ikev2::ChildSaState> state;
  std::optional<models::ikev2::OutboundState> outbound;
  std::string text;  // as written
  bool plain = true;

  bool matches(const ChildSa& c) const {
    return (!spi_in || *spi_in == c.spi_in) && (!spi_out || *spi_out == c.spi_out) &&
           (!role || *role == c.role) && (!state || *state == c.state) &&
           (!outbound || *outbound == c.outbound);
  }
};

std::string sa_text(const ChildSa& c, bool detail) {
  std::string s = std::to_string(c.spi_in) + "/" + std::to_string(c.spi_out);
  if (detail) {
    s.append(" (").append(role_name(c.role)).append(", ").append(state_name(c.state));
    s.append(", outbound ").append(outbound_name(c.outbound)).append(")");
  }
  return s;
}

struct Parser {
  std::string file;
  std::string base;  // "expect"
  std::vector<Check> out;

  ValueContext ctx(const YAML::Node& n, const std::string& field) const {
    return ValueContext{n, file, field, {file, 1, 1}};
  }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& field, const std::string& what,
                         const std::string& expected) const {
    ctx(n, field).fail(what, expected);
  }
  void require_map(const YAML::Node& n, const std::string& field, const std::string& form) const {
    if (!n.IsMap()) fail(n, field, n.IsNull() ? "is empty" : "is not a mapping", form);
  }
  void require_list(const YAML::Node& n, const std::string& field, const std::string& form) const {
    if (!n.IsSequence()) fail(n, field, "is not a list", form);
  }
  void unknown_key(const YAML::Node& key, const std::string& field,
                   const std::vector<std::string>& known) const {
    throw ScenarioError(pos_of(key, file), field,
                        "unknown key " + quoted_with_suggestion(key.Scalar(), known),
                        "one of " + join(known));
  }

  void add(const std::string& field, const YAML::Node& at,
           std::function<std::optional<Mismatch>(const CaseState&)> eval) {
    out.push_back(Check{field, pos_of(at, file), std::move(eval)});
  }

  // {a: X, b: Y}: calls f(peer, value node, field) for each peer given.
  template <class F>
  void per_peer(const YAML::Node& v, const std::string& field, const std::string& form, F f) {
    require_map(v, field, form);
    for (const auto& kv : v) {
      const std::string k = kv.first.Scalar();
      if (k != "a" && k != "b") unknown_key(kv.first, field + "." + k, {"a", "b"});
      f(k == "a" ? PeerId::kA : PeerId::kB, kv.second, field + "." + k);
    }
  }

  std::uint64_t count(const YAML::Node& n, const std::string& field) const {
    return scenario::read_count(ctx(n, field), 1'000'000'000, "a whole number (a count)");
  }
  std::uint32_t spi(const YAML::Node& n, const std::string& field) const {
    // RFC 7296 3.3.1: SPI 0 is never a real SA.
    const std::uint64_t v =
        scenario::read_count(ctx(n, field), UINT32_MAX, "an SPI: a whole number, 1 to 4294967295");
    if (v == 0) ctx(n, field).fail("0 is not an SPI", "an SPI: a whole number, 1 to 4294967295");
    return static_cast<std::uint32_t>(v);
  }
  std::optional<std::uint32_t> spi_or_none(const YAML::Node& n, const std::string& field) const {
    if (n.IsScalar() && n.Scalar() == "none") return std::nullopt;
    return spi(n, field);
  }
  std::vector<std::uint32_t> spis(const YAML::Node& n, const std::string& field) const {
    require_list(n, field, "a list of SPIs like [3, 4]");
    std::vector<std::uint32_t> v;
    for (std::size_t i = 0; i < n.size(); ++i)
      v.push_back(spi(n[i], field + "[" + std::to_string(i) + "]"));
    return v;
  }
  template <class E>
  E pick(const YAML::Node& n, const std::string& field, const std::vector<std::string_view>& names,
         const std::vector<E>& values) const {
    return values[static_cast<std::size_t>(scenario::read_enum(ctx(n, field), names))];
  }

  SaSpec sa_spec(const YAML::Node& n, const std::string& field) {
    using namespace models::ikev2;
    SaSpec s;
    const std::string form =
        "\"IN/OUT\" like \"3/4\", or a mapping of spi_in, spi_out, role, state, outbound";
    if (n.IsScalar()) {
      const std::string t = n.Scalar();
      const std::size_t slash = t.find('/');
      if (slash == std::string::npos) fail(n, field, "\"" + t + "\" has no '/'", form);
      auto num = [&](std::string_view part) -> std::uint32_t {
        if (part.empty() || part.size() > 10 ||
            !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }))
          fail(n, field, "\"" + t + "\" is not IN/OUT", form);
        const unsigned long long x = std::stoull(std::string(part));
        if (x > UINT32_MAX) fail(n, field, "\"" + t + "\": SPI too large", form);
        return static_cast<std::uint32_t>(x);
      };
      s.spi_in = num(std::string_view(t).substr(0, slash));
      s.spi_out = num(std::string_view(t).substr(slash + 1));
      s.text = t;
      return s;
    }
    require_map(n, field, form);
    s.plain = false;
    std::vector<std::string> parts;
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      const std::string f = field + "." + k;
      if (k == "spi_in") {
        s.spi_in = spi(kv.second, f);
      } else if (k == "spi_out") {
        s.spi_out = spi(kv.second, f);
      } else if (k == "role") {
        s.role = pick<SaRole>(kv.second, f, {"initiator", "responder"},
                              {SaRole::kInitiator, SaRole::kResponder});
      } else if (k == "state") {
        s.state = pick<ChildSaState>(
            kv.second, f, {"installed", "rekeying", "rekeyed", "deleting", "deleted"},
            {ChildSaState::kInstalled, ChildSaState::kRekeying, ChildSaState::kRekeyed,
             ChildSaState::kDeleting, ChildSaState::kDeleted});
      } else if (k == "outbound") {
        s.outbound = pick<OutboundState>(
            kv.second, f, {"none", "registered", "installed"},
            {OutboundState::kNone, OutboundState::kRegistered, OutboundState::kInstalled});
      } else {
        unknown_key(kv.first, f, {"spi_in", "spi_out", "role", "state", "outbound"});
      }
      parts.push_back(k + ": " + kv.second.Scalar());
    }
    s.text = "{" + join(parts) + "}";
    return s;
  }

  void child_sas(const YAML::Node& v, const std::string& field) {
    per_peer(v, field, "{a: [\"3/4\"], b: [\"4/3\"]}",
             [&](PeerId p, const YAML::Node& list, const std::string& f) {
               require_list(list, f, "a list of Child SAs, oldest first, like [\"3/4\"] or []");
               std::vector<SaSpec> specs;
               bool plain = true;
               for (std::size_t i = 0; i < list.size(); ++i) {
                 specs.push_back(sa_spec(list[i], f + "[" + std::to_string(i) + "]"));
                 plain = plain && specs.back().plain;
               }
               add(f, list, [p, specs, plain](const CaseState& st) -> std::optional<Mismatch> {
                 const auto have = by_age(st.world().peer(p));
                 bool ok = have.size() == specs.size();
                 for (std::size_t i = 0; ok && i < have.size(); ++i)
                   ok = specs[i].matches(*have[i]);
                 if (ok) return std::nullopt;
                 std::vector<std::string> e, a;
                 for (const auto& s : specs) e.push_back(s.text);
                 for (const auto* c : have) a.push_back(sa_text(*c, !plain));
                 return Mismatch{list_text(e), list_text(a)};
               });
             });
  }

  void sending_on(const YAML::Node& v, const std::string& field) {
    per_peer(v, field, "{a: 3, b: none}", [&](PeerId p, const YAML::Node& n, const std::string& f) {
      const auto want = spi_or_none(n, f);
      add(f, n, [p, want](const CaseState& st) -> std::optional<Mismatch> {
        const auto have = st.world().peer(p).outbound_spi();
        if (have == want) return std::nullopt;
        return Mismatch{spi_text(want), spi_text(have)};
      });
    });
  }

  void accepts(const YAML::Node& v, const std::string& field, bool accept) {
    per_peer(v, field, "{a: [3], b: [4]}",
             [&](PeerId p, const YAML::Node& n, const std::string& f) {
               const auto list = spis(n, f);
               add(f, n, [p, list, accept](const CaseState& st) -> std::optional<Mismatch> {
                 std::vector<std::string> wrong;
                 for (auto s : list)
                   if (st.world().peer(p).accepts_inbound(s) != accept)
                     wrong.push_back(std::to_string(s));
                 if (wrong.empty()) return std::nullopt;
                 return Mismatch{std::string(accept ? "accepts " : "rejects ") + list_text(wrong),
                                 std::string(accept ? "rejects " : "accepts ") + list_text(wrong)};
               });
             });
  }

  void ike_sa(const YAML::Node& v, const std::string& field) {
    per_peer(v, field, "{a: 3, b: none}", [&](PeerId p, const YAML::Node& n, const std::string& f) {
      std::optional<std::uint64_t> want;
      if (!(n.IsScalar() && n.Scalar() == "none"))
        want = scenario::read_count(ctx(n, f), UINT64_MAX, "an IKE SA id or none");
      add(f, n, [p, want](const CaseState& st) -> std::optional<Mismatch> {
        const auto* ike = st.world().peer(p).ike_sa();
        const std::optional<std::uint64_t> have =
            ike ? std::optional<std::uint64_t>(ike->id) : std::nullopt;
        if (have == want) return std::nullopt;
        auto text = [](std::optional<std::uint64_t> x) { return x ? std::to_string(*x) : "none"; };
        return Mismatch{text(want), text(have)};
      });
    });
  }

  void ike_sas(const YAML::Node& v, const std::string& field) {
    per_peer(v, field, "{a: 1, b: 1}", [&](PeerId p, const YAML::Node& n, const std::string& f) {
      const auto want = count(n, f);
      add(f, n, [p, want](const CaseState& st) -> std::optional<Mismatch> {
        const auto have = st.world().peer(p).ike_sas().size();
        if (have == want) return std::nullopt;
        return Mismatch{std::to_string(want), std::to_string(have)};
      });
    });
  }

  void in_flight(const YAML::Node& v, const std::string& field) {
    per_peer(v, field, "{a: 0, b: [a.INFORMATIONAL.req#1]}",
             [&](PeerId p, const YAML::Node& n, const std::string& f) {
               auto names_of = [p](const ScriptedWorld& w) {
                 std::vector<std::string> v;
                 for (std::size_t i = 0; i < w.in_flight(p); ++i) v.push_back(w.name(p, i));
                 return v;
               };
               if (n.IsSequence()) {
                 std::vector<std::string> want;
                 for (std::size_t i = 0; i < n.size(); ++i) {
                   const std::string fi = f + "[" + std::to_string(i) + "]";
                   const std::string t = scalar_text(ctx(n[i], fi), kMessageNameForm);
                   if (!valid_message_name(t))
                     fail(n[i], fi, "\"" + t + "\" is not a message name",
                          std::string(kMessageNameForm));
                   want.push_back(t);
                 }
                 add(f, n, [want, names_of](const CaseState& st) -> std::optional<Mismatch> {
                   const auto have = names_of(st.world());
                   if (have == want) return std::nullopt;
                   return Mismatch{list_text(want), list_text(have)};
                 });
               } else {
                 const auto want = count(n, f);
                 add(f, n, [p, want, names_of](const CaseState& st) -> std::optional<Mismatch> {
                   if (st.world().in_flight(p) == want) return std::nullopt;
                   return Mismatch{std::to_string(want), std::to_string(st.world().in_flight(p)) +
                                                             " " + list_text(names_of(st.world()))};
                 });
               }
             });
  }

  void message(const YAML::Node& v, const std::string& field) {
    require_map(v, field, "{a.INFORMATIONAL.req#1: \"INFORMATIONAL request 3 {D(ESP,1)}\"}");
    for (const auto& kv : v) {
      const std::string name = kv.first.Scalar();
      const std::string f = field + "." + name;
      if (!valid_message_name(name))
        throw ScenarioError(pos_of(kv.first, file), f, "\"" + name + "\" is not a message name",
                            std::string(kMessageNameForm));
      const std::string want = scalar_text(ctx(kv.second, f), "a message as describe() prints it");
      add(f, kv.second, [name, want](const CaseState& st) -> std::optional<Mismatch> {
        for (const auto& m : st.world().wire())
          if (m.name == name) {
            const std::string have = models::scripted::describe(m.message);
            if (have == want) return std::nullopt;
            return Mismatch{want, have};
          }
        return Mismatch{want, "never sent"};
      });
    }
  }

  void messages(const YAML::Node& v, const std::string& field, std::vector<std::string>* ladder,
                bool* has_ladder) {
    require_list(v, field,
                 "a list of ladder lines like \"A->B INFORMATIONAL request 3 {D(ESP,1)}\"");
    std::vector<std::string> want;
    for (std::size_t i = 0; i < v.size(); ++i)
      want.push_back(scalar_text(ctx(v[i], field + "[" + std::to_string(i) + "]"),
                                 "a ladder line like \"A->B INFORMATIONAL request 3 {D(ESP,1)}\""));
    if (ladder) {
      *ladder = want;
      if (has_ladder) *has_ladder = true;
    }
    add(field, v, [want](const CaseState& st) -> std::optional<Mismatch> {
      const auto have = st.world().ladder();
      if (have == want) return std::nullopt;
      // The ladders themselves are printed side by side; name the first difference.
      std::size_t i = 0;
      while (i < want.size() && i < have.size() && want[i] == have[i]) ++i;
      return Mismatch{std::to_string(want.size()) + " messages" +
                          (i < want.size() ? ", #" + std::to_string(i + 1) + " " + want[i] : ""),
                      std::to_string(have.size()) + " messages" +
                          (i < have.size() ? ", #" + std::to_string(i + 1) + " " + have[i] : "")};
    });
  }

  models::TraceKind trace_kind(const YAML::Node& n, const std::string& field) const {
    const std::string t = scalar_text(ctx(n, field), "a trace record kind");
    const auto k = trace_kind_from_name(t);
    if (!k)
      fail(n, field, "unknown record kind " + quoted_with_suggestion(t, trace_kind_names()),
           "one of " + join(trace_kind_names()));
    return *k;
  }

  void events(const YAML::Node& v, const std::string& field) {
    require_map(v, field, "{collision_detected: 2, retry_scheduled: {a: 1}}");
    for (const auto& kv : v) {
      const std::string f = field + "." + kv.first.Scalar();
      const models::TraceKind kind = trace_kind(kv.first, f);
      auto count_of = [kind](const ScriptedWorld& w, std::optional<PeerId> p) {
        return p ? w.count(kind, *p) : w.count(kind);
      };
      auto one = [&](std::optional<PeerId> p, const YAML::Node& n, const std::string& ff) {
        const auto want = count(n, ff);
        add(ff, n, [p, want, count_of](const CaseState& st) -> std::optional<Mismatch> {
          const auto have = count_of(st.world(), p);
          if (have == want) return std::nullopt;
          return Mismatch{std::to_string(want), std::to_string(have)};
        });
      };
      if (kv.second.IsMap()) {
        per_peer(kv.second, f, "a count or {a: COUNT, b: COUNT}",
                 [&](PeerId p, const YAML::Node& n, const std::string& ff) { one(p, n, ff); });
      } else {
        one(std::nullopt, kv.second, f);
      }
    }
  }

  struct RecordSpec {
    models::TraceKind kind;
    std::optional<PeerId> peer;
    std::optional<models::SimTime> at;
    std::optional<std::uint32_t> spi_in, spi_out;
    std::optional<bool> won;
    std::string text;
    bool matches(const models::TraceRecord& r) const {
      return r.kind == kind && (!peer || *peer == r.peer) && (!at || *at == r.time) &&
             (!spi_in || *spi_in == r.spi_in) && (!spi_out || *spi_out == r.spi_out) &&
             (!won || *won == r.won);
    }
  };

  static std::string record_text(const models::TraceRecord& r) {
    std::string s = "{kind: " + std::string(to_string(r.kind)) + ", peer: " + peer_letter(r.peer) +
                    ", at: " + sim::format_duration(r.time) +
                    ", spi_in: " + std::to_string(r.spi_in) +
                    ", spi_out: " + std::to_string(r.spi_out);
    if (r.kind == models::TraceKind::kCollisionResolved)
      s += std::string(", won: ") + (r.won ? "true" : "false");
    return s + "}";
  }

  void records(const YAML::Node& v, const std::string& field) {
    const std::string form =
        "a list of {kind: KIND, peer: a, at: 4s, spi_in: 3, spi_out: 4, won: true}";
    require_list(v, field, form);
    std::vector<RecordSpec> specs;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string f = field + "[" + std::to_string(i) + "]";
      const YAML::Node n = v[i];
      require_map(n, f, form);
      if (!n["kind"]) fail(n, f + ".kind", "missing", "a trace record kind");
      RecordSpec s{trace_kind(n["kind"], f + ".kind"), {}, {}, {}, {}, {}, {}};
      std::vector<std::string> parts;
      for (const auto& kv : n) {
        const std::string k = kv.first.Scalar();
        const std::string ff = f + "." + k;
        if (k == "kind") {
        } else if (k == "peer") {
          s.peer = pick<PeerId>(kv.second, ff, {"a", "b"}, {PeerId::kA, PeerId::kB});
        } else if (k == "at") {
          s.at = scenario::read_duration(ctx(kv.second, ff));
        } else if (k == "spi_in") {
          s.spi_in = spi(kv.second, ff);
        } else if (k == "spi_out") {
          s.spi_out = spi(kv.second, ff);
        } else if (k == "won") {
          s.won = scenario::read_bool(ctx(kv.second, ff));
        } else {
          unknown_key(kv.first, ff, {"kind", "peer", "at", "spi_in", "spi_out", "won"});
        }
        parts.push_back(k + ": " + kv.second.Scalar());
      }
      s.text = "{" + join(parts) + "}";
      specs.push_back(std::move(s));
    }
    add(field, v, [specs](const CaseState& st) -> std::optional<Mismatch> {
      const auto& trace = st.world().trace();
      std::size_t at = 0;
      for (std::size_t i = 0; i < specs.size(); ++i) {
        while (at < trace.size() && !specs[i].matches(trace[at])) ++at;
        if (at == trace.size()) {
          std::vector<std::string> same;
          for (const auto& r : trace)
            if (r.kind == specs[i].kind) same.push_back(record_text(r));
          if (same.size() > 8) same.resize(8);
          return Mismatch{"#" + std::to_string(i + 1) + " " + specs[i].text +
                              (i > 0 ? " after #" + std::to_string(i) : ""),
                          same.empty() ? "no " + std::string(to_string(specs[i].kind)) + " record"
                                       : list_text(same)};
        }
        ++at;
      }
      return std::nullopt;
    });
  }

  void timers(const YAML::Node& v, const std::string& field) {
    per_peer(v, field, "{a: {retry_rekey: 0}}",
             [&](PeerId p, const YAML::Node& n, const std::string& f) {
               require_map(n, f, "{retry_rekey: 0, destroy_inbound: 1}");
               for (const auto& kv : n) {
                 const std::string k = kv.first.Scalar();
                 const auto kind = timer_from_name(k);
                 if (!kind) unknown_key(kv.first, f + "." + k, timer_names());
                 const auto want = count(kv.second, f + "." + k);
                 add(f + "." + k, kv.second,
                     [p, kind, want](const CaseState& st) -> std::optional<Mismatch> {
                       const auto have = st.world().timers_pending(p, *kind);
                       if (have == want) return std::nullopt;
                       return Mismatch{std::to_string(want), std::to_string(have)};
                     });
               }
             });
  }

  void outcomes(const YAML::Node& v, const std::string& field) {
    require_map(v, field, "{collisions: 1, cant_find_sa: 0}");
    std::vector<std::string> names;
    for (auto o : models::kAllOutcomes) names.emplace_back(models::outcome_name(o));
    for (const auto& kv : v) {
      const std::string k = kv.first.Scalar();
      models::Outcome o{};
      if (!models::outcome_from_name(k, o)) unknown_key(kv.first, field + "." + k, names);
      const auto want = count(kv.second, field + "." + k);
      add(field + "." + k, kv.second, [o, want](const CaseState& st) -> std::optional<Mismatch> {
        const auto have = st.outcome(o);
        if (have == want) return std::nullopt;
        return Mismatch{std::to_string(want), std::to_string(have)};
      });
    }
  }

  void log(const YAML::Node& v, const std::string& field) {
    const std::string form = "{style: strongswan, peer: a, contains: [\"...\"]}";
    require_map(v, field, form);
    trace::LogContext context;
    trace::LogStyle style = trace::LogStyle::kPlain;
    std::vector<std::string> want;
    bool has_contains = false;
    std::vector<std::string> styles;
    for (auto s : trace::log_style_names()) styles.emplace_back(s);
    for (const auto& kv : v) {
      const std::string k = kv.first.Scalar();
      const std::string f = field + "." + k;
      if (k == "style") {
        const std::string t = scalar_text(ctx(kv.second, f), "a log style");
        const auto s = trace::parse_log_style(t);
        if (!s)
          fail(kv.second, f, "unknown style " + quoted_with_suggestion(t, styles),
               "one of " + join(styles));
        style = *s;
      } else if (k == "peer") {
        context.only_peer = pick<PeerId>(kv.second, f, {"a", "b"}, {PeerId::kA, PeerId::kB});
      } else if (k == "contains") {
        has_contains = true;
        require_list(kv.second, f,
                     "a list of texts, each found in a later line than the one before");
        for (std::size_t i = 0; i < kv.second.size(); ++i)
          want.push_back(
              scalar_text(ctx(kv.second[i], f + "[" + std::to_string(i) + "]"), "a text"));
      } else {
        unknown_key(kv.first, f, {"style", "peer", "contains"});
      }
    }
    if (!has_contains) fail(v, field + ".contains", "missing", "a list of texts");
    add(field, v, [style, context, want](const CaseState& st) -> std::optional<Mismatch> {
      const std::string text = trace::render_log(st.world().trace(), style, context);
      std::vector<std::string> lines;
      std::size_t start = 0;
      while (start < text.size()) {
        const std::size_t nl = text.find('\n', start);
        lines.push_back(text.substr(start, nl == std::string::npos ? nl : nl - start));
        start = nl == std::string::npos ? text.size() : nl + 1;
      }
      std::size_t at = 0;
      for (std::size_t i = 0; i < want.size(); ++i) {
        while (at < lines.size() && lines[at].find(want[i]) == std::string::npos) ++at;
        if (at == lines.size()) {
          std::string shown;
          for (std::size_t j = 0; j < lines.size() && j < 40; ++j) shown += "\n    " + lines[j];
          if (lines.size() > 40)
            shown += "\n    ... (" + std::to_string(lines.size() - 40) + " more)";
          return Mismatch{"a line containing \"" + want[i] + "\"" +
                              (i > 0 ? " after one containing \"" + want[i - 1] + "\"" : ""),
                          "the log:" + shown};
        }
        ++at;
      }
      return std::nullopt;
    });
  }

  void time(const YAML::Node& v, const std::string& field) {
    const models::SimTime want = scenario::read_duration(ctx(v, field));
    add(field, v, [want](const CaseState& st) -> std::optional<Mismatch> {
      if (st.world().now() == want) return std::nullopt;
      return Mismatch{sim::format_duration(want), sim::format_duration(st.world().now())};
    });
  }

  void agree(const YAML::Node& v, const std::string& field) {
    if (!scenario::read_bool(ctx(v, field))) fail(v, field, "false checks nothing", "agree: true");
    add(field, v, [](const CaseState& st) -> std::optional<Mismatch> {
      const ScriptedWorld& w = st.world();
      const Peer& a = w.peer(PeerId::kA);
      const Peer& b = w.peer(PeerId::kB);
      std::vector<std::string> why;
      if (w.in_flight(PeerId::kA) + w.in_flight(PeerId::kB) > 0)
        why.push_back("messages in flight");
      if (a.child_sas().size() != 1 || b.child_sas().size() != 1) {
        why.push_back("A holds " + std::to_string(a.child_sas().size()) + " Child SAs, B " +
                      std::to_string(b.child_sas().size()));
      } else {
        const ChildSa& ca = a.child_sas()[0];
        const ChildSa& cb = b.child_sas()[0];
        if (ca.spi_in != cb.spi_out || ca.spi_out != cb.spi_in)
          why.push_back("A has " + sa_text(ca, false) + ", B " + sa_text(cb, false));
      }
      const auto ao = a.outbound_spi();
      const auto bo = b.outbound_spi();
      if (!ao || !b.accepts_inbound(*ao))
        why.push_back("A sends on " + spi_text(ao) + ", B does not accept it");
      if (!bo || !a.accepts_inbound(*bo))
        why.push_back("B sends on " + spi_text(bo) + ", A does not accept it");
      const auto* ia = a.ike_sa();
      const auto* ib = b.ike_sa();
      if (!ia || !ib || ia->id != ib->id)
        why.push_back("IKE SAs " + (ia ? std::to_string(ia->id) : std::string("none")) + " and " +
                      (ib ? std::to_string(ib->id) : std::string("none")));
      if (why.empty()) return std::nullopt;
      return Mismatch{"one shared Child SA pair, nothing in flight", join(why, "; ")};
    });
  }
};

}  // namespace

std::vector<const ChildSa*> by_age(const Peer& p) {
  std::vector<const ChildSa*> v;
  for (const auto& c : p.child_sas()) v.push_back(&c);
  std::stable_sort(v.begin(), v.end(), [](const ChildSa* x, const ChildSa* y) {
    return x->installed_at < y->installed_at;
  });
  return v;
}

std::vector<Check> parse_checks(const YAML::Node& node, const std::string& file,
                                const std::string& field, std::vector<std::string>* ladder,
                                bool* has_ladder) {
  Parser p{file, field, {}};
  p.require_map(node, field, "a mapping of expectations like {child_sas: {a: [\"3/4\"]}}");
  for (const auto& kv : node) {
    const std::string k = kv.first.Scalar();
    const std::string f = field + "." + k;
    const YAML::Node& v = kv.second;
    if (k == "child_sas") {
      p.child_sas(v, f);
    } else if (k == "sending_on") {
      p.sending_on(v, f);
    } else if (k == "accepts" || k == "rejects") {
      p.accepts(v, f, k == "accepts");
    } else if (k == "ike_sa") {
      p.ike_sa(v, f);
    } else if (k == "ike_sas") {
      p.ike_sas(v, f);
    } else if (k == "in_flight") {
      p.in_flight(v, f);
    } else if (k == "message") {
      p.message(v, f);
    } else if (k == "messages") {
      p.messages(v, f, ladder, has_ladder);
    } else if (k == "events") {
      p.events(v, f);
    } else if (k == "records") {
      p.records(v, f);
    } else if (k == "timers") {
      p.timers(v, f);
    } else if (k == "outcomes") {
      p.outcomes(v, f);
    } else if (k == "log") {
      p.log(v, f);
    } else if (k == "time") {
      p.time(v, f);
    } else if (k == "agree") {
      p.agree(v, f);
    } else {
      p.unknown_key(kv.first, f, kExpectKeys);
    }
  }
  return std::move(p.out);
}

}  // namespace rekeysim::cases
