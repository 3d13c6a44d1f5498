#include "server/static_routes.h"

#include <string>

#include "base/log.h"
#include "server/server_shard.h"

namespace asobi {
namespace {

constexpr const char* kHtmlPolicy =
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

}  // namespace

void ServeStaticFile(const StaticFile& file, HttpCall& call) {
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

void RegisterStaticRoutes(HttpApi& api, std::shared_ptr<const StaticFiles> files) {
  for (const std::string& path : files->Paths()) {
    const StaticFile* file = files->Find(path);
    if (file == nullptr || path.rfind("console/", 0) == 0) continue;
    // `files` is kept alive by every handler that points into it.
    api.Add("GET", "/web/" + path, [files, file](HttpCall& call) { ServeStaticFile(*file, call); });
  }
  if (const StaticFile* index = files->Find("index.html")) {
    api.Add("GET", "/", [files, index](HttpCall& call) { ServeStaticFile(*index, call); });
  }
}

bool RegisterWebClient(ServerShared& shared) {
  bool explicit_dir = !shared.config.static_dir.empty();
  std::string dir = explicit_dir ? shared.config.static_dir : DefaultStaticDir();
  auto files = StaticFiles::Load(dir);
  if (!files.ok()) {
    if (explicit_dir) {
      LOG_ERROR("cannot load --static-dir").KV("error", files.error().message);
      return false;
    }
    LOG_WARN("web client not served").KV("error", files.error().message);
    return true;
  }
  LOG_INFO("web client loaded").KV("dir", dir).KV("files", int64_t(files.value()->size()));
  RegisterStaticRoutes(shared.http_api, files.value());
  return true;
}

}  // namespace asobi
