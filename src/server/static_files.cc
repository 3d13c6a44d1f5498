#include "server/static_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#ifndef ASOBI_WEB_DIR
#define ASOBI_WEB_DIR "web"
#endif

namespace asobi {
namespace {

struct LoadState {
  size_t total_bytes = 0;
  std::string error;
};

// FNV-1a 64 over the bytes, for the etag.
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

bool ReadWhole(int dirfd, const char* name, size_t size, std::string* out) {
  int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  out->resize(size);
  size_t got = 0;
  while (got < size) {
    ssize_t n = read(fd, out->data() + got, size - got);
    if (n <= 0) break;
    got += size_t(n);
  }
  close(fd);
  out->resize(got);
  return got == size;
}

}  // namespace

std::string DefaultStaticDir() { return ASOBI_WEB_DIR; }

std::string_view StaticFiles::ContentTypeFor(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return {};
  std::string_view ext = name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "wasm") return "application/wasm";
  return {};
}

bool StaticFiles::IsPlainRelativePath(std::string_view p) {
  if (p.empty() || p.front() == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    std::string_view seg =
        p.substr(start, slash == std::string_view::npos ? p.npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (unsigned char c : seg) {
      if (c < 0x20 || c == 0x7f || c == '\\' || c == '%') return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

const StaticFile* StaticFiles::Find(std::string_view relative_path) const {
  if (!IsPlainRelativePath(relative_path)) return nullptr;
  auto it = files_.find(relative_path);
  return it == files_.end() ? nullptr : &it->second;
}

std::vector<std::string> StaticFiles::Paths() const {
  std::vector<std::string> out;
  for (const auto& [path, file] : files_) out.push_back(path);
  return out;
}

namespace {

// Loads the files of directory `dirfd` (relative prefix `prefix`) into `files`.
bool LoadDir(int dirfd, const std::string& prefix, int depth,
             std::map<std::string, StaticFile, std::less<>>* files, LoadState* st) {
  DIR* d = fdopendir(dirfd);
  if (d == nullptr) {
    close(dirfd);
    st->error = "cannot read directory " + prefix;
    return false;
  }
  bool ok = true;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    struct stat sb;
    if (fstatat(dirfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) continue;
    std::string rel = prefix.empty() ? name : prefix + "/" + name;
    if (S_ISDIR(sb.st_mode)) {
      if (depth + 1 >= StaticFiles::kDepthMax) continue;
      int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (sub < 0) {
        st->error = "cannot open directory " + rel;
        ok = false;
        break;
      }
      if (!LoadDir(sub, rel, depth + 1, files, st)) {
        ok = false;
        break;
      }
      continue;
    }
    std::string_view type = StaticFiles::ContentTypeFor(name);
    if (!S_ISREG(sb.st_mode) || type.empty() || !StaticFiles::IsPlainRelativePath(rel)) continue;
    size_t size = size_t(sb.st_size);
    st->total_bytes += size;
    if (size > StaticFiles::kFileBytesMax || st->total_bytes > StaticFiles::kTotalBytesMax ||
        files->size() >= StaticFiles::kFilesMax) {
      st->error = "static files exceed the size or count bounds at " + rel;
      ok = false;
      break;
    }
    StaticFile f;
    f.content_type = std::string(type);
    if (!ReadWhole(dirfd, e->d_name, size, &f.body)) {
      st->error = "cannot read " + rel;
      ok = false;
      break;
    }
    char tag[48];
    std::snprintf(tag, sizeof(tag), "\"%zx-%016llx\"", f.body.size(),
                  static_cast<unsigned long long>(Fnv1a(f.body)));
    f.etag = tag;
    files->emplace(std::move(rel), std::move(f));
  }
  closedir(d);
  return ok;
}

}  // namespace

Result<std::shared_ptr<const StaticFiles>> StaticFiles::Load(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return MakeError("bad_static_dir", "cannot open static dir " + dir);
  auto files = std::make_shared<StaticFiles>();
  LoadState st;
  if (!LoadDir(fd, "", 0, &files->files_, &st)) {
    return MakeError("bad_static_dir", st.error + " (in " + dir + ")");
  }
  return std::shared_ptr<const StaticFiles>(std::move(files));
}

}  // namespace asobi
