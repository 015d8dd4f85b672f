// SPDX-License-Identifier: AGPL-3.0-or-later
#include "store/sqlite_migrations.h"

#include <array>

// Conventions of the schema (they hold for the PostgreSQL schema too):
// - timestamps that relais makes (created_at, recorded_at, leases…) are INTEGER unix
//   microseconds, UTC; instants that come from outside (a dossier's submitted_at, an event's
//   occurred_at) keep their RFC 3339 text with the offset the source used;
// - JSON documents are TEXT; ciphertext and raw payloads are BLOB;
// - text columns that may be absent are NOT NULL DEFAULT '' rather than NULL, except foreign
//   keys, where NULL means "none".

namespace relais::store {
namespace {

constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE raw_payloads (
    sha256       TEXT PRIMARY KEY,
    content_type TEXT NOT NULL DEFAULT '',
    body         BLOB NOT NULL,
    created_at   INTEGER NOT NULL
);

CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    location   TEXT NOT NULL,
    data       BLOB,
    created_at INTEGER NOT NULL
);

CREATE TABLE subjects (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('person', 'company')),
    fc_sub     TEXT NOT NULL DEFAULT '',
    pivot_hash TEXT NOT NULL DEFAULT '',
    siren      TEXT NOT NULL DEFAULT '',
    siret      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX subjects_fc_sub ON subjects (fc_sub) WHERE fc_sub <> '';
CREATE UNIQUE INDEX subjects_pivot_hash ON subjects (pivot_hash) WHERE pivot_hash <> '';
CREATE UNIQUE INDEX subjects_siret ON subjects (siret) WHERE siret <> '';
CREATE UNIQUE INDEX subjects_siren ON subjects (siren) WHERE siren <> '' AND siret = '';

CREATE TABLE dossiers (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    source_key    TEXT NOT NULL,
    procedure     TEXT NOT NULL,
    subject_id    TEXT REFERENCES subjects (id),
    subject       TEXT,
    submitted_at  TEXT NOT NULL,
    status        TEXT NOT NULL,
    portal_status TEXT NOT NULL DEFAULT '',
    fields        TEXT NOT NULL,
    raw_sha256    TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (source, source_key)
);
CREATE INDEX dossiers_subject ON dossiers (subject_id) WHERE subject_id IS NOT NULL;

CREATE TABLE attachments (
    dossier_id   TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    storage_ref  TEXT NOT NULL DEFAULT '',
    source_url   TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (dossier_id, position)
);

CREATE TABLE events (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    dossier_id       TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    type             TEXT NOT NULL,
    side             TEXT NOT NULL CHECK (side IN ('portal', 'backoffice', 'relais')),
    source           TEXT NOT NULL DEFAULT '',
    source_event_key TEXT NOT NULL DEFAULT '',
    source_version   TEXT NOT NULL DEFAULT '',
    occurred_at      TEXT NOT NULL,
    actor            TEXT NOT NULL DEFAULT '',
    payload          TEXT NOT NULL,
    is_public        INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
    recorded_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX events_source_key ON events (dossier_id, source, source_event_key)
    WHERE source_event_key <> '';
CREATE INDEX events_dossier ON events (dossier_id, seq);

CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    dossier_id      TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    route           TEXT NOT NULL DEFAULT '',
    target          TEXT NOT NULL,
    event_id        TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL
        CHECK (state IN ('pending', 'running', 'done', 'dead', 'awaiting_ack')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_by      TEXT NOT NULL DEFAULT '',
    lease_until     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX jobs_claim ON jobs (state, next_attempt_at);
CREATE INDEX jobs_dossier ON jobs (dossier_id);

CREATE TABLE links (
    dossier_id  TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    target      TEXT NOT NULL,
    business_id TEXT NOT NULL,
    display_id  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (dossier_id, target)
);
CREATE INDEX links_business ON links (target, business_id);

-- value holds AES-256-GCM ciphertext (never clear text); key_id names the key that sealed it.
-- level is the certification level (higher is stronger); valid_until and retain_until are
-- 0 when there is no limit; current is 1 for the attribute's value in force.
CREATE TABLE attributes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id   TEXT NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    value        BLOB NOT NULL,
    key_id       TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL,
    level        INTEGER NOT NULL DEFAULT 0,
    process      TEXT NOT NULL DEFAULT '',
    verified_at  INTEGER NOT NULL,
    valid_until  INTEGER NOT NULL DEFAULT 0,
    legal_basis  TEXT NOT NULL DEFAULT '',
    retain_until INTEGER NOT NULL DEFAULT 0,
    current      INTEGER NOT NULL DEFAULT 1 CHECK (current IN (0, 1)),
    recorded_at  INTEGER NOT NULL
);
CREATE INDEX attributes_current ON attributes (subject_id, name, current);

-- Append-only and hash-chained: hash = H(prev_hash || row). No foreign keys, so that
-- purging a dossier or a subject leaves the trail of who read it.
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    client     TEXT NOT NULL,
    subject_id TEXT NOT NULL DEFAULT '',
    dossier_id TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '',
    procedure  TEXT NOT NULL DEFAULT '',
    purpose    TEXT NOT NULL DEFAULT '',
    outcome    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
);
-- Rows are never rewritten (retention may delete the oldest ones, never edit them).
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit rows cannot be updated');
END;

CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    response     TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

CREATE TABLE cursors (
    owner      TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE nonces (
    nonce      TEXT PRIMARY KEY,
    seen_at    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX nonces_expiry ON nonces (expires_at);
)sql";

// Pull inbox: mapped payloads waiting for applications that fetch their dossiers, and the
// lookup of a dossier's job awaiting an acknowledgement for a target.
constexpr const char* kInbox = R"sql(
CREATE TABLE inbox_items (
    job_id       TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    target       TEXT NOT NULL,
    dossier_id   TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    route        TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    acked_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inbox_pending ON inbox_items (target, acked_at, created_at);
CREATE INDEX jobs_acknowledgement ON jobs (dossier_id, target, state);
)sql";

// Subjects and attributes at prefill speed, and the purges and audit reads by index:
// - the value in force for (subject, name) is one row of a partial index over current rows
//   only (prefill reads nothing else), which also makes it unique;
// - a subject's whole history (export, erasure, the cascade of a deleted subject) by subject;
// - purges by retention limit and by validity of non-current values, each on the rows that
//   have such a limit only;
// - the audit trail of one subject, newest first.
constexpr const char* kSubjectAttributes = R"sql(
DROP INDEX attributes_current;
CREATE UNIQUE INDEX attributes_in_force ON attributes (subject_id, name) WHERE current = 1;
CREATE INDEX attributes_subject ON attributes (subject_id, id);
CREATE INDEX attributes_retention ON attributes (retain_until) WHERE retain_until > 0;
CREATE INDEX attributes_expiry ON attributes (valid_until) WHERE current = 0 AND valid_until > 0;
CREATE INDEX audit_subject ON audit (subject_id, seq);
)sql";

// Status sync (docs/status-sync.md):
// - a dossier's status keeps its sub-status (the portal's or the application's own code and
//   label) and what set it: the event, and its side (a decision crossing the other side's is
//   a conflict);
// - an event records what became of it (applied, stale, conflict);
// - the newest source version applied per (dossier, source), for ordering;
// - push jobs of one dossier run in order (push_seq);
// - conflicts wait for an operator.
constexpr const char* kStatusSync = R"sql(
ALTER TABLE dossiers ADD COLUMN sub_status_code TEXT NOT NULL DEFAULT '';
ALTER TABLE dossiers ADD COLUMN sub_status_label TEXT NOT NULL DEFAULT '';
ALTER TABLE dossiers ADD COLUMN status_event_id TEXT NOT NULL DEFAULT '';
ALTER TABLE dossiers ADD COLUMN status_side TEXT NOT NULL DEFAULT 'portal';
ALTER TABLE events ADD COLUMN outcome TEXT NOT NULL DEFAULT 'applied'
    CHECK (outcome IN ('applied', 'stale', 'conflict'));
ALTER TABLE jobs ADD COLUMN push_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_push_order ON jobs (dossier_id, kind, push_seq);
CREATE TABLE event_sources (
    dossier_id   TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    source       TEXT NOT NULL,
    last_version TEXT NOT NULL,
    PRIMARY KEY (dossier_id, source)
);
CREATE TABLE conflicts (
    id                TEXT PRIMARY KEY,
    dossier_id        TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    state             TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
    current_event_id  TEXT NOT NULL,
    incoming_event_id TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    resolved_at       INTEGER NOT NULL DEFAULT 0,
    resolved_by       TEXT NOT NULL DEFAULT '',
    resolution        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX conflicts_state ON conflicts (state, created_at);
CREATE INDEX conflicts_dossier ON conflicts (dossier_id);
)sql";

constexpr std::array kMigrations{
    Migration{1, "initial schema", kInitialSchema},
    Migration{2, "pull inbox", kInbox},
    Migration{3, "subject attributes and audit indexes", kSubjectAttributes},
    Migration{4, "status sync", kStatusSync},
};

}  // namespace

std::span<const Migration> sqliteMigrations() noexcept { return kMigrations; }

}  // namespace relais::store
