// ClusterNode: what a node that joined a cluster owns (issue 16): its bus and its view of the
// live node set. Created by server/ when `--cluster-nats` is set; otherwise none exists and
// ThisNode() is null (single-node paths check it and are unchanged). Node-wide; outlives the
// shards.
#pragma once

#include <memory>
#include <string>

#include "cluster/bus.h"
#include "cluster/membership.h"

namespace asobi::cluster {

struct ClusterNode {
  /// Builds the bus and membership (nothing connects before bus->Start).
  ClusterNode(BusOptions bus_options, MembershipOptions membership_options)
      : bus(std::make_unique<Bus>(std::move(bus_options))),
        membership(std::make_unique<Membership>(*bus, std::move(membership_options))) {}

  /// Subject of node `node_id`'s inbox of directed messages (`<prefix>.node.<id>`).
  std::string NodeSubject(std::string_view node_id) const {
    return bus->prefix() + ".node." + std::string(node_id);
  }
  /// Subject every node listens on for cluster-wide broadcasts of `kind` (`<prefix>.all.<kind>`).
  std::string BroadcastSubject(std::string_view kind) const {
    return bus->prefix() + ".all." + std::string(kind);
  }

  std::unique_ptr<Bus> bus;
  std::unique_ptr<Membership> membership;
};

/// The node's ClusterNode, or null when clustering is off. Any thread (one acquire load).
ClusterNode* ThisNode();
/// Publishes `node` as ThisNode(): server/ on the main thread, before the shards start; null
/// after they stopped. `node` must stay alive while published.
void SetThisNode(ClusterNode* node);

/// Appends the asobi_cluster_* Prometheus lines (bus counters, connected gauge, live peers) to
/// `out`. Any thread (atomics and the membership mutex).
void AppendClusterMetrics(ClusterNode& node, std::string* out);

}  // namespace asobi::cluster
