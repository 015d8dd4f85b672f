// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "relais/sdk/dossier.h"
#include "relais/sdk/event.h"
#include "relais/sdk/result.h"
#include "relais/sdk/subject.h"
#include "relais/store/database.h"
#include "relais/store/event_log.h"

namespace relais::config {
struct StoreConfig;
}

/// @file
/// `Store`: durable state of relais (dossiers, events, outbox jobs, links, attachments,
/// subjects and attributes, audit, idempotency keys, cursors), over a `Database` engine.
/// Every write returns only once it is on disk.

namespace relais::store {

enum class JobState { Pending, Running, Done, Dead, AwaitingAck };
std::string_view toString(JobState state) noexcept;
std::optional<JobState> parseJobState(std::string_view name) noexcept;

/// The idempotency key of job `job_id`: stable for the job's whole life (retries and replays
/// keep it), so the application can apply a delivery exactly once.
std::string idempotencyKey(std::string_view job_id);

/// A job to create with a dossier: deliver it along one route.
struct NewJob {
    std::string kind = "deliver";  ///< `deliver` (to a connector) or `push` (to a portal)
    std::string route;             ///< route name
    std::string target;            ///< connector or adapter instance
    std::string event_id;          ///< for `push`: the event to push
    /// Created already claimed (running, one attempt) by this worker until `lease_until`:
    /// a synchronous delivery made within the request that stored the dossier. Empty: the
    /// job is pending and due at once.
    std::string claimed_by;
    std::int64_t lease_until = 0;
};

/// A mapped dossier waiting in a pull inbox for its application to fetch and acknowledge it.
struct InboxItem {
    std::string job_id;  ///< the id the application acknowledges
    std::string dossier_id;
    std::string route;
    std::string content_type;
    std::string payload;
    std::int64_t created_at = 0;
};

/// One acknowledgement from a pull-mode application.
struct InboxAck {
    std::string job_id;
    std::string business_id;  ///< the application's id for the dossier, when it gives one
    std::string display_id;
};

struct InboxAckOutcome {
    std::vector<std::string> acknowledged;  ///< completed now
    std::vector<std::string> already;       ///< acknowledged before (idempotent repeat)
    std::vector<std::string> unknown;       ///< not an inbox item of this target
};

/// An outbox job.
struct Job {
    std::string id;
    std::string kind;
    std::string dossier_id;
    std::string route;
    std::string target;
    std::string event_id;
    std::string idempotency_key;  ///< stable for the job's whole life
    JobState state = JobState::Pending;
    int attempts = 0;
    std::int64_t next_attempt_at = 0;  ///< unix micros
    std::string claimed_by;
    std::int64_t lease_until = 0;  ///< unix micros
    std::string last_error;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
};

/// A new dossier as an adapter produced it, with what must be stored in the same
/// transaction.
struct IngestRequest {
    sdk::Dossier dossier;  ///< `id` empty: the store assigns a UUID
    std::string raw_body;  ///< the portal's payload, kept content-addressed for replay
    std::string raw_content_type;
    std::vector<NewJob> jobs;
};

struct IngestOutcome {
    std::string dossier_id;
    bool created = false;  ///< false: (source, source_key) was already known; nothing written
    std::vector<std::string> job_ids;  ///< of the jobs created (empty when not created)
};

/// The business application's id for a dossier in one connector instance.
struct Link {
    std::string dossier_id;
    std::string target;
    std::string business_id;
    std::string display_id;
    std::int64_t created_at = 0;
};

/// One entry of the audit trail: who read or changed personal data, about whom, for what.
struct AuditEntry {
    std::int64_t at = 0;  ///< unix micros; 0: now
    std::string client;   ///< API client or internal actor
    std::string subject_id;
    std::string dossier_id;
    std::string action;      ///< `inbox.read`, `prefill.read`, `subject.export`…
    std::string attributes;  ///< what was read, comma-separated
    std::string procedure;
    std::string purpose;
    std::string outcome;  ///< `allowed`, `refused`…
};

/// A subject as stored: its identifiers, never its identity in clear (the pivot is kept
/// as a hash; names and dates live in encrypted attributes).
struct SubjectRecord {
    std::string id;
    sdk::SubjectKind kind = sdk::SubjectKind::Person;
    std::string fc_sub;      ///< FranceConnect pairwise `sub`, or empty
    std::string pivot_hash;  ///< hash of the normalised identity pivot, or empty
    std::string siren;
    std::string siret;
    std::int64_t created_at = 0;
};

/// What designates a subject. The strongest non-empty identifier decides: `id` (then alone),
/// else the first of `fc_sub`, `siret`, `siren`, `pivot_hash` that a subject holds. A SIREN
/// designates the legal unit as a whole (a subject without SIRET): it is not looked up when
/// the key has a SIRET (an establishment).
struct SubjectKey {
    std::string id;
    sdk::SubjectKind kind = sdk::SubjectKind::Person;  ///< for a subject to create
    std::string fc_sub;
    std::string pivot_hash;
    std::string siren;
    std::string siret;
};

/// One attribute value as stored. The store never sees the clear value: `sealed` is the
/// AES-256-GCM ciphertext made by the caller with key `key_id`.
struct StoredAttribute {
    std::int64_t id = 0;  ///< assigned by the store
    std::string subject_id;
    std::string name;
    std::string sealed;
    std::string key_id;
    std::string source;  ///< provider instance, client name, or `declared`
    int level = 0;
    std::string process;
    std::int64_t verified_at = 0;  ///< unix micros
    std::int64_t valid_until = 0;  ///< unix micros; 0: no limit
    std::string legal_basis;
    std::int64_t retain_until = 0;  ///< unix micros; purged after; 0: no limit
    bool current = false;           ///< the value in force for (subject, name)
    std::int64_t recorded_at = 0;   ///< unix micros; assigned by the store
};

/// What became of one value given to `recordAttributes`.
enum class AttributeOutcome {
    Current,   ///< it is now the value in force
    Outranked  ///< kept in the history only: a still-valid value of a higher level, or of the
               ///< same level verified later, stays in force (or the value arrived expired)
};

/// One audit entry as stored, with its place in the chain.
struct AuditRecord {
    std::int64_t seq = 0;
    AuditEntry entry;
    std::string prev_hash;
    std::string hash;
};

/// What `Store::searchAudit` looks for; empty fields match everything.
struct AuditFilter {
    std::string subject_id;
    std::string client;
    std::string action;
    std::int64_t before_seq = 0;  ///< only entries older than this one (paging); 0: newest
    int limit = 100;
};

/// The result of checking the whole audit chain.
struct AuditVerification {
    bool intact = true;
    std::int64_t entries = 0;  ///< entries checked (up to and including the first bad one)
    /// seq of the first entry that breaks the chain (for removed entries: the first missing
    /// seq); meaningful only when `intact` is false.
    std::int64_t first_bad = 0;
    std::string reason;  ///< what is wrong there (altered, removed, inserted…); empty if intact
    /// seq of the oldest entry present (0: empty trail). Above 1, older entries were removed
    /// (retention): the chain is checked from there, and that removal cannot be told from
    /// an attacker's removal of the oldest entries.
    std::int64_t first_seq = 0;
};

/// What an erasure removed and what it kept.
struct ErasureOutcome {
    std::int64_t attributes_deleted = 0;
    std::int64_t dossiers_kept = 0;  ///< administrative records, unlinked from the subject
};

/// What a purge removed.
struct PurgeOutcome {
    std::int64_t past_retention = 0;  ///< values whose `retain_until` passed
    std::int64_t expired = 0;         ///< values whose `valid_until` passed
    std::int64_t nonces = 0;          ///< signature nonces past their window
};

/// Threading: every method may be called from any thread concurrently (the engine
/// serialises writes and pools reads). Errors are `sdk::Result` values; only `open` and the
/// constructor throw.
class Store {
public:
    /// Opens the engine named by `config.engine` and applies pending migrations. Throws
    /// `StoreError` (unknown engine, unreadable file, failed migration).
    static std::unique_ptr<Store> open(const config::StoreConfig& config);

