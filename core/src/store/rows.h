// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <Poco/Data/LOB.h>
#include <Poco/Data/Session.h>
#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include "relais/sdk/dossier.h"
#include "relais/sdk/event.h"
#include "relais/sdk/subject.h"
#include "relais/store/lifecycle.h"
#include "relais/store/store.h"

#include "store/statement_cache.h"

/// @file
/// What the `Store`'s queries share: statement helpers (`?` placeholders only, so the same
/// SQL runs on every engine; statements prepared once per connection, see
/// statement_cache.h), the column lists and row types of each table, and the conversions
/// between rows and model types.
///
/// Conversions of stored text (JSON, timestamps, enum names) throw `std::runtime_error`
/// naming the table, the column and the row id, never the value: inside a `Database` work
/// that becomes an `Internal` error.

namespace relais::store::detail {

/// Now, as stored: unix microseconds, UTC.
std::int64_t nowMicros();

template <typename T>
struct IsNullable : std::false_type {};
template <typename T>
struct IsNullable<Poco::Nullable<T>> : std::true_type {};

template <typename T, typename = void>
struct IsTuple : std::false_type {};
/// A `Poco::Tuple` (it has `length` and `get<0>()`).
template <typename T>
struct IsTuple<T, std::void_t<decltype(T::length), decltype(std::declval<T&>().template get<0>())>>
    : std::true_type {};

/// Binds `value` to parameter `index` (from 1) of `statement`: `bool` as 0/1, integers of
/// up to 32 bits as INTEGER through `int`, wider ones as 64-bit INTEGER, floating point as
/// REAL, anything viewable as text as TEXT (not copied), a BLOB as BLOB, and an empty
/// `Poco::Nullable` as NULL.
template <typename T>
void bindValue(PreparedStatement& statement, int index, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        statement.bindInt(index, value ? 1 : 0);
    } else if constexpr (std::is_integral_v<T> && sizeof(T) <= sizeof(int)) {
        statement.bindInt(index, static_cast<int>(value));
    } else if constexpr (std::is_integral_v<T>) {
        statement.bindInt64(index, static_cast<std::int64_t>(value));
    } else if constexpr (std::is_floating_point_v<T>) {
        statement.bindDouble(index, static_cast<double>(value));
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        statement.bindText(index, std::string_view(value));
    } else if constexpr (std::is_same_v<T, Poco::Data::BLOB>) {
        statement.bindBlob(index, value);
    } else if constexpr (IsNullable<T>::value) {
        if (value.isNull()) {
            statement.bindNull(index);
        } else {
            bindValue(statement, index, value.value());
        }
    } else {
        static_assert(sizeof(T) == 0, "no SQL binding for this type");
    }
}

/// Reads column `index` (from 0) of the current row into `out`; NULL reads as the type's
/// default value (0, empty text, empty BLOB), an empty `Poco::Nullable` for a Nullable.
template <typename T>
void readColumn(const PreparedStatement& statement, int index, T& out) {
    if constexpr (std::is_same_v<T, bool>) {
        out = statement.columnInt(index) != 0;
    } else if constexpr (std::is_integral_v<T> && sizeof(T) <= sizeof(int)) {
        out = static_cast<T>(statement.columnInt(index));
    } else if constexpr (std::is_integral_v<T>) {
        out = static_cast<T>(statement.columnInt64(index));
    } else if constexpr (std::is_floating_point_v<T>) {
        out = static_cast<T>(statement.columnDouble(index));
    } else if constexpr (std::is_same_v<T, std::string>) {
        out = statement.columnText(index);
    } else if constexpr (std::is_same_v<T, Poco::Data::BLOB>) {
        out = statement.columnBlob(index);
    } else if constexpr (IsNullable<T>::value) {
        if (statement.isNull(index)) {
            out.clear();
        } else {
            std::decay_t<decltype(out.value())> value{};
            readColumn(statement, index, value);
            out = std::move(value);
        }
    } else {
        static_assert(sizeof(T) == 0, "no SQL column reading for this type");
    }
}

/// The current row as `Row`: a `Poco::Tuple` of the selected columns in order, or a scalar
/// for one column.
template <typename Row>
Row readRow(const PreparedStatement& statement) {
    Row row{};
    if constexpr (IsTuple<Row>::value) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (readColumn(statement, static_cast<int>(I), row.template get<I>()), ...);
        }
        (std::make_index_sequence<static_cast<std::size_t>(Row::length)>{});
    } else {
        readColumn(statement, 0, row);
    }
    return row;
}

/// Binds `args` to the parameters of `statement`, in order.
template <typename... Args>
void bindAll(PreparedStatement& statement, const Args&... args) {
    int index = 0;
    (bindValue(statement, ++index, args), ...);
}

