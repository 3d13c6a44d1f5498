// Command-line flags of the epoll client scenarios (`asobi-bench chat`, `matchmaking`,
// `arena`): `--name value` / `--name=value` values and the flags every one of them takes.
// Main thread only, before the client threads start.
#pragma once

#include <cstdint>
#include <string>

namespace asobi::bench {

/// Reads argv[*i] as flag `name`: `name=value`, or `name value` (then *i moves past the value).
/// Returns false, leaving *i as it was, when argv[*i] is another flag or `name` lacks a value.
bool Flag(int argc, char** argv, int* i, const char* name, std::string* out);

/// Flags shared by the client scenarios.
struct ClientFlags {
  std::string* host;  // --host H
  uint16_t* port;     // --port P
  bool* json;         // --json
  bool* help;         // --help, -h
};

/// Handles argv[*i] when it is one of `f`'s flags (storing its value); false otherwise.
bool CommonClientFlag(int argc, char** argv, int* i, const ClientFlags& f);

}  // namespace asobi::bench