    explicit Store(std::unique_ptr<Database> database);
    ~Store();

    Database& database() noexcept { return *database_; }
    const Dialect& dialect() const noexcept { return database_->dialect(); }

    /// Highest migration applied; -1 when the engine cannot be read.
    int schemaVersion();

    /// A cheap round trip to the engine (for `/readyz`).
    sdk::Result<void> ping();

    // --- dossiers ------------------------------------------------------------------------

    /// Stores the dossier, its raw payload, a `submitted` event and its jobs in one
    /// transaction. Deduplicated on (source, source_key): a replay returns the existing id
    /// with `created == false` and writes nothing — also when two ingests of one key race.
    /// The dossier gets version 1; each job is pending, due now, with the idempotency key
    /// `rl-<job id>`. The applicant (`subject`) is kept with the dossier and linked to the
    /// `subjects` row its strongest identifier designates (FranceConnect sub, SIRET, SIREN,
    /// identity pivot), created if none matches. `InvalidArgument` (naming the field) when
    /// source, source_key, procedure or a job's kind or target is empty.
    sdk::Result<IngestOutcome> ingest(IngestRequest request);

    /// The dossier, or an empty optional.
    sdk::Result<std::optional<sdk::Dossier>> findDossier(const std::string& id);

    /// Events of a dossier in order of recording; only `is_public` ones when asked.
    sdk::Result<std::vector<sdk::Event>> events(const std::string& dossier_id,
                                                bool public_only = false);

