#include "server/static_routes.h"

#include <string>

namespace asobi {
namespace {

constexpr const char* kHtmlPolicy =
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

void Serve(const StaticFile& file, HttpCall& call) {
  http::HttpResponse r;
  r.extra_headers.push_back({"cache-control", "no-cache"});
  r.extra_headers.push_back({"etag", file.etag});
  if (call.request.Header("if-none-match") == file.etag) {
    r.status = 304;
    call.respond(std::move(r));
    return;
  }
  r.content_type = file.content_type;
  if (file.content_type.rfind("text/html", 0) == 0) {
    r.extra_headers.push_back({"content-security-policy", kHtmlPolicy});
  }
  r.body = file.body;
  call.respond(std::move(r));
}

}  // namespace

void RegisterStaticRoutes(HttpApi& api, std::shared_ptr<const StaticFiles> files) {
  for (const std::string& path : files->Paths()) {
    const StaticFile* file = files->Find(path);
    if (file == nullptr) continue;
    // `files` is kept alive by every handler that points into it.
    api.Add("GET", "/web/" + path, [files, file](HttpCall& call) { Serve(*file, call); });
  }
  if (const StaticFile* index = files->Find("index.html")) {
    api.Add("GET", "/", [files, index](HttpCall& call) { Serve(*index, call); });
  }
}

}  // namespace asobi
