// The exchange table, indexed by TaskKind (task.hpp keeps the order).
#include <array>

#include "models/ikev2/exchanges/child_create.hpp"
#include "models/ikev2/exchanges/child_delete.hpp"
#include "models/ikev2/exchanges/child_rekey.hpp"
#include "models/ikev2/exchanges/exchange.hpp"
#include "models/ikev2/exchanges/ike_delete.hpp"
#include "models/ikev2/exchanges/ike_rekey.hpp"
#include "models/ikev2/exchanges/ike_sa_init.hpp"

namespace models::ikev2 {

namespace {
template <typename E>
constexpr Exchange entry() {
  return Exchange{&E::initiate, &E::respond, &E::complete};
}

constexpr std::array<Exchange, 6> kExchanges{
    entry<ChildRekey>(),   // TaskKind::kChildRekey
    entry<ChildCreate>(),  // TaskKind::kChildCreate
    entry<ChildDelete>(),  // TaskKind::kChildDelete
    entry<IkeRekey>(),     // TaskKind::kIkeRekey
    entry<IkeDelete>(),    // TaskKind::kIkeDelete
    entry<IkeSaInit>(),    // TaskKind::kIkeInit
};
static_assert(static_cast<int>(TaskKind::kIkeInit) == 5, "kExchanges follows TaskKind");
}  // namespace

const Exchange& exchange(TaskKind kind) {
  return kExchanges[static_cast<std::size_t>(kind)];
}

std::optional<TaskKind> exchange_of_request(const Message& m) {
  switch (m.exchange) {
    case ExchangeType::kCreateChildSa:
      if (m.sa_protocol == ProtocolId::kIke) return TaskKind::kIkeRekey;
      if (m.notify == NotifyType::kRekeySa) return TaskKind::kChildRekey;
      return TaskKind::kChildCreate;
    case ExchangeType::kInformational:
      if (m.delete_protocol == ProtocolId::kIke) return TaskKind::kIkeDelete;
      return TaskKind::kChildDelete;
    case ExchangeType::kIkeAuth:
      return TaskKind::kIkeInit;
    case ExchangeType::kIkeSaInit:
      break;
  }
  return std::nullopt;
}

}  // namespace models::ikev2
