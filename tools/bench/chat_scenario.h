// `asobi-bench chat`: the chat numbers of issue 11 (bench/README.md "Issue 11: chat numbers").
#pragma once

namespace asobi::bench {

/// Runs the chat scenario with argv[1..] as its flags (argv[0] is "chat"). Returns the exit
/// status: 0 when every socket got ready and every window message reached every recipient.
int RunChatScenario(int argc, char** argv);

}  // namespace asobi::bench
