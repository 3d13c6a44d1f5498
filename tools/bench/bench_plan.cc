#include "bench_plan.h"

#include <netdb.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace asobi::bench {
namespace {

Result<Ok> Resolve(const Options& o, Plan* plan) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(o.port);
  int r = getaddrinfo(o.host.c_str(), port.c_str(), &hints, &res);
  if (r != 0 || res == nullptr) {
    return MakeError("bad_host", o.host + ": " + gai_strerror(r));
  }
  std::memcpy(&plan->addr, res->ai_addr, res->ai_addrlen);
  plan->addr_len = socklen_t(res->ai_addrlen);
  freeaddrinfo(res);
  return Ok{};
}

Result<Ok> LoadTokens(const std::string& path, std::vector<std::string>* tokens) {
  std::ifstream in(path);
  if (!in) return MakeError("bad_token_file", "cannot open " + path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string token;
    if (!(fields >> token) || token[0] == '#') continue;
    for (char ch : token) {
      if (ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20) {
        return MakeError("bad_token_file", "token with a quote, backslash or control byte");
      }
    }
    tokens->push_back(std::move(token));
  }
  if (tokens->empty()) return MakeError("bad_token_file", path + " holds no tokens");
  return Ok{};
}

// Splits the request into the text before and after the cid digits. The template is a JSON
// object; `"cid":"<n>"` becomes its first member.
Result<Ok> BuildMessage(const Options& o, Plan* plan) {
  if (o.message.empty()) {
    plan->msg_prefix = R"({"type":"session.heartbeat","cid":")";
    plan->msg_suffix = R"(","payload":{}})";
    return Ok{};
  }
  if (o.message.find("\"cid\"") != std::string::npos) {
    return MakeError("bad_message", "--message must not contain \"cid\" (the bench adds it)");
  }
  size_t brace = o.message.find('{');
  std::string rest = o.message.substr(brace + 1);
  size_t next = rest.find_first_not_of(" \t\r\n");
  if (next == std::string::npos) return MakeError("bad_message", "unterminated JSON object");
  plan->msg_prefix = R"({"cid":")";
  plan->msg_suffix.assign(rest[next] == '}' ? "\"" : "\",");
  plan->msg_suffix.append(rest, rest[next] == '}' ? next : 0, std::string::npos);
  return Ok{};
}

uint32_t RoundUpPow2(uint64_t v) {
  uint32_t p = 1;
  while (p < v && p < (1u << 16)) p <<= 1;
  return p;
}

}  // namespace

Result<Plan> BuildPlan(const Options& opts) {
  Plan plan;
  plan.opts = opts;
  if (auto r = Resolve(opts, &plan); !r.ok()) return r.error();
  if (!opts.token_file.empty()) {
    if (auto r = LoadTokens(opts.token_file, &plan.tokens); !r.ok()) return r.error();
  }
  if (auto r = BuildMessage(opts, &plan); !r.ok()) return r.error();
  plan.host_header = opts.host + ":" + std::to_string(opts.port);
  if (plan.addr.ss_family == AF_INET6 && opts.host.find(':') != std::string::npos) {
    plan.host_header = "[" + opts.host + "]:" + std::to_string(opts.port);
  }
  plan.upgrade_head = "GET " + opts.path + " HTTP/1.1\r\nHost: " + plan.host_header +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ";
  uint64_t slots = opts.inflight_max;
  if (slots == 0) {
    switch (opts.mode) {
      case Mode::kRtt:
        slots = uint64_t(opts.depth);
        break;
      case Mode::kBlast:
        slots = opts.count < 1024 ? opts.count : 1024;
        break;
      case Mode::kOpen:
        slots = 256;
        break;
    }
  }
  if (opts.mode == Mode::kRtt && slots < uint64_t(opts.depth)) slots = uint64_t(opts.depth);
  plan.inflight_slots = RoundUpPow2(slots);
  return plan;
}

}  // namespace asobi::bench