    /// Appends an event (id assigned when empty). Deduplicated on (dossier, source,
    /// source_event_key) when the key is not empty: returns false for a duplicate.
    /// `NotFound` when the dossier does not exist.
    sdk::Result<bool> appendEvent(sdk::Event event, const std::string& source);

    sdk::Result<std::vector<Link>> links(const std::string& dossier_id);

    // --- status sync (event_queries.cpp; docs/status-sync.md) ----------------------------

    /// The one path by which an event enters a dossier's log and, for a `status_changed`
    /// event, moves its status, in one transaction, durable on return:
    /// 1. with `write.idempotency`: a repeat (same scope, key and body hash) returns the
    ///    first answer (`replayed`), nothing written; the key with another body is
    ///    `Conflict` (field `Idempotency-Key`);
    /// 2. an event whose (dossier, source, source_event_key) was recorded before is a
    ///    `Duplicate`: nothing written;
    /// 3. a status change whose `source_version` is not newer than one already recorded
    ///    from the same source is recorded `Stale` and moves nothing;
    /// 4. a change to a final status, while the current status is a final decision of the
    ///    other side that the sender had not seen (`based_on_version` absent or older than
    ///    the dossier's version), is recorded as a `Conflict` (listed by `conflicts`) and
    ///    moves nothing: never last-writer-wins;
    /// 5. otherwise `checkTransition` decides: a refusal is `Conflict` (field `status`,
    ///    both states named), nothing written; an accepted change sets the status, its
    ///    sub-status and the dossier's version;
    /// 6. a public event applied (status change, message, document) that did not come from
    ///    the dossier's own portal creates a `push` job towards it (target: the dossier's
    ///    source), run after the earlier pushes of the dossier.
    /// `NotFound` for an unknown dossier; `InvalidArgument` (naming the field) for an empty
    /// type or a status change without a known `status`.
    sdk::Result<EventRecord> recordEvent(EventWrite write);

    /// The adapter instances that take pushes (`PortalAdapter::pushEvent`): only dossiers of
    /// these sources get `push` jobs. Set at start-up, before any write.
    void setPushTargets(std::vector<std::string> targets);

    /// Stops creating `push` jobs for `instance` (until the next start): its adapter said it
    /// has nowhere to push (`Unsupported` from `pushEvent`, e.g. no callback configured).
    /// Thread-safe; jobs already created run (and end the same way).
    void dropPushTarget(const std::string& instance);

    /// One event by id, or an empty optional.
    sdk::Result<std::optional<sdk::Event>> findEvent(const std::string& event_id);

