// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "relais/sdk/json.h"

#include "ds_mock.h"
#include "ds_state_machine.h"
#include "ds_time.h"
#include "files.h"
#include "schema.h"

/// @file
/// The double's data (internal): démarches, dossiers as schema-shaped JSON trees, deleted
/// dossiers, files, recorded mutation calls, and the changes DS makes to a dossier (state,
/// traitements, messages), each one moving `dateDerniereModification`. Not thread-safe:
/// DsMock holds its mutex around every use.

namespace relais::ds_mock {

struct StoredDossier {
    int number = 0;
    int demarche = 0;
    sdk::Json data;               ///< the Dossier object
    std::int64_t updated_us = 0;  ///< DS's `updated_at`: order and `updatedSince`
    std::int64_t depose_us = 0;   ///< DS's `depose_at`: order without `updatedSince`
    bool pending_correction = false;
};

struct StoredDeletion {
    int demarche = 0;
    std::int64_t deleted_us = 0;
    sdk::Json data;  ///< the DeletedDossier object
};

struct Store {
    Store(Options opts, Schema parsed);

    Options options;
    Schema schema;
    DsClock clock;
    std::string base_url;
    std::map<int, sdk::Json> demarches;  ///< number → Demarche object
    std::map<int, StoredDossier> dossiers;
    std::vector<StoredDeletion> deletions;
    FileStore files;
    std::vector<MutationCall> calls;
    std::size_t graphql_requests = 0;
    int next_number = 1;
    std::int64_t next_object_id = 1;

    /// `<Type>-<n>` in base64, n taken from a counter (messages, traitements…).
    std::string newId(const std::string& type);
    std::string now() const { return clock.format(clock.nowMicros()); }

    /// Normalises and stores a dossier (see DsMock::addDossier); returns its number.
    int add(int demarche, sdk::Json dossier);
    StoredDossier* find(int number);
    /// The dossier of a GraphQL id (`Dossier-<n>` in base64); null when none.
    StoredDossier* findById(const std::string& id);

    /// Records a change: `updated_at` and `dateDerniereModification` move (by a second at
    /// least, so that the change shows at DS's precision).
    void touch(StoredDossier& dossier);
    /// Moves the dossier to `state` with a traitement (event, agent, motivation).
    void transition(StoredDossier& dossier, const std::string& state, const std::string& event,
                    const std::string& agent_email, const std::string& motivation);
    /// Appends a message; `correction` (a CorrectionReason) flags a correction request as
    /// DS's `flag_as_pending_correction!` does. Returns the Message object.
    sdk::Json addMessage(StoredDossier& dossier, const std::string& body, const std::string& email,
                         const std::string& correction, const sdk::Json& attachment);

private:
    void storeFiles(sdk::Json& node);
};

}  // namespace relais::ds_mock
