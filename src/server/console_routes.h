// Routes of the operator console page (rest.md §3.14, issue 15): `GET /console` serves the
// console's index.html and `GET /console/assets/:file` its other files (web/console/), from
// memory like the web client (static_files.h). The console's API calls go to the ops routes
// (src/game/ops/) with the console session cookie and `x-csrf-token`.
#pragma once

#include <memory>
#include <string>

#include "game/http_api.h"
#include "server/static_files.h"

namespace asobi {

/// The bundled console directory (web/console in the source tree).
std::string DefaultConsoleDir();

/// Adds GET `/console` and GET `/console/assets/:file`. With `enabled` false both answer 404
/// `console.not_found` (rest.md §3.14: off unless `--console`). Enabled with `files` null (the
/// directory could not be loaded) or without an index.html they answer 503
/// `console.not_built`. An asset that is not a loaded plain file name (no `/`, see
/// StaticFiles::Find) answers 404 `console.not_found`. Call before the server starts; `files`
/// is shared by every shard.
void RegisterConsoleRoutes(HttpApi& api, bool enabled, std::shared_ptr<const StaticFiles> files);

class ServerShared;
/// Reads `--console` and, when on, loads DefaultConsoleDir() (a load failure is logged and the
/// routes answer 503), then registers the routes. Start-up only (blocking reads).
void RegisterConsolePage(ServerShared& shared);

}  // namespace asobi
