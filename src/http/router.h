// Method + path router for the REST API (rest.md §1.1). No regex: patterns are split into
// segments once, at Add time, and matched against a segment trie.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asobi::http {

/// Most `:binding` segments one pattern may have.
inline constexpr size_t kRouteParamsMax = 8;

/// Outcome of Router::Match (rest.md §1.3 for the 404/405 envelopes).
enum class RouteStatus {
  kFound,             ///< route_id and params are set.
  kNotFound,          ///< no pattern matches the path → 404 `not_found`.
  kMethodNotAllowed,  ///< a pattern matches the path, not with this method → 405.
};

/// Result of Router::Match. Param names point into the Router, values into the `path`
/// passed to Match: both must outlive the RouteMatch.
struct RouteMatch {
  RouteStatus status = RouteStatus::kNotFound;
  int route_id = -1;  ///< kFound only: the id given to Router::Add.
  size_t param_count = 0;
  std::array<std::pair<std::string_view, std::string_view>, kRouteParamsMax> params{};
  /// kMethodNotAllowed only: methods the matched path accepts, "GET, PUT" (for `allow`).
  std::string allow;

  /// Value bound to `:name` (raw, not URL-decoded), or "" if the route has no such binding.
  std::string_view Param(std::string_view name) const {
    for (size_t i = 0; i < param_count; ++i) {
      if (params[i].first == name) return params[i].second;
    }
    return {};
  }
};

/// Routes (method, path) to integer route ids. Build once at start-up with Add, then Match
/// from any number of threads (Match is const and allocation-free except for 405's `allow`).
///
/// Rules (rest.md §1.1): segments are separated by '/'; empty segments are ignored, so `//`
/// and a trailing `/` collapse ("/a//b/" matches "/a/b"). Paths are matched raw, never
/// URL-decoded. A pattern segment `:name` binds one non-empty path segment. Literal segments
/// beat `:binding` siblings; when the literal branch cannot complete the match the binding
/// branch is tried (so "/matches/live/votes" still reaches "/matches/:id/votes"). Among the
/// patterns that match the path, in that priority order, the first one registered for the
/// method wins; if none is, the result is kMethodNotAllowed. Methods are case-sensitive and
/// HEAD is not mapped to GET (the caller decides).
class Router {
 public:
  /// Registers `pattern` (must start with '/', e.g. "/api/v1/players/:id") for `method`.
  /// Adding the same method and segment shape twice, more than kRouteParamsMax bindings or
  /// an empty binding name is a programming error (CHECK).
  void Add(std::string_view method, std::string_view pattern, int route_id);

  /// Looks up `path` (no query string) for `method`.
  RouteMatch Match(std::string_view method, std::string_view path) const;

 private:
  static constexpr uint32_t kNoNode = UINT32_MAX;

  struct Route {
    std::string method;
    int id = -1;
    std::vector<std::string> param_names;  // in path order
  };
  struct Node {
    std::vector<std::pair<std::string, uint32_t>> literals;  // segment → child node
    uint32_t binding = kNoNode;                              // the `:name` child, if any
    std::vector<Route> routes;                               // patterns ending here
  };
  struct Walk;

  uint32_t ChildFor(uint32_t node, std::string_view segment);
  bool Visit(uint32_t node, std::string_view rest, size_t bound, Walk* walk) const;

  std::vector<Node> nodes_{Node{}};  // nodes_[0] is the root
};

}  // namespace asobi::http
