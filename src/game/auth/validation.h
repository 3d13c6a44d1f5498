// Input rules for accounts (rest.md §2.5, §3.2).
#pragma once

#include <string>
#include <string_view>

namespace asobi {

/// Username: 3-32 characters of [a-zA-Z0-9_-]. Returns the kura-style message or "" when ok.
std::string_view UsernameProblem(std::string_view username);
/// Password: 8-128 characters (UTF-8 code points). Message or "".
std::string_view PasswordProblem(std::string_view password);
/// Display name: at most 64 characters, valid UTF-8. Message or "".
std::string_view DisplayNameProblem(std::string_view display_name);

}  // namespace asobi
