#include "http_client.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>

namespace asobi::itest {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return int(std::max<int64_t>(left.count(), 1));
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

int HttpResponse::HeaderCount(std::string_view name) const {
  return int(std::count_if(headers.begin(), headers.end(),
                           [&](const auto& kv) { return kv.first == name; }));
}

bool ParseResponseHead(std::string_view head, HttpResponse* out) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  out->version = std::string(line.substr(0, sp1));
  std::string_view rest = line.substr(sp1 + 1);
  size_t sp2 = rest.find(' ');
  std::string code(rest.substr(0, sp2));
  if (code.size() != 3 || !std::all_of(code.begin(), code.end(), ::isdigit)) return false;
  out->status = std::atoi(code.c_str());
  out->reason = sp2 == std::string_view::npos ? "" : std::string(rest.substr(sp2 + 1));
  out->headers.clear();
  while (eol != std::string_view::npos) {
    size_t start = eol + 2;
    eol = head.find("\r\n", start);
    std::string_view h = head.substr(start, eol == std::string_view::npos ? eol : eol - start);
    if (h.empty()) continue;
    size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    out->headers.emplace_back(Lower(h.substr(0, colon)), Trim(h.substr(colon + 1)));
  }
  return true;
}

bool HttpClient::Connect(uint16_t port, int rcvbuf_bytes) {
  buf_.clear();
  return socket_.Connect(port, rcvbuf_bytes);
}

RecvStatus HttpClient::Fill(int timeout_ms) {
  RecvStatus st = socket_.RecvSome(&buf_, timeout_ms);
  if (st == RecvStatus::kTimeout) error_ = "timeout";
  if (st == RecvStatus::kEof) error_ = "eof";
  if (st == RecvStatus::kError) error_ = "reset";
  return st;
}

std::optional<HttpResponse> HttpClient::ReadResponse(bool head_request, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t head_end;
  while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (Fill(RemainingMs(deadline)) != RecvStatus::kData) return std::nullopt;
  }
  HttpResponse resp;
  if (!ParseResponseHead(std::string_view(buf_).substr(0, head_end), &resp)) {
    error_ = "malformed: " + buf_.substr(0, head_end);
    return std::nullopt;
  }
  size_t body_start = head_end + 4;
  bool no_body = head_request || resp.status < 200 || resp.status == 204 || resp.status == 304;
  std::optional<std::string> cl = resp.Header("content-length");
  if (no_body) {
    buf_.erase(0, body_start);
    return resp;
  }
  if (cl) {
    size_t len = std::strtoull(cl->c_str(), nullptr, 10);
    while (buf_.size() < body_start + len) {
      if (Fill(RemainingMs(deadline)) != RecvStatus::kData) return std::nullopt;
    }
    resp.body = buf_.substr(body_start, len);
    buf_.erase(0, body_start + len);
    return resp;
  }
  // No content-length: the body runs until the server closes.
  for (;;) {
    RecvStatus st = Fill(RemainingMs(deadline));
    if (st == RecvStatus::kEof) break;
    if (st != RecvStatus::kData) return std::nullopt;
  }
  resp.body = buf_.substr(body_start);
  buf_.clear();
  return resp;
}

std::optional<HttpResponse> HttpClient::Get(std::string_view path, std::string_view extra_headers) {
  std::string req = "GET " + std::string(path) + " HTTP/1.1\r\nHost: localhost\r\n" +
                    std::string(extra_headers) + "\r\n";
  if (!SendRaw(req)) {
    error_ = "send failed";
    return std::nullopt;
  }
  return ReadResponse();
}

bool HttpClient::WaitForClose(int timeout_ms) {
  if (!buf_.empty()) return false;
  RecvStatus st = Fill(timeout_ms);
  return st == RecvStatus::kEof || st == RecvStatus::kError;
}

}  // namespace asobi::itest
