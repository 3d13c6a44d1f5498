// One completion object per io_uring operation (ARCHITECTURE.md example 7): the SQE's
// user_data is the Completion pointer; the reactor calls OnComplete for every CQE.
#pragma once

#include <cstdint>

namespace asobi {

/// Receives the CQEs of one in-flight io_uring operation. Owned by whoever submitted the
/// operation; it must stay alive until its last CQE (for multishot ops: a CQE without
/// IORING_CQE_F_MORE). Called on the owning reactor's thread only.
class Completion {
 public:
  virtual ~Completion() = default;
  /// `res` is the CQE result (negative errno on failure), `flags` the CQE flags.
  virtual void OnComplete(int32_t res, uint32_t flags) = 0;
};

/// Adapter: a Completion that calls a member function; handy for objects with several ops.
template <typename T, void (T::*Method)(int32_t, uint32_t)>
class MemberCompletion final : public Completion {
 public:
  /// `owner` must outlive every operation submitted with this completion.
  explicit MemberCompletion(T* owner) : owner_(owner) {}
  /// Completion: forwards the CQE to `owner->Method`.
  void OnComplete(int32_t res, uint32_t flags) override { (owner_->*Method)(res, flags); }

 private:
  T* owner_;
};

}  // namespace asobi