    /// The public events applied to a dossier (what the citizen may see), oldest first.
    sdk::Result<std::vector<sdk::Event>> timeline(const std::string& dossier_id);

    /// The dossier's status with its sub-status and what set it. `NotFound` when unknown.
    sdk::Result<StatusDetail> statusDetail(const std::string& dossier_id);

    /// The dossier that `target` (a connector instance) knows as `business_id`.
    sdk::Result<std::optional<std::string>> findDossierByLink(const std::string& target,
                                                              const std::string& business_id);

    /// Conflicts, oldest first; only open ones when asked.
    sdk::Result<std::vector<ConflictRecord>> conflicts(bool open_only, int limit);
    sdk::Result<std::optional<ConflictRecord>> findConflict(const std::string& id);

    /// Resolves an open conflict as an operator decided: the status chosen is set (an
    /// operator may replace one final status by another) through `recordEvent`'s path, as a
    /// public `status_changed` event of side `relais` (pushed to the portal when it differs
    /// from what the portal last said), and the conflict is closed. `NotFound` for an
    /// unknown conflict; `Conflict` when it is already resolved; `InvalidArgument` for a
    /// winner other than `current`/`incoming` or an unknown status.
    sdk::Result<EventRecord> resolveConflict(const std::string& id,
                                             const ConflictResolution& resolution);

    // --- outbox --------------------------------------------------------------------------

    /// Claims up to `limit` pending jobs due at `now` (unix micros) for `worker`, marking them
    /// running with a lease until `lease_until`. Jobs whose lease expired are due again.
    /// Each claim counts one attempt (`attempts` is incremented). A job is never handed to
    /// two workers whose leases are both valid.
    sdk::Result<std::vector<Job>> claimJobs(const std::string& worker, std::int64_t now,
                                            std::int64_t lease_until, int limit);

    /// Marks a job done and records the link (when `business_id` is not empty; `link.target`
    /// defaults to the job's target, `link.dossier_id` must be empty or the job's dossier)
    /// and a `delivered` event, in one transaction. `NotFound` for an unknown job,
    /// `Conflict` when the job is not running or awaiting an acknowledgement.
    sdk::Result<void> completeJob(const std::string& job_id, const Link& link, std::int64_t now);

    /// Reschedules a job after a retryable failure (back to pending, lease released).
    /// `NotFound` / `Conflict` as for `completeJob`.
    sdk::Result<void> retryJob(const std::string& job_id, std::int64_t next_attempt_at,
                               const std::string& error, std::int64_t now);

    /// Moves a job to the dead-letter list with its reason, and appends a
    /// `delivery_failed` event. `NotFound` for an unknown job, `Conflict` when it is already
    /// done or dead.
    sdk::Result<void> killJob(const std::string& job_id, const std::string& reason,
                              std::int64_t now);

    /// Puts a dead (or done) job back to pending, due at `now`, with a fresh attempt count
    /// and the same idempotency key. False (nothing changed) when the job is in another
    /// state; `NotFound` for an unknown job.
    sdk::Result<bool> replayJob(const std::string& job_id, std::int64_t now);

    /// A running job's delivery is done on relais's side but the application confirms later
    /// (acknowledgement file, pull inbox): the job awaits its acknowledgement, and the link
    /// is recorded when `link.business_id` is given. `NotFound` / `Conflict` as above.
    sdk::Result<void> awaitAcknowledgement(const std::string& job_id, const Link& link,
                                           std::int64_t now);

    /// Completes the oldest job of `dossier_id` for `target` that awaits an acknowledgement
    /// (as `completeJob`, with `link`). False when there is none (already acknowledged).
    sdk::Result<bool> acknowledge(const std::string& dossier_id, const std::string& target,
                                  const Link& link, std::int64_t now);

    /// Puts the mapped payload of a running job into its target's pull inbox; the job then
    /// awaits the application's acknowledgement.
    sdk::Result<void> putInInbox(const std::string& job_id, const std::string& content_type,
                                 const std::string& payload, std::int64_t now);

