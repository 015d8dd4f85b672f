// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>

namespace relais::config {
struct AttributeKindConfig;
}

/// @file
/// How long a verified attribute value stays valid, from its kind in the catalogue.

namespace relais::subjects {

/// The instant (unix micros) until which a value of `kind` verified at `verified_at` is
/// valid; 0 when the kind's validity is `none`. `month`: the first instant of the next
/// calendar month; `school-year`: 1 September after the verification (the school year
/// ends on 31 August); `duration`: `verified_at` plus the duration. Calendar boundaries
/// are taken in UTC: at worst a value stays valid one or two hours longer or shorter than
/// at midnight in Paris, which no decision in this field depends on.
std::int64_t validUntil(const config::AttributeKindConfig& kind, std::int64_t verified_at);

/// The earlier of two limits, where 0 means "no limit".
std::int64_t earlierLimit(std::int64_t a, std::int64_t b) noexcept;

}  // namespace relais::subjects
