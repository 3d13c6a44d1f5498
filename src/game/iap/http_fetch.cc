#include "game/iap/http_fetch.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace asobi::iap {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  std::string body;
  bool too_large = false;
};

size_t Write(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t bytes = size * n;
  if (sink->body.size() + bytes > kMaxFetchBodyBytes) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->body.append(data, bytes);
  return bytes;
}

}  // namespace

Result<FetchReply> HttpFetch(const FetchRequest& req) {
  GlobalInit();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return MakeError("fetch_failed", "curl_easy_init failed");
  curl_slist* headers = nullptr;
  for (const std::string& h : req.headers) headers = curl_slist_append(headers, h.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          &curl_slist_free_all);
  Sink sink;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(req.timeout_ms));
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  if (req.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, long(req.body.size()));
  }
  CURLcode rc = curl_easy_perform(c);
  if (sink.too_large) return MakeError("response_too_large", "provider response over 1 MiB");
  if (rc != CURLE_OK) return MakeError("fetch_failed", curl_easy_strerror(rc));
  FetchReply reply;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  reply.body = std::move(sink.body);
  return reply;
}

std::string UrlEscape(const std::string& s) {
  GlobalInit();
  char* e = curl_easy_escape(nullptr, s.data(), int(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

}  // namespace asobi::iap
