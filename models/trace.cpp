#include "models/trace.hpp"

namespace models {

std::string_view to_string(TraceKind k) {
  switch (k) {
    case TraceKind::kMessageSent:
      return "message_sent";
    case TraceKind::kMessageReceived:
      return "message_received";
    case TraceKind::kMessageLost:
      return "message_lost";
    case TraceKind::kRetransmit:
      return "retransmit";
    case TraceKind::kRekeyStarted:
      return "rekey_started";
    case TraceKind::kChildSaInstalled:
      return "child_sa_installed";
    case TraceKind::kOutboundSwitched:
      return "outbound_switched";
    case TraceKind::kInboundRemoved:
      return "inbound_removed";
    case TraceKind::kOutboundRemoved:
      return "outbound_removed";
    case TraceKind::kChildSaDeleted:
      return "child_sa_deleted";
    case TraceKind::kRekeyCompleted:
      return "rekey_completed";
    case TraceKind::kCollisionDetected:
      return "collision_detected";
    case TraceKind::kCollisionResolved:
      return "collision_resolved";
    case TraceKind::kDeleteForUnknownSpi:
      return "delete_for_unknown_spi";
    case TraceKind::kRekeyForUnknownSpi:
      return "rekey_for_unknown_spi";
    case TraceKind::kNotifyReceived:
      return "notify_received";
    case TraceKind::kRetryScheduled:
      return "retry_scheduled";
    case TraceKind::kHardExpired:
      return "hard_expired";
    case TraceKind::kEspDropped:
      return "esp_dropped";
    case TraceKind::kIkeSaRekeyed:
      return "ike_sa_rekeyed";
    case TraceKind::kIkeSaDeleted:
      return "ike_sa_deleted";
    case TraceKind::kTunnelDown:
      return "tunnel_down";
    case TraceKind::kTunnelUp:
      return "tunnel_up";
    case TraceKind::kEspNoSa:
      return "esp_no_sa";
    case TraceKind::kEspCleartext:
      return "esp_cleartext";
    case TraceKind::kEspLinkDown:
      return "esp_link_down";
  }
  return "unknown";
}

std::string_view to_string(ExchangeType e) {
  switch (e) {
    case ExchangeType::kIkeSaInit:
      return "IKE_SA_INIT";
    case ExchangeType::kIkeAuth:
      return "IKE_AUTH";
    case ExchangeType::kCreateChildSa:
      return "CREATE_CHILD_SA";
    case ExchangeType::kInformational:
      return "INFORMATIONAL";
  }
  return "UNKNOWN";
}

std::string_view to_string(NotifyType n) {
  switch (n) {
    case NotifyType::kNone:
      return "";
    case NotifyType::kNoProposalChosen:
      return "NO_PROPOSAL_CHOSEN";
    case NotifyType::kInvalidKePayload:
      return "INVALID_KE_PAYLOAD";
    case NotifyType::kNoAdditionalSas:
      return "NO_ADDITIONAL_SAS";
    case NotifyType::kTemporaryFailure:
      return "TEMPORARY_FAILURE";
    case NotifyType::kChildSaNotFound:
      return "CHILD_SA_NOT_FOUND";
    case NotifyType::kRekeySa:
      return "REKEY_SA";
  }
  return "UNKNOWN_NOTIFY";
}

std::string_view to_string(CollisionKind c) {
  switch (c) {
    case CollisionKind::kNone:
      return "none";
    case CollisionKind::kSimultaneousChildRekey:
      return "simultaneous_child_rekey";
    case CollisionKind::kSimultaneousIkeRekey:
      return "simultaneous_ike_rekey";
    case CollisionKind::kRekeyVsDelete:
      return "rekey_vs_delete";
    case CollisionKind::kChildVsIkeRekey:
      return "child_vs_ike_rekey";
    case CollisionKind::kCrossingDelete:
      return "crossing_delete";
    case CollisionKind::kDeleteVsIkeRekey:
      return "delete_vs_ike_rekey";
  }
  return "unknown";
}

}  // namespace models
