#include "server/cluster_setup.h"

#include <unistd.h>

#include <string>

#include "base/log.h"
#include "game/auth/cluster_auth.h"
#include "reactor/shard.h"

namespace asobi {
namespace {

std::string DefaultNodeId() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::string id;
  for (const char* p = host; *p != '\0'; ++p) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    id += ok ? c : '-';
  }
  if (id.empty()) id = "node";
  return id + "-" + std::to_string(getpid());
}

}  // namespace

Status SetupCluster(ServerShared& shared) {
  const Config& c = shared.config;
  if (c.cluster_nats.empty()) return Ok{};
  cluster::BusOptions bo;
  bo.url = c.cluster_nats;
  bo.user = c.cluster_nats_user;
  bo.password = c.cluster_nats_password;
  bo.token = c.cluster_nats_token;
  bo.node_id = c.cluster_node_id.empty() ? DefaultNodeId() : c.cluster_node_id;
  bo.prefix = c.cluster_prefix;
  if (!cluster::Bus::ValidToken(bo.node_id) || !cluster::Bus::ValidToken(bo.prefix)) {
    return MakeError("bad_flag", "--cluster-node-id and --cluster-prefix: [A-Za-z0-9_-]{1,64}");
  }
  cluster::MembershipOptions mo;
  mo.address = c.host + ":" + std::to_string(c.port);
  ServerShared* s = &shared;
  mo.load = [s]() -> int64_t {
    if (s->shards == nullptr) return 0;
    int64_t n = 0;
    for (int i = 0; i < s->shards->size(); ++i) {
      n += s->shards->shard(i).metrics().ws_sessions.load(std::memory_order_relaxed);
    }
    return n;
  };
  mo.draining = [s] { return s->draining.load(std::memory_order_relaxed); };
  LOG_INFO("cluster enabled").KV("node", bo.node_id).KV("nats", bo.url);
  shared.cluster = std::make_unique<cluster::ClusterNode>(std::move(bo), std::move(mo));
  cluster::ClusterNode* node = shared.cluster.get();
  cluster::SetThisNode(node);  // before the shards start; the process has one server
  shared.metrics_writers.push_back(
      [node](std::string* out) { cluster::AppendClusterMetrics(*node, out); });
  auto previous = shared.init_shard;
  shared.init_shard = [previous, node](ServerShard& shard) {
    if (previous) previous(shard);
    cluster_auth::WireClusterAuth(shard.game);  // after the database setup made the accounts
    if (shard.shard.id() != 0) return;
    node->membership->Start(shard.shard);
    shard.game.AddTeardown([node] { node->membership->Stop(); });
  };
  return Ok{};
}

}  // namespace asobi
