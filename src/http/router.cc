// Segment-trie router; see router.h for the matching rules.
#include "http/router.h"

#include "base/check.h"

namespace asobi::http {
namespace {

// Pops the next non-empty segment off `*rest`; returns false when none is left.
bool NextSegment(std::string_view* rest, std::string_view* segment) {
  size_t start = 0;
  while (start < rest->size() && (*rest)[start] == '/') ++start;
  if (start == rest->size()) return false;
  size_t end = rest->find('/', start);
  if (end == std::string_view::npos) end = rest->size();
  *segment = rest->substr(start, end - start);
  rest->remove_prefix(end);
  return true;
}

}  // namespace

/// State of one Match call while the trie is searched.
struct Router::Walk {
  std::string_view method;
  std::array<std::string_view, kRouteParamsMax> values{};
  const Route* found = nullptr;
  uint32_t first_path_node = kNoNode;  // first node in priority order matching the path
};

uint32_t Router::ChildFor(uint32_t node, std::string_view segment) {
  if (segment.front() == ':') {
    if (nodes_[node].binding == kNoNode) {
      nodes_[node].binding = static_cast<uint32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    return nodes_[node].binding;
  }
  for (const auto& [literal, child] : nodes_[node].literals) {
    if (literal == segment) return child;
  }
  const auto child = static_cast<uint32_t>(nodes_.size());
  nodes_[node].literals.emplace_back(std::string(segment), child);
  nodes_.emplace_back();
  return child;
}

void Router::Add(std::string_view method, std::string_view pattern, int route_id) {
  CHECK(!pattern.empty() && pattern.front() == '/');
  CHECK(!method.empty());
  Route route{std::string(method), route_id, {}};
  uint32_t node = 0;
  std::string_view rest = pattern;
  std::string_view segment;
  while (NextSegment(&rest, &segment)) {
    if (segment.front() == ':') {
      CHECK(segment.size() > 1);
      CHECK(route.param_names.size() < kRouteParamsMax);
      route.param_names.emplace_back(segment.substr(1));
    }
    node = ChildFor(node, segment);
  }
  for (const Route& existing : nodes_[node].routes) CHECK(existing.method != method);
  nodes_[node].routes.push_back(std::move(route));
}

// Depth-first search, literal child before binding child. Returns true once a route for the
// method is found; `bound` is the number of binding values collected so far.
bool Router::Visit(uint32_t node_index, std::string_view rest, size_t bound, Walk* walk) const {
  const Node& node = nodes_[node_index];
  std::string_view segment;
  if (!NextSegment(&rest, &segment)) {
    if (node.routes.empty()) return false;
    for (const Route& route : node.routes) {
      if (route.method == walk->method) {
        walk->found = &route;
        return true;
      }
    }
    if (walk->first_path_node == kNoNode) walk->first_path_node = node_index;
    return false;
  }
  for (const auto& [literal, child] : node.literals) {
    if (literal == segment) {
      if (Visit(child, rest, bound, walk)) return true;
      break;
    }
  }
  if (node.binding != kNoNode && bound < kRouteParamsMax) {
    walk->values[bound] = segment;
    if (Visit(node.binding, rest, bound + 1, walk)) return true;
  }
  return false;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch match;
  Walk walk;
  walk.method = method;
  if (Visit(0, path, 0, &walk)) {
    match.status = RouteStatus::kFound;
    match.route_id = walk.found->id;
    match.param_count = walk.found->param_names.size();
    for (size_t i = 0; i < match.param_count; ++i) {
      match.params[i] = {walk.found->param_names[i], walk.values[i]};
    }
    return match;
  }
  if (walk.first_path_node != kNoNode) {
    match.status = RouteStatus::kMethodNotAllowed;
    for (const Route& route : nodes_[walk.first_path_node].routes) {
      if (!match.allow.empty()) match.allow += ", ";
      match.allow += route.method;
    }
  }
  return match;
}

}  // namespace asobi::http
