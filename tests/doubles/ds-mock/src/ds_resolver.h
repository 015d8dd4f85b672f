// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>

#include "ds_store.h"
#include "executor.h"

/// @file
/// The fields of DS's schema that have arguments or behaviour: `demarche`, `dossier`,
/// `Demarche.dossiers` / `deletedDossiers` (cursor pagination), `Dossier.champs(id)`…,
/// `File.url` (a fresh expiring URL), and the mutations (ds_mutations.cpp). Every other
/// field is read from the stored JSON. Used under DsMock's mutex, one request at a time.

namespace relais::ds_mock {

class DsResolver final : public Resolver {
public:
    DsResolver(Store& store, bool write_access) : store_(store), write_access_(write_access) {}

    std::optional<Resolved> resolve(const FieldCall& call) override;

private:
    std::optional<Resolved> query(const FieldCall& call);
    Resolved dossierConnection(const FieldCall& call);
    Resolved deletedConnection(const FieldCall& call);
    Resolved mutate(const FieldCall& call);
    Resolved decide(const FieldCall& call, StoredDossier& dossier, const sdk::Json& input,
                    sdk::Json payload);

    Store& store_;
    bool write_access_;
};

}  // namespace relais::ds_mock
