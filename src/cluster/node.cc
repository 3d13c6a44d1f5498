#include "cluster/node.h"

#include <atomic>

namespace asobi::cluster {
namespace {

std::atomic<ClusterNode*> g_this_node{nullptr};

}  // namespace

ClusterNode* ThisNode() { return g_this_node.load(std::memory_order_acquire); }

void SetThisNode(ClusterNode* node) { g_this_node.store(node, std::memory_order_release); }

}  // namespace asobi::cluster
