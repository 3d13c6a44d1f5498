#include "bench_stats.h"

namespace asobi::bench {

void Counters::Add(const Counters& o) {
  connected += o.connected;
  failed.connect += o.failed.connect;
  failed.upgrade += o.failed.upgrade;
  failed.auth += o.failed.auth;
  failed.closed += o.failed.closed;
  failed.timeout += o.failed.timeout;
  disconnected += o.disconnected;
  if (o.last_close_code != 0) last_close_code = o.last_close_code;
  scheduled += o.scheduled;
  sent += o.sent;
  replies += o.replies;
  errors += o.errors;
  replies_in_window += o.replies_in_window;
  total_sent += o.total_sent;
  total_replies += o.total_replies;
  total_errors += o.total_errors;
  pushes += o.pushes;
  strays += o.strays;
  if (o.last_reply_ns > last_reply_ns) last_reply_ns = o.last_reply_ns;
}

}  // namespace asobi::bench
