// SetupCluster: joins the node to a cluster when `--cluster-nats` is set (issue 16): builds the
// ClusterNode (src/cluster), gives every shard its pointer (cluster::ThisNode()), runs the
// membership on shard 0 and adds asobi_cluster_* to /metrics. Without the flag it does nothing
// and the node is the single-node server it always was.
#pragma once

#include "base/result.h"
#include "server/server_shard.h"

namespace asobi {

/// Main thread, after the database setup and before RegisterDomains (domains' shard steps see
/// cluster::ThisNode()). Errors: "bad_flag" (invalid --cluster-node-id or --cluster-prefix).
Status SetupCluster(ServerShared& shared);

}  // namespace asobi
