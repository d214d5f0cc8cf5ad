#include "tools/cases/names.hpp"

#include <array>
#include <utility>

namespace rekeysim::cases {

namespace {

using models::ikev2::TimerKind;

// worker_pickup (behaviour.worker_race_window) and processing_done
// (behaviour.processing_delay) belong to the peer's message handling; a case
// fires them to replay a chosen processing order, as `rekeysim explore` does.
constexpr std::array<std::pair<std::string_view, TimerKind>, 15> kTimers = {{
    {"child_soft_expire", TimerKind::kChildSoftExpire},
    {"child_hard_expire", TimerKind::kChildHardExpire},
    {"ike_soft_expire", TimerKind::kIkeSoftExpire},
    {"ike_hard_expire", TimerKind::kIkeHardExpire},
    {"retransmit", TimerKind::kRetransmit},
    {"retry_rekey", TimerKind::kRetryRekey},
    {"delete_old_sa", TimerKind::kDeleteOldSa},
    {"destroy_inbound", TimerKind::kDestroyInbound},
    {"redundant_ike_timeout", TimerKind::kRedundantIkeTimeout},
    {"ike_forced_delete", TimerKind::kIkeForcedDelete},
    {"reestablish", TimerKind::kReestablish},
    {"reauth", TimerKind::kReauth},
    {"duplicate_ike_delete", TimerKind::kDuplicateIkeDelete},
    {"worker_pickup", TimerKind::kWorkerPickup},
    {"processing_done", TimerKind::kProcessingDone},
}};

bool digits(std::string_view s) {
  if (s.empty() || s[0] == '0') return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

bool valid_message_name(std::string_view name) {
  if (name.size() < 3 || (name[0] != 'a' && name[0] != 'b') || name[1] != '.') return false;
  std::string_view rest = name.substr(2);
  bool known = false;
  for (std::string_view ex : {"IKE_SA_INIT.", "IKE_AUTH.", "CREATE_CHILD_SA.", "INFORMATIONAL."}) {
    if (rest.starts_with(ex)) {
      rest.remove_prefix(ex.size());
      known = true;
      break;
    }
  }
  if (!known) return false;
  if (rest.starts_with("req#"))
    rest.remove_prefix(4);
  else if (rest.starts_with("resp#"))
    rest.remove_prefix(5);
  else
    return false;
  const std::size_t dot = rest.find('.');
  if (!digits(rest.substr(0, dot))) return false;
  rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot);
  while (!rest.empty()) {
    rest.remove_prefix(1);  // '.'
    std::string_view tag;
    if (rest.starts_with("retransmit"))
      tag = "retransmit";
    else if (rest.starts_with("dup"))
      tag = "dup";
    else
      return false;
    rest.remove_prefix(tag.size());
    const std::size_t next = rest.find('.');
    if (!digits(rest.substr(0, next))) return false;
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next);
  }
  return true;
}

const std::vector<std::string>& timer_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& [n, k] : kTimers) v.emplace_back(n);
    return v;
  }();
  return names;
}

std::optional<TimerKind> timer_from_name(std::string_view name) {
  for (const auto& [n, k] : kTimers)
    if (n == name) return k;
  return std::nullopt;
}

std::string_view timer_name(TimerKind kind) {
  for (const auto& [n, k] : kTimers)
    if (k == kind) return n;
  return "processing_done";
}

bool is_child_timer(TimerKind kind) {
  return kind == TimerKind::kChildSoftExpire || kind == TimerKind::kChildHardExpire ||
         kind == TimerKind::kRetryRekey || kind == TimerKind::kDeleteOldSa ||
         kind == TimerKind::kDestroyInbound;
}

const std::vector<std::string>& trace_kind_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (int k = 0; k <= static_cast<int>(models::TraceKind::kTunnelUp); ++k)
      v.emplace_back(to_string(static_cast<models::TraceKind>(k)));
    return v;
  }();
  return names;
}

std::optional<models::TraceKind> trace_kind_from_name(std::string_view name) {
  const auto& names = trace_kind_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<models::TraceKind>(i);
  return std::nullopt;
}

std::string_view state_name(models::ikev2::ChildSaState s) {
  using models::ikev2::ChildSaState;
  switch (s) {
    case ChildSaState::kInstalled:
      return "installed";
    case ChildSaState::kRekeying:
      return "rekeying";
    case ChildSaState::kRekeyed:
      return "rekeyed";
    case ChildSaState::kDeleting:
      return "deleting";
    case ChildSaState::kDeleted:
      return "deleted";
  }
  return "?";
}

std::string_view outbound_name(models::ikev2::OutboundState s) {
  using models::ikev2::OutboundState;
  switch (s) {
    case OutboundState::kNone:
      return "none";
    case OutboundState::kRegistered:
      return "registered";
    case OutboundState::kInstalled:
      return "installed";
  }
  return "?";
}

std::string_view role_name(models::ikev2::SaRole r) {
  return r == models::ikev2::SaRole::kInitiator ? "initiator" : "responder";
}

}  // namespace rekeysim::cases
