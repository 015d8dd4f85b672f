// SPDX-License-Identifier: AGPL-3.0-or-later
#include "micro_support.h"

#include <cstdlib>
#include <stdexcept>

#include "relais/config/config.h"

namespace relais::micro {

bool smokeRun() { return std::getenv("RELAIS_MICRO_SMOKE") != nullptr; }

const std::string& dossierText() {
    static const std::string text = test::readSourceFile("tests/fixtures/bench/dossier.json");
    return text;
}

TempStore::TempStore() {
    config::StoreConfig config;
    config.engine = "sqlite";
    config.path = dir.file("relais.db");
    config.read_connections = 4;
    store = store::Store::open(config);
}

sdk::Dossier workloadDossier() {
    auto fields = sdk::Json::parse(dossierText());
    if (!fields) throw std::runtime_error("dossier.json: " + fields.error().message);
    sdk::Dossier dossier;
    dossier.source = "bench";
    dossier.source_key = "RS-2026-004217";
    dossier.procedure = "cantine";
    dossier.submitted_at = sdk::Timestamp::parse("2026-11-14T10:30:00+01:00").value();
    dossier.fields = std::move(fields).value();
    return dossier;
}

}  // namespace relais::micro
