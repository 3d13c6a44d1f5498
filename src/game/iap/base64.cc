#include "game/iap/base64.h"

#include <sodium.h>

namespace asobi::iap {
namespace {

std::optional<std::string> Decode(std::string_view in, int variant) {
  std::string out(in.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), nullptr, &len, &end, variant) != 0 ||
      end != in.data() + in.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

}  // namespace

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  return Decode(in, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<std::string> Base64Decode(std::string_view in) {
  return Decode(in, sodium_base64_VARIANT_ORIGINAL);
}

std::string Base64UrlEncode(std::string_view in) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(in.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()),
                    in.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

}  // namespace asobi::iap
