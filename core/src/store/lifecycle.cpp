// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/store/lifecycle.h"

#include <algorithm>
#include <string>

#include "relais/sdk/time.h"

namespace relais::store {

namespace {

bool allDigits(std::string_view text) noexcept {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view withoutLeadingZeros(std::string_view digits) noexcept {
    while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
    return digits;
}

int sign(int value) noexcept { return (value > 0) - (value < 0); }

}  // namespace

sdk::Result<void> checkTransition(sdk::Status from, sdk::Status to, TransitionAuthority authority) {
    if (from == to || sdk::canTransition(from, to)) return sdk::ok();
    if (authority == TransitionAuthority::Operator && sdk::isFinal(from) && sdk::isFinal(to)) {
        return sdk::ok();
    }
    std::string why = sdk::isFinal(from) ? "a final status can only be reopened to 'in_review'"
                                         : "the lifecycle has no such transition";
    return sdk::fail(sdk::ErrorCode::Conflict,
                     "cannot go from '" + std::string(sdk::toString(from)) + "' to '" +
                         std::string(sdk::toString(to)) + "': " + why,
                     "status");
}

int compareSourceVersions(std::string_view a, std::string_view b) noexcept {
    if (allDigits(a) && allDigits(b)) {
        const std::string_view x = withoutLeadingZeros(a);
        const std::string_view y = withoutLeadingZeros(b);
        if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
        return sign(x.compare(y));
    }
    const auto ta = sdk::Timestamp::parse(a);
    const auto tb = sdk::Timestamp::parse(b);
    if (ta && tb) {
        if (ta->micros != tb->micros) return ta->micros < tb->micros ? -1 : 1;
        return 0;
    }
    return sign(a.compare(b));
}

}  // namespace relais::store