    /// Items of `target`'s inbox not yet acknowledged, oldest first.
    sdk::Result<std::vector<InboxItem>> inbox(const std::string& target, int limit);

    /// Acknowledges inbox items of `target` (each completes its job, with a link when a
    /// business id is given), in one transaction. Repeats are reported, not errors.
    sdk::Result<InboxAckOutcome> acknowledgeInbox(const std::string& target,
                                                  const std::vector<InboxAck>& acks,
                                                  std::int64_t now);

    /// Makes every running job due again at once. For single-process engines at start-up:
    /// the jobs a killed process held are not waited for until their lease expires. Returns
    /// how many were released.
    sdk::Result<int> releaseRunningJobs(std::int64_t now);

    /// New jobs for a stored dossier (an operator's redelivery): fresh idempotency keys, so
    /// the application sees a new delivery. `NotFound` for an unknown dossier.
    sdk::Result<std::vector<std::string>> addJobs(const std::string& dossier_id,
                                                  const std::vector<NewJob>& jobs,
                                                  std::int64_t now);

    /// Number of jobs per state (states without jobs are absent).
    sdk::Result<std::vector<std::pair<JobState, std::int64_t>>> jobCounts();

    /// The id of the dossier `source` knows as `source_key`, if stored.
    sdk::Result<std::optional<std::string>> findDossierId(const std::string& source,
                                                          const std::string& source_key);

    sdk::Result<std::optional<Job>> findJob(const std::string& job_id);
    /// Jobs in `state` (all when empty), oldest first. `InvalidArgument` when `limit` <= 0.
    sdk::Result<std::vector<Job>> jobs(std::optional<JobState> state, int limit);
    sdk::Result<std::vector<Job>> jobsOfDossier(const std::string& dossier_id);

    // --- subjects and attributes -----------------------------------------------------------

    /// The subject `key` designates (strongest identifier first), or an empty optional. One
    /// indexed query. `InvalidArgument` when `key` carries no identifier.
    sdk::Result<std::optional<SubjectRecord>> findSubject(const SubjectKey& key);

    /// As `findSubject`, creating the subject (kind and every identifier of `key`) when none
    /// matches; a found subject gains the identifiers of `key` it lacked (e.g. a FranceConnect
    /// `sub` learnt for a subject first known by its pivot), unless another subject holds
    /// them (`Conflict`, naming the identifier in `field`). Identifiers it has are never
    /// replaced. Race-free: two concurrent calls for one new key create one subject.
    /// `NotFound` when `key.id` names no subject (ids are assigned by the store);
    /// `InvalidArgument` when `key` carries no identifier, or a SIRET outside its SIREN.
    sdk::Result<SubjectRecord> resolveSubject(const SubjectKey& key, std::int64_t now);

    /// Records values for `subject_id` in one transaction, arbitrating each against the value
    /// in force for its name: a value replaces it when the current one has expired
    /// (`valid_until` at or before `now`), has a lower level, or has the same level and an
    /// earlier or equal `verified_at` — but a value that arrives already expired never
    /// replaces a still-valid one; otherwise it is kept as history only. Values of one call
    /// are arbitrated in order (a later one against an earlier one of the same name). One
    /// outcome per value, in order. `NotFound` for an unknown subject; `InvalidArgument`
    /// (naming the field, e.g. `values[2].name`) for an empty name, sealed value, key id or
    /// source, a negative level or time, or a value whose `subject_id` names another subject.
    sdk::Result<std::vector<AttributeOutcome>> recordAttributes(const std::string& subject_id,
                                                                std::vector<StoredAttribute> values,
                                                                std::int64_t now);

    /// The values in force for `subject_id`, restricted to `names` unless empty, in name
    /// order. Expired values are included (the caller decides what is fresh enough).
    sdk::Result<std::vector<StoredAttribute>> currentAttributes(
        const std::string& subject_id, const std::vector<std::string>& names = {});

    /// Every value kept for `subject_id` (current and history), in order of recording.
    sdk::Result<std::vector<StoredAttribute>> attributeHistory(const std::string& subject_id);

