// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/result.h"

namespace relais::sdk {

std::string_view toString(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::InvalidArgument:
            return "invalid_argument";
        case ErrorCode::NotFound:
            return "not_found";
        case ErrorCode::Conflict:
            return "conflict";
        case ErrorCode::Unauthorized:
            return "unauthorized";
        case ErrorCode::Forbidden:
            return "forbidden";
        case ErrorCode::TooLarge:
            return "too_large";
        case ErrorCode::Unsupported:
            return "unsupported";
        case ErrorCode::Retryable:
            return "retryable";
        case ErrorCode::Permanent:
            return "permanent";
        case ErrorCode::Unavailable:
            return "unavailable";
        case ErrorCode::Timeout:
            return "timeout";
        case ErrorCode::Internal:
            return "internal";
    }
    return "internal";
}

bool isTransient(ErrorCode code) noexcept {
    return code == ErrorCode::Retryable || code == ErrorCode::Unavailable ||
           code == ErrorCode::Timeout;
}

}  // namespace relais::sdk
