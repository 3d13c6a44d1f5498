// AuthPosture: who may create an account (rest.md §2.6 registration posture) and whether guest
// sign-in is declared (§2.7), combining the operator's flags with the game's config.lua globals
// (`registration`, `guest_auth`). The game's values are read at each check, so a hot reload of
// config.lua applies to the next request. Node-wide, immutable after start; any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace asobi {

/// rest.md §2.6: `open` (default), `oauth_only` or `closed`.
enum class RegistrationPosture { kOpen, kOauthOnly, kClosed };

/// "open" | "oauth_only" | "closed"; anything else is kOpen (rest.md §2.6: unknown → open).
RegistrationPosture ParseRegistrationPosture(std::string_view value);

/// The auth globals of the game's config.lua as currently loaded (modes::ModeSet).
struct GameAuthSettings {
  std::optional<bool> guest_auth;  // `guest_auth`, when declared as a boolean
  std::string registration;        // `registration` ("" when absent or invalid)
};

struct AuthPosture {
  /// `--registration` / ASOBI_REGISTRATION: wins over the game's `registration` when set
  /// (rest.md §2.6); "" = the game decides.
  std::string operator_registration;
  /// `--guest-auth` / ASOBI_GUEST_AUTH: stands in for the game's `guest_auth` global when
  /// config.lua does not declare one (a game directory without a manifest).
  bool operator_guest_auth = false;
  /// The game's current settings; null when the server runs without a game directory.
  std::function<GameAuthSettings()> game;

  /// The effective posture: the operator's value, else the game's, else open.
  RegistrationPosture Registration() const;
  /// Whether guest sign-in is declared: the game's `guest_auth` when it is a boolean, else
  /// `operator_guest_auth`. Guest sign-in also needs the operator's pepper (GuestAuth).
  bool GuestAuthDeclared() const;
};

}  // namespace asobi