/// Runs a statement that returns no rows; returns the number of rows it changed.
template <typename... Args>
std::size_t execute(Poco::Data::Session& session, const std::string& sql, const Args&... args) {
    PreparedStatement statement(session, sql);
    bindAll(statement, args...);
    while (statement.step()) {
    }
    return statement.changes();
}

/// Runs a query and returns its rows. `Row` is a `Poco::Tuple` matching the selected
/// columns in order, or a single scalar type for one column. NULL reads as the type's
/// default value (empty string, 0).
template <typename Row, typename... Args>
std::vector<Row> query(Poco::Data::Session& session, const std::string& sql, const Args&... args) {
    PreparedStatement statement(session, sql);
    bindAll(statement, args...);
    std::vector<Row> rows;
    while (statement.step()) rows.push_back(readRow<Row>(statement));
    return rows;
}

/// The first row of a query, if any (the query stops there).
template <typename Row, typename... Args>
std::optional<Row> queryOne(Poco::Data::Session& session, const std::string& sql,
                            const Args&... args) {
    PreparedStatement statement(session, sql);
    bindAll(statement, args...);
    if (!statement.step()) return std::nullopt;
    return readRow<Row>(statement);
}

// --- enums as stored ----------------------------------------------------------------------

std::string_view toString(sdk::EventSide side) noexcept;
std::optional<sdk::EventSide> parseEventSide(std::string_view name) noexcept;

std::string_view toString(sdk::SubjectKind kind) noexcept;
std::optional<sdk::SubjectKind> parseSubjectKind(std::string_view name) noexcept;

// --- JSON and time as stored --------------------------------------------------------------

/// Parses JSON written by the store itself. `what` names the column and row for errors.
sdk::Json parseStoredJson(const std::string& text, const std::string& what);
/// Parses an RFC 3339 instant written by the store itself.
sdk::Timestamp parseStoredTime(const std::string& text, const std::string& what);

/// The subject as stored in `dossiers.subject` (JSON), and back. `id` is not part of it:
/// it lives in `dossiers.subject_id`.
std::string subjectToJson(const sdk::Subject& subject);
sdk::Subject subjectFromJson(const std::string& text, const std::string& what);

// --- rows ---------------------------------------------------------------------------------

/// `dossiers` without attachments (they are another table).
inline constexpr const char* kDossierColumns =
    "id, source, source_key, procedure, subject_id, subject, submitted_at, status, "
    "portal_status, fields, version";
using DossierRow =
    Poco::Tuple<std::string, std::string, std::string, std::string, std::string, std::string,
                std::string, std::string, std::string, std::string, std::int64_t>;
sdk::Dossier toDossier(const DossierRow& row);

inline constexpr const char* kAttachmentColumns =
    "name, content_type, size, sha256, storage_ref, source_url, kind";
using AttachmentRow = Poco::Tuple<std::string, std::string, std::int64_t, std::string, std::string,
                                  std::string, std::string>;
sdk::Attachment toAttachment(const AttachmentRow& row);

inline constexpr const char* kEventColumns =
    "id, dossier_id, type, side, source_event_key, source_version, occurred_at, actor, "
    "payload, is_public";
using EventRow = Poco::Tuple<std::string, std::string, std::string, std::string, std::string,
                             std::string, std::string, std::string, std::string, int>;
sdk::Event toEvent(const EventRow& row);

inline constexpr const char* kJobColumns =
    "id, kind, dossier_id, route, target, event_id, idempotency_key, state, attempts, "
    "next_attempt_at, claimed_by, lease_until, last_error, created_at, updated_at";
using JobRow = Poco::Tuple<std::string, std::string, std::string, std::string, std::string,
                           std::string, std::string, std::string, int, std::int64_t, std::string,
                           std::int64_t, std::string, std::int64_t, std::int64_t>;
Job toJob(const JobRow& row);

inline constexpr const char* kLinkColumns =
    "dossier_id, target, business_id, display_id, created_at";
using LinkRow = Poco::Tuple<std::string, std::string, std::string, std::string, std::int64_t>;
Link toLink(const LinkRow& row);

inline constexpr const char* kSubjectColumns =
    "id, kind, fc_sub, pivot_hash, siren, siret, created_at";
using SubjectRow = Poco::Tuple<std::string, std::string, std::string, std::string, std::string,
                               std::string, std::int64_t>;
SubjectRecord toSubject(const SubjectRow& row);

/// `attributes`; `value` is the sealed ciphertext (binary: read as a BLOB, never as text).
inline constexpr const char* kAttributeColumns =
    "id, subject_id, name, value, key_id, source, level, process, verified_at, valid_until, "
    "legal_basis, retain_until, current, recorded_at";
using AttributeRow = Poco::Tuple<std::int64_t, std::string, std::string, Poco::Data::BLOB,
                                 std::string, std::string, int, std::string, std::int64_t,
                                 std::int64_t, std::string, std::int64_t, int, std::int64_t>;
