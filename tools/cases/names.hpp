// The names a case uses for what the model calls by enum: timers, SA states,
// roles, message names. One table each, shared by the loader, the checks and
// the ladder, so the words in FORMAT.md are the words everywhere.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/ikev2/peer_port.hpp"
#include "models/ikev2/sa.hpp"
#include "models/trace.hpp"

namespace rekeysim::cases {

inline constexpr std::string_view kMessageNameForm =
    "a message name like a.CREATE_CHILD_SA.req#1, b.INFORMATIONAL.resp#2 or "
    "a.INFORMATIONAL.req#1.retransmit1 (scenarios/cases/FORMAT.md)";

// <a|b>.<EXCHANGE>.<req|resp>#<n>, then any of .retransmit<k> / .dup<k>.
bool valid_message_name(std::string_view name);

const std::vector<std::string>& timer_names();
std::optional<models::ikev2::TimerKind> timer_from_name(std::string_view name);
std::string_view timer_name(models::ikev2::TimerKind kind);
// Timers whose cookie is a Child SA's inbound SPI (the others name an IKE SA).
bool is_child_timer(models::ikev2::TimerKind kind);

const std::vector<std::string>& trace_kind_names();
std::optional<models::TraceKind> trace_kind_from_name(std::string_view name);

std::string_view state_name(models::ikev2::ChildSaState s);
std::string_view outbound_name(models::ikev2::OutboundState s);
std::string_view role_name(models::ikev2::SaRole r);

inline char peer_letter(models::PeerId p) {
  return p == models::PeerId::kA ? 'a' : 'b';
}

}  // namespace rekeysim::cases
