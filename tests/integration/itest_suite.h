// Set-up helpers every domain integration suite repeats: a game dir of Lua files in a
// temporary directory, starting the server and waiting for /ready, registering a player and
// parsing a JSON body.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "http_client.h"
#include "json_doc.h"
#include "server_harness.h"

namespace asobi::itest {

/// Creates a directory from the mkdtemp template `tmpl` (ends in XXXXXX) and writes each
/// {file name, content} pair into it; returns its path. Test-thread only.
std::string MakeGameDir(const std::string& tmpl,
                        const std::vector<std::pair<std::string, std::string>>& files);

/// One text replacement in a copied game file: in `file` (relative to the game dir) the first
/// `from` becomes `to`.
struct GameFileEdit {
  std::string file, from, to;
};

/// Copies the bundled game dir ($ASOBI_SOURCE_ROOT/lua) into a new directory from the mkdtemp
/// template `tmpl` and applies `edits` to the copy; returns its path. A missing source root, a
/// failed copy or an edit whose `from` is not in the file is a test failure. Test-thread only.
std::string CopyBundledGames(const std::string& tmpl, const std::vector<GameFileEdit>& edits);

/// Removes `dir` and everything in it (the counterpart of MakeGameDir).
void RemoveDir(const std::string& dir);

/// Starts `server` with `options`, then polls GET /ready (up to 200 x 50 ms) until it answers
/// 200. Failure carries the server log.
::testing::AssertionResult StartReady(ServerProcess* server, const ServerOptions& options);

/// POST /api/v1/auth/register of `user` with password "password123" on `port`; returns
/// {player_id, access_token} (empty strings, and a test failure, when it does not answer 200).
std::pair<std::string, std::string> RegisterPlayer(uint16_t port, const std::string& user);

/// `r`'s body parsed; a test failure (with status and body) when it is not valid JSON.
JsonDoc ParseBody(const HttpResponse& r);

}  // namespace asobi::itest