    /// Dossiers whose applicant is `subject_id`, oldest first.
    sdk::Result<std::vector<sdk::Dossier>> dossiersOfSubject(const std::string& subject_id);

    /// Erases a subject, in one transaction: its attribute values (current and history) and
    /// its row; its dossiers are kept (administrative records the law requires to keep) but
    /// no longer point to it. The audit trail is untouched. `NotFound` for an unknown subject.
    sdk::Result<ErasureOutcome> eraseSubject(const std::string& subject_id);

    /// Deletes attribute values past their `retain_until` (current or not), non-current values
    /// past their `valid_until`, and expired nonces, as of `now` (limits at or before `now`
    /// have passed). Runs in batches of bounded size, each its own transaction, so that it
    /// never holds the writer long; an error stops it (what was deleted stays deleted).
    sdk::Result<PurgeOutcome> purge(std::int64_t now);

    // --- signature nonces ----------------------------------------------------------------------

    /// Remembers `nonce` until `expires_at`: true when it was new (or seen before but expired
    /// at `now`), false when it was already seen and has not expired (a replay). One atomic
    /// statement: shared by every process using the store. `InvalidArgument` for an empty
    /// nonce or `expires_at` not after `now`.
    sdk::Result<bool> rememberNonce(const std::string& nonce, std::int64_t now,
                                    std::int64_t expires_at);

    // --- audit -----------------------------------------------------------------------------

    /// Appends to the audit trail, hash-chained: each entry stores the SHA-256 of the
    /// previous entry's hash and of its own content, so altering, removing or inserting an
    /// entry breaks the chain. Group-committed like every write.
    sdk::Result<void> appendAudit(const AuditEntry& entry);
    /// Several entries in one transaction, chained in order. Concurrent callers are combined:
    /// while one write of the trail is in flight, the entries of the others queue up and go
    /// in the next write together (one read of the chain's head, then one insert each), so
    /// auditing every read costs neither a disk flush nor a writer round trip per read.
    /// Each caller is answered once its entries are committed; a failed write fails every
    /// caller whose entries it held.
    sdk::Result<void> appendAudit(const std::vector<AuditEntry>& entries);

    /// Entries about `subject_id` (all subjects when empty), newest first, at most `limit`.
    /// `InvalidArgument` when `limit` <= 0.
    sdk::Result<std::vector<AuditRecord>> auditEntries(const std::string& subject_id, int limit);

    /// Entries matching `filter`, newest first (for the data protection officer's
    /// `GET /v1/audit`). `InvalidArgument` for a limit that is not positive.
    sdk::Result<std::vector<AuditRecord>> searchAudit(const AuditFilter& filter);

    /// Recomputes the whole chain and reports the first entry that breaks it: an altered
    /// field, a removed entry (gap in seq or prev_hash mismatch) or an inserted one. Reads
    /// the trail in pages (bounded memory). What a hash chain without an outside anchor
    /// cannot see: entries removed from the oldest end (taken for retention, see
    /// `AuditVerification::first_seq`) or forged at the newest end with correct hashes.
    sdk::Result<AuditVerification> verifyAudit();

    // --- cursors and idempotency ---------------------------------------------------------

    /// Poll cursors, keyed by owner (an instance name). An unknown owner's cursor is "".
    sdk::Result<std::string> cursor(const std::string& owner);
    sdk::Result<void> setCursor(const std::string& owner, const std::string& value);

private:
    struct AuditQueue;

    std::unique_ptr<Database> database_;
    /// Audit appends waiting to be written together (see `appendAudit`).
    std::unique_ptr<AuditQueue> audit_queue_;
    /// A copy of the push targets, for one write transaction.
    std::vector<std::string> pushTargets() const;

    /// Guards `push_targets_` (written at start-up and by `dropPushTarget`, read by every
    /// write that may create a push job).
    mutable std::mutex push_targets_mutex_;
    /// Adapter instances that take pushes (see `setPushTargets`).
    std::vector<std::string> push_targets_;
};

}  // namespace relais::store
