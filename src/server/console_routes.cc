#include "server/console_routes.h"

#include <string>
#include <string_view>

#include "base/log.h"
#include "game/rest_util.h"
#include "server/server_shard.h"
#include "server/static_routes.h"

namespace asobi {

std::string DefaultConsoleDir() { return DefaultStaticDir() + "/console"; }

void RegisterConsoleRoutes(HttpApi& api, bool enabled, std::shared_ptr<const StaticFiles> files) {
  if (!enabled) {
    auto off = [](HttpCall& call) { RespondError(call, "console.not_found"); };
    api.Add("GET", "/console", off);
    api.Add("GET", "/console/assets/:file", off);
    return;
  }
  const StaticFile* index = files ? files->Find("index.html") : nullptr;
  if (index == nullptr) {
    auto not_built = [](HttpCall& call) { RespondError(call, "console.not_built"); };
    api.Add("GET", "/console", not_built);
    api.Add("GET", "/console/assets/:file", not_built);
    return;
  }
  // `files` is kept alive by the handlers that point into it.
  api.Add("GET", "/console", [files, index](HttpCall& call) { ServeStaticFile(*index, call); });
  api.Add("GET", "/console/assets/:file", [files](HttpCall& call) {
    std::string_view name = call.route.Param("file");
    const StaticFile* file = name.find('/') == std::string_view::npos ? files->Find(name) : nullptr;
    if (file == nullptr || name == "index.html") {
      RespondError(call, "console.not_found");
      return;
    }
    ServeStaticFile(*file, call);
  });
}

void RegisterConsolePage(ServerShared& shared) {
  if (!shared.config.console) {
    RegisterConsoleRoutes(shared.http_api, false, nullptr);
    return;
  }
  std::string dir = DefaultConsoleDir();
  auto files = StaticFiles::Load(dir);
  if (!files.ok()) {
    LOG_ERROR("console enabled but not built").KV("error", files.error().message);
    RegisterConsoleRoutes(shared.http_api, true, nullptr);
    return;
  }
  LOG_INFO("console served").KV("dir", dir).KV("files", int64_t(files.value()->size()));
  RegisterConsoleRoutes(shared.http_api, true, files.value());
}

}  // namespace asobi
