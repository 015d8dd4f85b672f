// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "relais/sdk/json.h"

#include "forms.h"
#include "support/temp_dir.h"

/// @file
/// The canteen registration form of the w.c.s. tests, as the double's demo ships it
/// (tests/doubles/wcs-mock/forms/cantine.json): 1 Nouveau → 2 En cours d'instruction →
/// 3 Acceptée | 4 Refusée | 5 En attente de compléments (→ 2).

namespace relais::test {

inline wcs_mock::FormDef cantineForm() {
    const std::string text = readFileOrFail(std::string(RELAIS_SOURCE_DIR) +
                                            "/tests/doubles/wcs-mock/forms/cantine.json");
    auto forms = wcs_mock::parseForms(text);
    if (!forms || forms->size() != 1) {
        ADD_FAILURE() << "cantine.json: " << (forms ? "not one form" : forms.error().message);
        return {};
    }
    return forms->front();
}

inline sdk::Json cantineFields() {
    auto fields = sdk::Json::parse(R"({
        "nom_enfant": "Exemple", "prenom_enfant": "Lou", "date_naissance": "2018-04-02",
        "ecole": "Jules Ferry", "ecole_raw": "12",
        "justificatif": {"filename": "qf.pdf", "content_type": "application/pdf",
                         "url": "https://demarches.ville.example/cantine-inscription/1/download?f=3"}
    })");
    return fields ? *fields : sdk::Json();
}

inline sdk::Json cantineUser() {
    auto user = sdk::Json::parse(
        R"({"id": 5, "name": "Camille Exemple", "email": "camille@example.org", "NameID": ["a1b2c3d4e5"]})");
    return user ? *user : sdk::Json();
}

}  // namespace relais::test
