// StaticFiles: the browser client's files (index.html, JS, CSS), read once at start-up into
// memory and served from there, so no request ever reads the disk on a reactor thread
// (ARCHITECTURE.md "Shards": file reads never block a shard). Served at `/` (index.html) and
// `/web/<relative path>` (see static_routes.h).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace asobi {

/// One file held in memory.
struct StaticFile {
  std::string content_type;  ///< from the extension; unknown extensions are not loaded
  std::string body;
  std::string etag;  ///< quoted strong validator (size and content hash)
};

/// Immutable after Load; shared read-only by every shard.
class StaticFiles {
 public:
  /// Bounds on what Load accepts (a directory beyond them is an error, not a partial load).
  static constexpr size_t kFilesMax = 256;
  static constexpr size_t kFileBytesMax = 4u << 20;
  static constexpr size_t kTotalBytesMax = 32u << 20;
  static constexpr int kDepthMax = 4;

  /// Reads every regular file under `dir` whose extension has a known content type (html css
  /// js mjs json svg png ico txt map wasm), up to kDepthMax directory levels. Symbolic links
  /// and names starting with '.' are skipped. Blocking: call at start-up, before the shards
  /// serve. Errors: reason "bad_static_dir" (missing or unreadable directory, or a bound
  /// exceeded) with a message naming the path.
  static Result<std::shared_ptr<const StaticFiles>> Load(const std::string& dir);

  /// The file for a request path relative to the served root, e.g. "app.js" or "css/a.css".
  /// Null when unknown or when the path is not a plain relative path (empty, absolute, a
  /// segment that is empty, "." or "..", a backslash, '%', a control byte or NUL): such paths
  /// can never name a loaded file. Any thread.
  const StaticFile* Find(std::string_view relative_path) const;

  /// Every loaded relative path, sorted (for route registration and tests).
  std::vector<std::string> Paths() const;
  /// Number of loaded files.
  size_t size() const { return files_.size(); }

  /// The content type for a file name's extension, or "" when it is not served.
  static std::string_view ContentTypeFor(std::string_view name);
  /// True when `relative_path` passes the plain-path rules of Find.
  static bool IsPlainRelativePath(std::string_view relative_path);

 private:
  std::map<std::string, StaticFile, std::less<>> files_;
};

/// The bundled web client directory (meson's `web/` in the source tree), the default for
/// --static-dir.
std::string DefaultStaticDir();

}  // namespace asobi
