// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "relais/sdk/visibility.h"

/// @file
/// `Result<T>`: the value-or-error type used on every request path, in the core and across
/// the plugin boundary (GCC 12 has no `std::expected` in C++20 mode). Exceptions are kept
/// for start-up and configuration errors; nothing that comes from outside the process turns
/// into an exception that escapes a request.

namespace relais::sdk {

/// What kind of failure an `Error` reports. The core maps it to an HTTP status, a retry
/// decision or a log level; plugins pick the one that tells the core what to do next.
enum class ErrorCode {
    InvalidArgument,  ///< the input is malformed or breaks a rule; do not retry as is (400)
    NotFound,         ///< the thing asked for does not exist (404)
    Conflict,         ///< the request clashes with the current state (409)
    Unauthorized,     ///< no or bad credentials (401)
    Forbidden,        ///< credentials fine, right missing (403)
    TooLarge,         ///< a size limit was hit (413)
    Unsupported,      ///< the operation is not implemented by this component (501)
    Retryable,        ///< a remote party failed in a way that may pass later (502/503/429)
    Permanent,        ///< a remote party refused for good; retrying will not help (502)
    Unavailable,      ///< a remote party or resource could not be reached (503)
    Timeout,          ///< a remote party did not answer in time (504)
    Internal,         ///< a bug or an unexpected state on our side (500)
};

/// Stable lower-case name of an error code (`invalid_argument`, `retryable`…).
RELAIS_SDK_API std::string_view toString(ErrorCode code) noexcept;

/// True for the codes after which trying the same thing again later may succeed.
RELAIS_SDK_API bool isTransient(ErrorCode code) noexcept;

/// A failure: a code, a message for humans (never containing a secret) and, when the
/// failure is about one input field, its name or path (e.g. `enfants[1].date_naissance`).
struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    std::string field;

    /// Seconds the caller should wait before retrying (0: no advice). Used for 429/503.
    int retry_after_seconds = 0;
};

/// Builds an `Error`. Convenience for `return fail(ErrorCode::NotFound, "…");`.
inline Error fail(ErrorCode code, std::string message, std::string field = {}) {
    return Error{code, std::move(message), std::move(field), 0};
}

/// Holds either a `T` or an `Error`. Copyable and movable when `T` is. Accessing the value
/// of an error result (or the error of a value result) is a programming error and aborts
/// through `std::get`'s `bad_variant_access`.
template <typename T>
class [[nodiscard]] Result {
public:
    using ValueType = T;

    Result(T value)
        : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(Error error)
        : data_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const noexcept { return data_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(data_); }
    const T& value() const& { return std::get<0>(data_); }
    T&& value() && { return std::get<0>(std::move(data_)); }

    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(data_); }
    Error&& error() && { return std::get<1>(std::move(data_)); }

    /// The value, or `fallback` when this holds an error.
    T valueOr(T fallback) const& { return ok() ? value() : std::move(fallback); }

private:
    std::variant<T, Error> data_;
};

/// `Result<void>`: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error)
        : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }

private:
    Error error_;
    bool ok_ = true;
};

/// The success value of `Result<void>`: `return ok();`.
inline Result<void> ok() { return {}; }

}  // namespace relais::sdk