StoredAttribute toAttribute(const AttributeRow& row);

/// Bytes as bound to a BLOB column (ciphertext, raw payloads), and back.
Poco::Data::BLOB toBlob(const std::string& bytes);
std::string fromBlob(const Poco::Data::BLOB& blob);

// --- writes shared by several operations --------------------------------------------------

/// Source of the events relais itself records.
inline constexpr std::string_view kRelaisSource = "relais";

/// The job `id`, or a `NotFound` failure of the current work (`WorkFailed`).
Job loadJob(Poco::Data::Session& session, const std::string& id);

/// Fails the current work with `Conflict` unless the job is held: running (leased) or
/// awaiting an acknowledgement.
void requireHeld(const Job& job, std::string_view operation);

/// The event that records what became of a job in its dossier's log.
sdk::Event outcomeEvent(const Job& job, std::string_view type, std::int64_t now);

/// Records (or updates) the link of `job`'s dossier for `link.target` (default: the job's
/// target) when `link.business_id` is set. `InvalidArgument` when the link names another
/// dossier.
void upsertLink(Poco::Data::Session& session, const Job& job, const Link& link, std::int64_t now);

/// Marks a held job done, records the link (when `link.business_id` is set; `link.target`
/// defaults to the job's target) and a `delivered` event.
/// A completed delivery may acknowledge the dossier (`acknowledgeWhenDelivered`), which is
/// pushed to its portal when the portal is one of `push_targets`.
void completeHeldJob(Poco::Data::Session& session, const Job& job, const Link& link,
                     std::int64_t now, const std::vector<std::string>& push_targets);

/// Inserts job `id` of `dossier_id`: pending and due now, or running under `job.claimed_by`
/// until `job.lease_until` (and counted as one attempt) when a claimer is given. Its
/// idempotency key is `rl-<id>`.
void insertJob(Poco::Data::Session& session, const std::string& id, const std::string& dossier_id,
               const NewJob& job, std::int64_t now);

/// Inserts `event` (its id must be set) for `source`. Returns false, writing nothing, when
/// an event with the same (dossier, source, source_event_key) or the same id exists.
bool insertEvent(Poco::Data::Session& session, const sdk::Event& event, const std::string& source,
                 std::int64_t recorded_at);

/// `Store::recordEvent` inside a write (see there), with `authority` deciding which
/// transitions are allowed. Fails the work (`WorkFailed`) on a refusal.
/// Push jobs are created only towards `push_targets` (`Store::setPushTargets`).
EventRecord applyEvent(Poco::Data::Session& session, EventWrite write, std::int64_t now,
                       const std::vector<std::string>& push_targets,
                       TransitionAuthority authority = TransitionAuthority::Source);

/// After a delivery job of `dossier_id` completed: when every delivery job of the dossier
/// is done and it is still `submitted`, it becomes `acknowledged` (public, with the
/// applications' ids), once.
void acknowledgeWhenDelivered(Poco::Data::Session& session, const std::string& dossier_id,
                              std::int64_t now, const std::vector<std::string>& push_targets);

/// How `resolveSubject` treats what a caller's key cannot have.
enum class SubjectResolution {
    /// For `Store::resolveSubject`: an unknown `id` is `NotFound`; an identifier of the key
    /// that another subject holds is `Conflict` (a `WorkFailed`).
    Strict,
    /// For an ingest, which must store the dossier whatever its applicant claims: an unknown
    /// `id` is ignored (the other identifiers decide), and identifiers another subject holds
    /// are not taken over (the subject found keeps its own).
    Lenient,
};

/// The key of an applicant as a dossier carries it. The pivot (persons only) is normalised
/// and hashed as everywhere else in relais (`common::pivotHash`), so that the applicant of a
/// dossier and the subject of a prefill meet; a pivot that does not normalise (incomplete,
/// invalid) identifies nobody and is left out.
SubjectKey subjectKey(const sdk::Subject& subject);

/// Whether `key` carries any identifier.
bool hasIdentifier(const SubjectKey& key) noexcept;

/// The subject `key` designates: by `id` alone when it is given, otherwise by the first of
/// `fc_sub`, `siret`, `siren` (a subject without SIRET), `pivot_hash` that matches, in one
/// query.
std::optional<SubjectRecord> findSubject(Poco::Data::Session& session, const SubjectKey& key);

/// Finds (as `findSubject`) or creates the subject `key` designates; a found subject gains
/// the identifiers of `key` it lacks. Must run inside a write: the find and the insert or
/// update cannot interleave with another resolution then. Errors as `mode` says; an empty
/// optional only in `Lenient` mode when `key` carries no usable identifier.
std::optional<SubjectRecord> resolveSubject(Poco::Data::Session& session, const SubjectKey& key,
                                            std::int64_t now, SubjectResolution mode);

}  // namespace relais::store::detail
