#include "game/rpc/rpc_service.h"

#include <utility>

namespace asobi::rpc {
namespace {
thread_local RpcService* t_service = nullptr;
}  // namespace

RpcService* RpcService::OnThisShard() { return t_service; }
void RpcService::SetForThisShard(RpcService* s) { t_service = s; }

void RpcService::Call(std::string_view method, const std::string& player_id, JsonValue params,
                      RpcDone done) {
  if (modes_ != nullptr) {
    std::shared_ptr<const modes::ModeSet> set = modes_->Current();
    runtime_.Sync(modes_->sources().Current(), set->rpc_script);
  }
  runtime_.Call(method, player_id, params, std::move(done));
}

}  // namespace asobi::rpc
