// Error reasons of IAP verification (rest.md §1.3 codes). A failed verification carries the
// detail (the response's details.reason) in Error::message.
#pragma once

namespace asobi::iap {

inline constexpr const char* kVerificationFailed = "iap.verification_failed";
inline constexpr const char* kMissingTransactionId = "iap.missing_transaction_id";

}  // namespace asobi::iap
