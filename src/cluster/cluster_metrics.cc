#include <string>

#include "cluster/node.h"

namespace asobi::cluster {
namespace {

void Line(std::string* out, const char* name, const char* type, const char* help, uint64_t v) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
  *out += name;
  *out += ' ';
  *out += std::to_string(v);
  *out += '\n';
}

}  // namespace

void AppendClusterMetrics(ClusterNode& node, std::string* out) {
  BusMetrics& m = node.bus->metrics();
  auto r = std::memory_order_relaxed;
  Line(out, "asobi_cluster_connected", "gauge", "1 while the cluster bus is connected to NATS.",
       node.bus->connected() ? 1 : 0);
  Line(out, "asobi_cluster_peers", "gauge", "Live peer nodes (announced within 3 s).",
       node.membership->PeerCount());
  Line(out, "asobi_cluster_published_total", "counter", "Messages handed to NATS.",
       m.published.load(r));
  Line(out, "asobi_cluster_publish_queue_full_total", "counter",
       "Messages dropped: the bus's publish queue was full.", m.publish_queue_full.load(r));
  Line(out, "asobi_cluster_publish_too_large_total", "counter",
       "Messages refused: larger than the NATS server's max_payload.", m.publish_too_large.load(r));
  Line(out, "asobi_cluster_publish_failed_total", "counter",
       "Messages NATS refused (reconnect buffer full or connection closed).",
       m.publish_failed.load(r));
  Line(out, "asobi_cluster_received_total", "counter", "Messages delivered to a shard.",
       m.received.load(r));
  Line(out, "asobi_cluster_inbox_full_total", "counter",
       "Incoming messages dropped: a shard's bus inbox was full.", m.inbox_full.load(r));
  Line(out, "asobi_cluster_refused_total", "counter",
       "Incoming messages refused: wrong shape or unknown sender node.", m.refused.load(r));
  Line(out, "asobi_cluster_disconnects_total", "counter", "Losses of the NATS connection.",
       m.disconnects.load(r));
  Line(out, "asobi_cluster_reconnects_total", "counter", "Reconnections to NATS.",
       m.reconnects.load(r));
}

}  // namespace asobi::cluster
