#include "game/auth/auth_posture.h"

namespace asobi {

RegistrationPosture ParseRegistrationPosture(std::string_view value) {
  if (value == "oauth_only") return RegistrationPosture::kOauthOnly;
  if (value == "closed") return RegistrationPosture::kClosed;
  return RegistrationPosture::kOpen;
}

RegistrationPosture AuthPosture::Registration() const {
  if (!operator_registration.empty()) return ParseRegistrationPosture(operator_registration);
  if (game) return ParseRegistrationPosture(game().registration);
  return RegistrationPosture::kOpen;
}

bool AuthPosture::GuestAuthDeclared() const {
  if (game) {
    if (std::optional<bool> declared = game().guest_auth) return *declared;
  }
  return operator_guest_auth;
}

}  // namespace asobi
