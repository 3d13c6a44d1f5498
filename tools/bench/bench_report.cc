#include "bench_report.h"

#include <unistd.h>

#include <algorithm>
#include <set>

namespace asobi::bench {
namespace {

uint64_t Sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

// `s` as a JSON string literal (control bytes escaped as \u00XX).
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    unsigned char b = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (b < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", b);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace

Derived Derive(const Report& r) {
  Derived d;
  const Options& o = *r.opts;
  d.measured = o.mode == Mode::kBlast ? r.c.total_replies : r.c.replies_in_window;
  if (r.window_s > 0) d.msg_per_s = double(d.measured) / r.window_s;
  uint64_t asked = o.mode == Mode::kOpen ? r.c.scheduled : r.c.sent;
  d.unanswered = Sub(asked, r.c.replies + r.c.errors);
  if (r.cpu_wall_s > 0) {
    d.server_cpu_pct = double(r.server_cpu_us) / (r.cpu_wall_s * 1e4);
    d.client_cpu_pct = double(r.client_user_us + r.client_sys_us) / (r.cpu_wall_s * 1e4);
  }
  if (d.measured > 0) {
    d.server_us_per_msg = double(r.server_cpu_us) / double(d.measured);
    d.client_us_per_msg = double(r.client_user_us + r.client_sys_us) / double(d.measured);
  }
  d.client_cores = o.threads;
  if (!o.cpus.empty()) {
    std::set<int> distinct(o.cpus.begin(), o.cpus.end());
    d.client_cores = std::min<int>(o.threads, int(distinct.size()));
  }
  d.client_saturated = d.client_cpu_pct >= 90.0 * d.client_cores;
  return d;
}

void PrintHuman(const Report& r, std::FILE* out) {
  const Options& o = *r.opts;
  Derived d = Derive(r);
  const Counters& c = r.c;
  std::fprintf(out, "asobi-bench %s: %d connections, %d thread(s), %s\n", ModeName(o.mode),
               o.connections, o.threads,
               o.token_file.empty() ? "unauthenticated" : "authenticated");
  if (o.mode == Mode::kRtt) std::fprintf(out, "  depth %d", o.depth);
  if (o.mode == Mode::kBlast) std::fprintf(out, "  count %llu", (unsigned long long)o.count);
  if (o.mode == Mode::kOpen) std::fprintf(out, "  offered %.0f msg/s", o.rate);
  std::fprintf(out, "  warmup %.1f s  window %.2f s%s\n", o.mode == Mode::kBlast ? 0 : o.warmup_s,
               r.window_s, r.aborted ? "  (ABORTED: global deadline)" : "");
  std::fprintf(out,
               "connections: %llu connected, %llu failed (connect %llu, upgrade %llu, auth %llu, "
               "closed %llu, timeout %llu) in %.2f s; %llu dropped during the run\n",
               (unsigned long long)c.connected, (unsigned long long)c.failed.total(),
               (unsigned long long)c.failed.connect, (unsigned long long)c.failed.upgrade,
               (unsigned long long)c.failed.auth, (unsigned long long)c.failed.closed,
               (unsigned long long)c.failed.timeout, r.connect_s,
               (unsigned long long)c.disconnected);
  if (c.last_close_code != 0)
    std::fprintf(out, "  last close code from server: %u\n", c.last_close_code);
  if (o.mode == Mode::kOpen) std::fprintf(out, "scheduled %llu  ", (unsigned long long)c.scheduled);
  std::fprintf(
      out, "sent %llu  replies %llu  errors %llu  unanswered %llu  (pushes %llu, strays %llu)\n",
      (unsigned long long)c.sent, (unsigned long long)c.replies, (unsigned long long)c.errors,
      (unsigned long long)d.unanswered, (unsigned long long)c.pushes, (unsigned long long)c.strays);
  if (!r.first_error.empty()) std::fprintf(out, "  first error frame: %s\n", r.first_error.c_str());
  std::fprintf(out, "throughput: %.0f msg/s\n", d.msg_per_s);
  const Histogram& h = *r.latency_us;
  std::fprintf(out, "latency µs%s: p50 %llu  p90 %llu  p99 %llu  p99.9 %llu  max %llu  (n=%llu)\n",
               o.mode == Mode::kOpen ? " (from scheduled send)" : "",
               (unsigned long long)h.Percentile(50), (unsigned long long)h.Percentile(90),
               (unsigned long long)h.Percentile(99), (unsigned long long)h.Percentile(99.9),
               (unsigned long long)h.max(), (unsigned long long)h.count());
  if (o.mode == Mode::kOpen) {
    const Histogram& g = *r.send_lag_us;
    std::fprintf(out, "send lag µs (client behind schedule): p50 %llu  p99 %llu  max %llu\n",
                 (unsigned long long)g.Percentile(50), (unsigned long long)g.Percentile(99),
                 (unsigned long long)g.max());
  }
  if (r.server_cpu_ok) {
    std::fprintf(out, "server: pid %d  cpu %.2f s (%.1f%%)  %.2f µs/msg\n", o.server_pid,
                 double(r.server_cpu_us) / 1e6, d.server_cpu_pct, d.server_us_per_msg);
  }
  std::fprintf(out, "client: cpu user %.2f s sys %.2f s (%.1f%%)  %.2f µs/msg%s\n",
               double(r.client_user_us) / 1e6, double(r.client_sys_us) / 1e6, d.client_cpu_pct,
               d.client_us_per_msg,
               d.client_saturated ? "  CLIENT SATURATED: figures describe the client" : "");
  std::fprintf(out, "machine: load average %.2f at window start, %.2f at end (%ld cores online)\n",
               r.loadavg_before, r.loadavg_after, sysconf(_SC_NPROCESSORS_ONLN));
  std::fprintf(out, "run-queue wait (CPU taken by other work): client %.0f ms",
               r.client_wait_us / 1e3);
  if (r.server_wait_ok) std::fprintf(out, ", server %.0f ms", r.server_wait_us / 1e3);
  std::fprintf(out, " over the %.2f s window\n", r.cpu_wall_s);
}

void PrintJson(const Report& r, std::FILE* out) {
  const Options& o = *r.opts;
  Derived d = Derive(r);
  const Counters& c = r.c;
  const Histogram& h = *r.latency_us;
  const Histogram& g = *r.send_lag_us;
  auto u = [](uint64_t v) { return (unsigned long long)v; };
  std::fprintf(out, "{\"mode\":\"%s\",\"connections\":%d,\"threads\":%d,\"authenticated\":%s,",
               ModeName(o.mode), o.connections, o.threads, o.token_file.empty() ? "false" : "true");
  std::fprintf(out,
               "\"depth\":%d,\"count\":%llu,\"rate\":%.3f,\"duration_s\":%.3f,\"warmup_s\":%.3f,",
               o.depth, u(o.count), o.rate, o.duration_s, o.warmup_s);
  std::fprintf(out,
               "\"connected\":%llu,\"failed\":%llu,\"failed_detail\":{\"connect\":%llu,\"upgrade\":"
               "%llu,\"auth\":%llu,\"closed\":%llu,\"timeout\":%llu},\"disconnected\":%llu,"
               "\"last_close_code\":%u,\"connect_s\":%.3f,",
               u(c.connected), u(c.failed.total()), u(c.failed.connect), u(c.failed.upgrade),
               u(c.failed.auth), u(c.failed.closed), u(c.failed.timeout), u(c.disconnected),
               c.last_close_code, r.connect_s);
  std::fprintf(out,
               "\"scheduled\":%llu,\"sent\":%llu,\"replies\":%llu,\"errors\":%llu,\"unanswered\":"
               "%llu,\"pushes\":%llu,\"strays\":%llu,\"total_sent\":%llu,\"total_replies\":%llu,",
               u(c.scheduled), u(c.sent), u(c.replies), u(c.errors), u(d.unanswered), u(c.pushes),
               u(c.strays), u(c.total_sent), u(c.total_replies));
  std::fprintf(out, "\"first_error\":%s,",
               r.first_error.empty() ? "null" : JsonString(r.first_error).c_str());
  std::fprintf(out, "\"window_s\":%.3f,\"msg_per_s\":%.1f,", r.window_s, d.msg_per_s);
  std::fprintf(out,
               "\"latency_us\":{\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu,"
               "\"count\":%llu},",
               u(h.Percentile(50)), u(h.Percentile(90)), u(h.Percentile(99)), u(h.Percentile(99.9)),
               u(h.max()), u(h.count()));
  std::fprintf(out, "\"send_lag_us\":{\"p50\":%llu,\"p99\":%llu,\"max\":%llu},",
               u(g.Percentile(50)), u(g.Percentile(99)), u(g.max()));
  if (r.server_cpu_ok) {
    std::fprintf(out,
                 "\"server\":{\"pid\":%d,\"cpu_s\":%.3f,\"cpu_pct\":%.1f,\"cpu_us_per_msg\":%.3f,"
                 "\"runqueue_wait_ms\":%.1f},",
                 o.server_pid, double(r.server_cpu_us) / 1e6, d.server_cpu_pct, d.server_us_per_msg,
                 r.server_wait_us / 1e3);
  } else {
    std::fprintf(out, "\"server\":null,");
  }
  std::fprintf(out,
               "\"client\":{\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,\"cpu_pct\":%.1f,"
               "\"cpu_us_per_msg\":%.3f,\"saturated\":%s,\"runqueue_wait_ms\":%.1f},"
               "\"loadavg\":[%.2f,%.2f],"
               "\"aborted\":%s}\n",
               double(r.client_user_us) / 1e6, double(r.client_sys_us) / 1e6, d.client_cpu_pct,
               d.client_us_per_msg, d.client_saturated ? "true" : "false", r.client_wait_us / 1e3,
               r.loadavg_before, r.loadavg_after, r.aborted ? "true" : "false");
}

}  // namespace asobi::bench
