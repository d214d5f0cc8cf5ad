// A move-only callable `void()` with small-buffer storage, used for event
// handlers. Captures up to kInlineSize bytes live inside the Handler itself, so
// scheduling a typical lambda (a few pointers and ids) never allocates; larger
// callables fall back to one heap allocation. std::function is avoided because
// it requires copyability and its inline buffer is only ~16 bytes in libstdc++.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace sim {

class Handler {
 public:
  static constexpr std::size_t kInlineSize = 48;
  // 8, not alignof(max_align_t) = 16: keeps a Handler at 56 bytes so a
  // scheduler slot (handler + generation) fills exactly one 64-byte cache
  // line. Over-aligned callables (long double, __int128 captures) go to the heap.
  static constexpr std::size_t kInlineAlign = alignof(void*);

  Handler() noexcept = default;
  Handler(std::nullptr_t) noexcept {}

  template <
      typename F, typename D = std::decay_t<F>,
      typename = std::enable_if_t<!std::is_same_v<D, Handler> && std::is_invocable_r_v<void, D&>>>
  Handler(F&& f) {  // NOLINT(google-explicit-constructor): lambdas convert implicitly
    construct<D>(std::forward<F>(f));
  }

  // Replaces the callable, constructing the new one in place (no temporary
  // Handler, no extra move). If the constructor throws, *this is empty.
  template <
      typename F, typename D = std::decay_t<F>,
      typename = std::enable_if_t<!std::is_same_v<D, Handler> && std::is_invocable_r_v<void, D&>>>
  void emplace(F&& f) {
    reset();
    construct<D>(std::forward<F>(f));
  }

  Handler(Handler&& o) noexcept : ops_(o.ops_) {
    if (ops_) {
      ops_->move(buf_, o.buf_);
      o.ops_ = nullptr;
    }
  }
  Handler& operator=(Handler&& o) noexcept {
    if (this != &o) {
      reset();
      if (o.ops_) {
        ops_ = o.ops_;
        ops_->move(buf_, o.buf_);
        o.ops_ = nullptr;
      }
    }
    return *this;
  }
  Handler(const Handler&) = delete;
  Handler& operator=(const Handler&) = delete;
  ~Handler() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }
  // Precondition: not empty.
  void operator()() { ops_->invoke(buf_); }
  void reset() noexcept {
    if (ops_) {
      // Trivially destructible inline callables (most lambdas capturing
      // pointers and ids) have no destroy function: no indirect call.
      if (ops_->destroy) ops_->destroy(buf_);
      ops_ = nullptr;
    }
  }
  // True when the callable lives in the inline buffer (no heap allocation).
  bool is_inline() const noexcept { return ops_ && ops_->inline_storage; }

  template <typename D>
  static constexpr bool fits_inline() {
    return sizeof(D) <= kInlineSize && alignof(D) <= kInlineAlign &&
           std::is_nothrow_move_constructible_v<D>;
  }

 private:
  template <typename D, typename F>
  void construct(F&& f) {
    if constexpr (fits_inline<D>()) {
      ::new (static_cast<void*>(buf_)) D(std::forward<F>(f));
      ops_ = &kInlineOps<D>;
    } else {
      D* p = new D(std::forward<F>(f));
      ::new (static_cast<void*>(buf_)) D*(p);
      ops_ = &kHeapOps<D>;
    }
  }

  struct Ops {
    void (*invoke)(void* self);
    // Move-constructs into dst from src and destroys src's callable.
    void (*move)(void* dst, void* src) noexcept;
    void (*destroy)(void* self) noexcept;  // nullptr: nothing to do
    bool inline_storage;
  };

  template <typename D>
  static constexpr Ops kInlineOps{
      [](void* self) { (*std::launder(static_cast<D*>(self)))(); },
      [](void* dst, void* src) noexcept {
        D* s = std::launder(static_cast<D*>(src));
        ::new (dst) D(std::move(*s));
        s->~D();
      },
      std::is_trivially_destructible_v<D>
          ? nullptr
          : +[](void* self) noexcept { std::launder(static_cast<D*>(self))->~D(); },
      true,
  };
  template <typename D>
  static constexpr Ops kHeapOps{
      [](void* self) { (**static_cast<D**>(self))(); },
      [](void* dst, void* src) noexcept {
        *static_cast<D**>(dst) = *static_cast<D**>(src);
        *static_cast<D**>(src) = nullptr;
      },
      [](void* self) noexcept { delete *static_cast<D**>(self); },
      false,
  };

  alignas(kInlineAlign) unsigned char buf_[kInlineSize];
  const Ops* ops_ = nullptr;
};

}  // namespace sim
