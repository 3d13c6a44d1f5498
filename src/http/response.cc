// Response serialization; see response.h.
#include "http/response.h"

#include <charconv>
#include <ctime>

#include "base/check.h"

namespace asobi::http {
namespace {

constexpr std::string_view kSecurityHeaders =
    "x-content-type-options: nosniff\r\n"
    "x-frame-options: DENY\r\n"
    "x-xss-protection: 0\r\n"
    "referrer-policy: strict-origin-when-cross-origin\r\n"
    "permissions-policy: camera=(), microphone=(), geolocation=()\r\n"
    "strict-transport-security: max-age=31536000; includeSubDomains\r\n";

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

void AppendHeader(std::string_view name, std::string_view value, std::string* out) {
  out->append(name);
  out->append(": ");
  out->append(value);
  out->append("\r\n");
}

void AppendNumber(uint64_t n, std::string* out) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof(buf), n);
  out->append(buf, static_cast<size_t>(result.ptr - buf));
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

void SerializeResponse(const HttpResponse& response, const ResponseOptions& opts,
                       std::string* out) {
  int status = response.status;
  DCHECK(status >= 100 && status <= 999);
  if (status < 100 || status > 999) status = 500;
  const bool no_body = status < 200 || status == 204 || status == 304;
  out->reserve(out->size() + 512 + response.body.size());
  out->append("HTTP/1.1 ");
  AppendNumber(static_cast<uint64_t>(status), out);
  out->push_back(' ');
  out->append(ReasonPhrase(status));
  out->append("\r\n");
  if (!no_body && !response.body.empty() && !response.content_type.empty()) {
    AppendHeader("content-type", response.content_type, out);
  }
  if (!no_body) {
    out->append("content-length: ");
    AppendNumber(response.body.size(), out);
    out->append("\r\n");
  }
  out->append(opts.keep_alive ? "connection: keep-alive\r\n" : "connection: close\r\n");
  if (!opts.date.empty()) AppendHeader("date", opts.date, out);
  if (!opts.cors_origin.empty()) {
    AppendHeader("access-control-allow-origin", opts.cors_origin, out);
    out->append("access-control-allow-headers: *\r\naccess-control-allow-methods: *\r\n");
  }
  out->append(kSecurityHeaders);
  for (const auto& [name, value] : response.extra_headers) {
    const bool bad = name.empty() || HasCrLf(name) || HasCrLf(value);
    DCHECK(!bad);
    if (!bad) AppendHeader(name, value, out);
  }
  out->append("\r\n");
  if (!no_body && !opts.head_request) out->append(response.body);
}

void FormatHttpDate(int64_t unix_s, std::string* out) {
  static constexpr char kDays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto t = static_cast<time_t>(unix_s);
  struct tm tm;
  gmtime_r(&t, &tm);
  const auto two = [out](int v) {
    out->push_back(static_cast<char>('0' + v / 10 % 10));
    out->push_back(static_cast<char>('0' + v % 10));
  };
  out->append(kDays[tm.tm_wday], 3);
  out->append(", ");
  two(tm.tm_mday);
  out->push_back(' ');
  out->append(kMonths[tm.tm_mon], 3);
  out->push_back(' ');
  const int year = tm.tm_year + 1900;
  two(year / 100);
  two(year % 100);
  out->push_back(' ');
  two(tm.tm_hour);
  out->push_back(':');
  two(tm.tm_min);
  out->push_back(':');
  two(tm.tm_sec);
  out->append(" GMT");
}

}  // namespace asobi::http
