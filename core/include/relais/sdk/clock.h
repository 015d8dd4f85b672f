// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>

#include "relais/sdk/time.h"
#include "relais/sdk/visibility.h"

namespace relais::sdk {

/// Time source. Plugins use it instead of the system clock so that tests can move time.
/// Lifetime: owned by the host. Thread-safe.
class RELAIS_SDK_API Clock {
public:
    virtual ~Clock();
    /// Wall-clock now, UTC.
    virtual Timestamp now() const noexcept = 0;
    /// Monotonic microseconds, for measuring durations.
    virtual std::int64_t monotonicMicros() const noexcept = 0;
};

}  // namespace relais::sdk
