// Invariant assertions. CHECK is always on (release and tests); a failed CHECK is a bug in
// this program, never a reaction to bad input, which is reported through Result instead.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace asobi {

/// Prints `expr` with its location to stderr and aborts. Never returns.
[[noreturn]] inline void CheckFailed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "CHECK failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}

}  // namespace asobi

#define CHECK(cond)                                    \
  do {                                                 \
    if (__builtin_expect(!(cond), 0)) {                \
      ::asobi::CheckFailed(#cond, __FILE__, __LINE__); \
    }                                                  \
  } while (0)

#ifdef NDEBUG
#define DCHECK(cond) \
  do {               \
  } while (0)
#else
#define DCHECK(cond) CHECK(cond)
#endif
