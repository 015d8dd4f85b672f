// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/json.h"

/// @file
/// A Démarches Simplifiées ("Démarche Numérique") GraphQL API v2 double on 127.0.0.1
/// (Poco::Net), built on DS's published schema and written from DS's public sources, never
/// from relais's DS adapter, so that it checks it. It serves `POST /api/v2/graphql` with its
/// own GraphQL executor (validation against the schema with graphql-ruby's messages,
/// aliases, fragments, variables), paginates `dossiers` / `deletedDossiers` with DS's opaque
/// cursors, enforces DS's state machine in the mutations with DS's French errors ("Le
/// dossier est déjà en instruction"), refuses mutations to a read-only token, serves file
/// URLs that expire (403 afterwards) and direct uploads. See README.md.

namespace relais::ds_mock {

struct StorageAnswer;
class HttpFront;

/// How the double is set up. The defaults match the sample data and the demo.
struct Options {
    /// Bearer token with write access (DS: a token "lecture et écriture").
    std::string token = "ds-token-rw";
    /// Bearer token configured read-only: queries pass, every mutation is refused with
    /// `Le jeton utilisé est configuré seulement en lecture`.
    std::string read_only_token = "ds-token-ro";
    /// The instructeur allowed to act on every dossier (`Instructeur-1` as a GraphQL id).
    std::string instructeur_id = "SW5zdHJ1Y3RldXItMQ==";
    /// That instructeur's e-mail (messages and traitements show it).
    std::string instructeur_email = "instructeur@example.org";
    /// How long a `File.url` stays valid.
    std::chrono::seconds file_ttl{300};
    std::string address = "127.0.0.1";
    int port = 0;  ///< 0: any free port
    /// The SDL read at start; default: tests/fixtures/portals/ds/schema.graphql.
    std::string schema_path;
    /// The double's clock (dates, file URL expiry); default: the system clock.
    std::function<std::chrono::system_clock::time_point()> clock;
};

/// One mutation as the double received it.
struct MutationCall {
    std::string mutation;  ///< `dossierAccepter`…
    int dossier = 0;       ///< the dossier's number, 0 when its id named none
    sdk::Json variables;   ///< the mutation's `input` argument, coerced
    bool ok = false;       ///< no error (neither payload `errors` nor a GraphQL error)
    std::string error;     ///< the first error message otherwise
};

/// The folder of the sample dossiers (JSON files, see README.md), for tests.
std::string sampleDossiersDir();
/// A sample dossier by file name (`personne-physique-tous-champs.json`). Throws
/// `std::runtime_error` when it cannot be read or parsed.
sdk::Json loadSampleDossier(const std::string& file_name);

/// Thread-safety: every public method may be called from any thread while the server runs;
/// one mutex guards all the data (`mutex_`).
class DsMock {
public:
    using Call = MutationCall;

    /// Reads the schema and starts listening. Throws `std::runtime_error` when the schema
    /// cannot be read or parsed, `Poco::Exception` when the socket cannot be bound.
    explicit DsMock(Options options = {});
    ~DsMock();
    DsMock(const DsMock&) = delete;
    DsMock& operator=(const DsMock&) = delete;

    int port() const noexcept;
    /// `http://127.0.0.1:<port>`
    std::string baseUrl() const;
    /// `http://127.0.0.1:<port>/api/v2/graphql`
    std::string graphqlUrl() const;

    /// A published démarche.
    void addDemarche(int number, std::string title);

    /// Adds a dossier of démarche `demarche` (which must exist) and returns its number.
    /// `dossier` is a `Dossier` object as the schema shapes it, every object carrying
    /// `__typename` (champs, demandeur…). The double fills what is missing: `number` (when
    /// absent or 0: the next free one), `id` (`Dossier-<number>` in base64), `state`
    /// (`en_construction`), `dateDepot`, `datePassageEnConstruction` and
    /// `dateDerniereModification` (now), a `depose` traitement, an usager, a groupe
    /// instructeur, empty lists. A `File` object may carry its bytes in `content` (UTF-8
    /// text) or `contentBase64`: they are stored, stripped, and the double fills
    /// `checksum`, `byteSize`, `byteSizeBigInt` and serves `url`. Throws
    /// `std::invalid_argument` for an unknown démarche, a taken number or an unknown state.
    int addDossier(int demarche, sdk::Json dossier);

    /// Removes a dossier; it then appears in `deletedDossiers` with `reason`.
    void deleteDossier(int number, std::string reason = "user_request");

    /// An instructeur acting on DS's own web interface: sets `state` (a DossierState
    /// value) with a traitement (and `motivation` for a decision), no API call recorded.
    /// Throws `std::invalid_argument` for an unknown dossier or state.
    void changeState(int number, const std::string& state, const std::string& motivation = {});

    /// A message from the citizen (`email`) in the dossier's messagerie.
    void addMessage(int number, const std::string& body, const std::string& email);

    /// The citizen has made the corrections asked for: pending corrections get a
    /// `dateResolution` and the dossier may be passed en instruction again.
    void resolveCorrections(int number);

    /// The dossier as stored (with internal `__blob` keys on files); null when unknown.
    sdk::Json dossier(int number) const;
    /// The dossier's state; empty when unknown.
    std::string stateOf(int number) const;

    /// Every mutation received, in order.
    std::vector<Call> calls() const;
    /// How many calls of `mutation` succeeded.
    std::size_t succeeded(std::string_view mutation) const;
    /// The dossier's messages (`Message` objects: id, body, createdAt, email, attachments,
    /// `correction {reason dateResolution}` or null).
    std::vector<sdk::Json> messagesOf(int number) const;

    /// Every file URL given so far answers 403 from now on (as after their expiry).
    void expireFileUrls();
    /// Successful file downloads so far.
    std::size_t fileDownloads() const;
    /// GraphQL requests answered so far (any status).
    std::size_t graphqlRequests() const;

    /// Problems of a stored dossier against the schema (unknown members, wrong types,
    /// unknown enum values, missing `__typename`); empty when it conforms.
    std::vector<std::string> checkDossier(int number) const;

private:
    struct State;

    /// One HTTP request: the GraphQL endpoint, file downloads, direct uploads.
    StorageAnswer handle(const std::string& method, const std::string& path,
                         const std::string& query, const std::string& authorization,
                         std::string body);

    mutable std::mutex mutex_;  // guards state_
    std::unique_ptr<State> state_;
    std::unique_ptr<HttpFront> server_;
};

}  // namespace relais::ds_mock
