// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/subjects/validity.h"

#include <chrono>

#include "relais/config/config.h"

namespace relais::subjects {
namespace {

using std::chrono::year_month_day;

constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

year_month_day dateOf(std::int64_t micros) {
    return year_month_day{std::chrono::sys_days{std::chrono::days{
        micros >= 0 ? micros / kMicrosPerDay : (micros - kMicrosPerDay + 1) / kMicrosPerDay}}};
}

std::int64_t microsOf(year_month_day date) {
    return std::chrono::sys_days{date}.time_since_epoch().count() * kMicrosPerDay;
}

}  // namespace

std::int64_t validUntil(const config::AttributeKindConfig& kind, std::int64_t verified_at) {
    using namespace std::chrono;
    if (kind.validity == "month") {
        const year_month_day day = dateOf(verified_at);
        const year_month next = year_month{day.year(), day.month()} + months{1};
        return microsOf(next / 1);
    }
    if (kind.validity == "school-year") {
        const year_month_day day = dateOf(verified_at);
        const year end = day.month() >= September ? day.year() + years{1} : day.year();
        return microsOf(end / September / 1);
    }
    if (kind.validity == "duration") return verified_at + kind.validity_ms * 1000;
    return 0;
}

std::int64_t earlierLimit(std::int64_t a, std::int64_t b) noexcept {
    if (a == 0) return b;
    if (b == 0) return a;
    return a < b ? a : b;
}

}  // namespace relais::subjects
