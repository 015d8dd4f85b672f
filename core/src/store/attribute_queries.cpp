// SPDX-License-Identifier: AGPL-3.0-or-later
// Store operations on attribute values: recording (with arbitration), the values in force,
// the history. The store sees ciphertext only; sealing and opening are the caller's.
#include <string>
#include <utility>
#include <vector>

#include <Poco/Data/LOB.h>

#include "relais/store/store.h"

#include "store/rows.h"

namespace relais::store {

using detail::execute;
using detail::queryOne;

namespace {

std::string selectAttributes(const char* rest) {
    return std::string("SELECT ") + detail::kAttributeColumns + " FROM attributes " + rest;
}

sdk::Result<void> validate(const std::string& subject_id,
                           const std::vector<StoredAttribute>& values) {
    if (subject_id.empty()) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "subject_id is empty", "subject_id");
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        const StoredAttribute& value = values[i];
        const std::string prefix = "values[" + std::to_string(i) + "].";
        const auto invalid = [&prefix](const char* field, const char* problem) {
            return sdk::fail(sdk::ErrorCode::InvalidArgument, prefix + field + " " + problem,
                             prefix + field);
        };
        if (value.name.empty()) return invalid("name", "is empty");
        if (value.sealed.empty()) return invalid("sealed", "is empty");
        if (value.key_id.empty()) return invalid("key_id", "is empty");
        if (value.source.empty()) return invalid("source", "is empty");
        if (!value.subject_id.empty() && value.subject_id != subject_id) {
            return invalid("subject_id", "names another subject");
        }
        if (value.level < 0) return invalid("level", "is negative");
        if (value.verified_at < 0) return invalid("verified_at", "is negative");
        if (value.valid_until < 0) return invalid("valid_until", "is negative");
        if (value.retain_until < 0) return invalid("retain_until", "is negative");
    }
    return sdk::ok();
}

/// The value in force for one name, as far as arbitration needs it.
using InForceRow = Poco::Tuple<std::int64_t, int, std::int64_t, std::int64_t>;

bool expired(std::int64_t valid_until, std::int64_t now) noexcept {
    return valid_until != 0 && valid_until <= now;
}

/// Whether `candidate` takes the place of the value in force (`id, level, verified_at,
/// valid_until`). A value that arrives already expired never displaces a still-valid one,
/// whatever its level: it would only hide a usable value behind an unusable one.
bool replaces(const StoredAttribute& candidate, const InForceRow& in_force, std::int64_t now) {
    if (expired(in_force.get<3>(), now)) return true;
    if (expired(candidate.valid_until, now)) return false;
    if (candidate.level != in_force.get<1>()) return candidate.level > in_force.get<1>();
    return in_force.get<2>() <= candidate.verified_at;
}

}  // namespace

sdk::Result<std::vector<AttributeOutcome>> Store::recordAttributes(
    const std::string& subject_id, std::vector<StoredAttribute> values, std::int64_t now) {
    if (auto valid = validate(subject_id, values); !valid) return std::move(valid).error();

    // Copies into BLOBs on the caller's thread: the writer thread is shared by every writer.
    std::vector<Poco::Data::BLOB> sealed;
    sealed.reserve(values.size());
    for (const StoredAttribute& value : values) sealed.push_back(detail::toBlob(value.sealed));

    std::vector<AttributeOutcome> outcomes;
    auto written = database_->write([&](Poco::Data::Session& session) {
        outcomes.clear();
        if (!queryOne<std::string>(session, "SELECT id FROM subjects WHERE id = ?", subject_id)) {
            throw WorkFailed(sdk::fail(sdk::ErrorCode::NotFound,
                                       "subject " + subject_id + " not found", "subject_id"));
        }
        for (std::size_t i = 0; i < values.size(); ++i) {
            const StoredAttribute& value = values[i];
            // Read again for each value: an earlier value of the same call may have changed it.
            const auto in_force =
                queryOne<InForceRow>(session,
                                     "SELECT id, level, verified_at, valid_until FROM attributes "
                                     "WHERE subject_id = ? AND name = ? AND current = 1",
                                     subject_id, value.name);
            const bool current = !in_force || replaces(value, *in_force, now);
            // Retired first: at most one current row per (subject, name) (a unique index).
            if (current && in_force) {
                execute(session, "UPDATE attributes SET current = 0 WHERE id = ?",
                        in_force->get<0>());
            }
            execute(session,
                    "INSERT INTO attributes (subject_id, name, value, key_id, source, level, "
                    "process, verified_at, valid_until, legal_basis, retain_until, current, "
                    "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    subject_id, value.name, sealed[i], value.key_id, value.source, value.level,
                    value.process, value.verified_at, value.valid_until, value.legal_basis,
                    value.retain_until, current, now);
            outcomes.push_back(current ? AttributeOutcome::Current : AttributeOutcome::Outranked);
        }
    });
    if (!written) return std::move(written).error();
    return outcomes;
}

sdk::Result<std::vector<StoredAttribute>> Store::currentAttributes(
    const std::string& subject_id, const std::vector<std::string>& names) {
    std::vector<StoredAttribute> values;
    if (subject_id.empty()) return values;
    // On the prefill path: one query in the partial index of the values in force, whose text
    // depends only on how many names are asked (a prepared statement per count).
    std::string sql = selectAttributes("WHERE subject_id = ? AND current = 1");
    if (!names.empty()) {
        sql += " AND name IN (?";
        for (std::size_t i = 1; i < names.size(); ++i) sql += ", ?";
        sql += ")";
    }
    sql += " ORDER BY name";
    auto read = database_->read([&](Poco::Data::Session& session) {
        detail::PreparedStatement statement(session, sql);
        int index = 0;
        detail::bindValue(statement, ++index, subject_id);
        for (const std::string& name : names) detail::bindValue(statement, ++index, name);
        values.clear();
        while (statement.step()) {
            values.push_back(detail::toAttribute(detail::readRow<detail::AttributeRow>(statement)));
        }
    });
    if (!read) return std::move(read).error();
    return values;
}

sdk::Result<std::vector<StoredAttribute>> Store::attributeHistory(const std::string& subject_id) {
    std::vector<StoredAttribute> values;
    if (subject_id.empty()) return values;
    auto read = database_->read([&](Poco::Data::Session& session) {
        values.clear();
        // In order of recording (ids are increasing).
        for (const detail::AttributeRow& row : detail::query<detail::AttributeRow>(
                 session, selectAttributes("WHERE subject_id = ? ORDER BY id"), subject_id)) {
            values.push_back(detail::toAttribute(row));
        }
    });
    if (!read) return std::move(read).error();
    return values;
}

}  // namespace relais::store
