// Routes for the bundled browser client (ours; not part of the Asobi API): GET/HEAD `/` serves
// index.html and `/web/<path>` every other loaded file, from memory (static_files.h).
#pragma once

#include <memory>

#include "game/http_api.h"
#include "server/static_files.h"

namespace asobi {

/// Answers `call` with `file`: its content type, `cache-control: no-cache`, an `etag` (a
/// matching `if-none-match` gets 304) and, for HTML, a `content-security-policy` limiting the
/// page to its own origin. Any shard; `file` must outlive the call.
void ServeStaticFile(const StaticFile& file, HttpCall& call);

/// Adds one GET route per loaded file (`/web/<path>`) and `/` for `index.html` when present,
/// answered by ServeStaticFile. Files under `console/` are left out: the operator console is
/// served only at /console, and only when enabled (console_routes.h). Call before the server
/// starts; `files` is shared by every shard.
void RegisterStaticRoutes(HttpApi& api, std::shared_ptr<const StaticFiles> files);

class ServerShared;
/// Loads `--static-dir` (default: the bundled web client, DefaultStaticDir()) and registers its
/// routes. Returns false (after logging) only when an explicitly configured directory cannot
/// be loaded; a missing default directory just logs a warning. Start-up only (blocking reads).
bool RegisterWebClient(ServerShared& shared);

}  // namespace asobi
