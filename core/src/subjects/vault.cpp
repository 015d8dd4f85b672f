// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/subjects/vault.h"

#include <utility>

#include "relais/subjects/attribute_key_ring.h"

namespace relais::subjects {
AttributeVault::AttributeVault(store::Store& store, const subjects::KeyRing& keys)
    : store_(store), keys_(keys) {}

sdk::Result<sdk::Attribute> AttributeVault::open(const store::StoredAttribute& stored) const {
    auto clear = keys_.open(stored.key_id, stored.sealed,
                            subjects::attributeAad(stored.subject_id, stored.name));
    if (!clear) {
        return sdk::fail(sdk::ErrorCode::Internal,
                         "attribute '" + stored.name + "' of subject " + stored.subject_id +
                             " cannot be opened: " + clear.error().message,
                         stored.name);
    }
    auto value = sdk::Json::parse(*clear);
    if (!value) {
        return sdk::fail(sdk::ErrorCode::Internal,
                         "attribute '" + stored.name + "' of subject " + stored.subject_id +
                             " holds no JSON value",
                         stored.name);
    }
    sdk::Attribute attribute;
    attribute.name = stored.name;
    attribute.value = std::move(value).value();
    attribute.source = stored.source;
    attribute.level = stored.level;
    attribute.process = stored.process;
    attribute.verified_at = sdk::Timestamp{stored.verified_at, 0};
    if (stored.valid_until != 0) attribute.valid_until = sdk::Timestamp{stored.valid_until, 0};
    attribute.legal_basis = stored.legal_basis;
    return attribute;
}

sdk::Result<std::vector<sdk::Attribute>> AttributeVault::current(
    const std::string& subject_id, const std::vector<std::string>& names) {
    auto stored = store_.currentAttributes(subject_id, names);
    if (!stored) return std::move(stored).error();
    std::vector<sdk::Attribute> values;
    values.reserve(stored->size());
    for (const store::StoredAttribute& row : *stored) {
        auto attribute = open(row);
        if (!attribute) return std::move(attribute).error();
        values.push_back(std::move(attribute).value());
    }
    return values;
}

sdk::Result<std::vector<store::AttributeOutcome>> AttributeVault::record(
    const std::string& subject_id, const std::vector<sdk::Attribute>& values,
    std::int64_t retain_until, std::int64_t now) {
    std::vector<store::StoredAttribute> rows;
    rows.reserve(values.size());
    for (const sdk::Attribute& value : values) {
        store::StoredAttribute row;
        row.subject_id = subject_id;
        row.name = value.name;
        subjects::Sealed sealed =
            keys_.seal(value.value.dump(), subjects::attributeAad(subject_id, value.name));
        row.sealed = std::move(sealed.bytes);
        row.key_id = std::move(sealed.key_id);
        row.source = value.source;
        row.level = value.level;
        row.process = value.process;
        row.verified_at = value.verified_at.micros != 0 ? value.verified_at.micros : now;
        row.valid_until = value.valid_until ? value.valid_until->micros : 0;
        row.legal_basis = value.legal_basis;
        row.retain_until = retain_until;
        rows.push_back(std::move(row));
    }
    return store_.recordAttributes(subject_id, std::move(rows), now);
}

sdk::Result<std::vector<KeptValue>> AttributeVault::history(const std::string& subject_id) {
    auto stored = store_.attributeHistory(subject_id);
    if (!stored) return std::move(stored).error();
    std::vector<KeptValue> kept;
    kept.reserve(stored->size());
    for (const store::StoredAttribute& row : *stored) {
        auto attribute = open(row);
        if (!attribute) return std::move(attribute).error();
        kept.push_back(
            {std::move(attribute).value(), row.retain_until, row.current, row.recorded_at});
    }
    return kept;
}

}  // namespace relais::subjects
