// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "relais/sdk/attribute.h"
#include "relais/sdk/result.h"
#include "relais/store/store.h"

/// @file
/// `AttributeVault`: verified attribute values in clear on one side, sealed in the store on
/// the other. Nothing else in relais reads or writes the `attributes` table.

namespace relais::subjects {

class KeyRing;

/// A value as kept, in clear.
struct KeptValue {
    sdk::Attribute attribute;
    std::int64_t retain_until = 0;  ///< unix micros; 0: no limit
    bool current = false;
    std::int64_t recorded_at = 0;
};

/// Threading: every method may be called concurrently. `store` and `keys` must outlive the
/// vault.
class AttributeVault {
public:
    AttributeVault(store::Store& store, const subjects::KeyRing& keys);

    /// The values in force for `subject_id` among `names` (all when empty). A value that
    /// does not open (altered bytes, moved to another row, unknown key) is an `Internal`
    /// error naming the attribute, never served.
    sdk::Result<std::vector<sdk::Attribute>> current(const std::string& subject_id,
                                                     const std::vector<std::string>& names = {});

    /// Seals and records `values` (arbitrated by level and verification time, see
    /// `Store::recordAttributes`). `retain_until` applies to every value (0: no limit).
    sdk::Result<std::vector<store::AttributeOutcome>> record(
        const std::string& subject_id, const std::vector<sdk::Attribute>& values,
        std::int64_t retain_until, std::int64_t now);

    /// Every value kept for `subject_id`, current and past, oldest first (for an export).
    sdk::Result<std::vector<KeptValue>> history(const std::string& subject_id);

private:
    sdk::Result<sdk::Attribute> open(const store::StoredAttribute& stored) const;

    store::Store& store_;
    const subjects::KeyRing& keys_;
};

}  // namespace relais::subjects
