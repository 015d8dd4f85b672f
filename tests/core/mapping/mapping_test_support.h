// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

// Helpers shared by the mapping tests: mappings from inline text, dossiers from JSON.

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "relais/common/errors.h"
#include "relais/mapping/mapping.h"
#include "relais/sdk/dossier.h"
#include "relais/sdk/json.h"

#include "support/temp_dir.h"

namespace relais::mapping::test {

inline constexpr const char* kDossierId = "5f0c8a52-3d3e-4f0b-9a55-1d2e3f4a5b6c";

/// A dossier whose fields are `fields_json`.
inline sdk::Dossier dossierWith(const std::string& fields_json) {
    sdk::Dossier dossier;
    dossier.id = kDossierId;
    dossier.source = "portail";
    dossier.source_key = "RS-1";
    dossier.procedure = "restauration-scolaire";
    auto fields = sdk::Json::parse(fields_json);
    EXPECT_TRUE(fields.ok()) << (fields.ok() ? "" : fields.error().message);
    if (fields.ok()) dossier.fields = std::move(*fields);
    return dossier;
}

/// `<mapping version="1">` around `body`, loaded from `dir/name` (written there first so that
/// relative paths resolve against `dir`).
inline std::shared_ptr<const Mapping> mappingFrom(const relais::test::TempDir& dir,
                                                  const std::string& body,
                                                  const std::string& name = "m.xml") {
    const std::string path = dir.write(
        name, "<?xml version=\"1.0\"?>\n<mapping version=\"1\">\n" + body + "\n</mapping>\n");
    return Mapping::load(path);
}

/// The `ConfigError` message of loading `text` (as `dir/m.xml`), or a test failure.
inline std::string loadError(const relais::test::TempDir& dir, const std::string& text) {
    const std::string path = dir.write("m.xml", text);
    try {
        Mapping::load(path);
    } catch (const ConfigError& error) {
        return error.message();
    }
    ADD_FAILURE() << "loaded without error:\n" << text;
    return {};
}

/// The mapped JSON of `dossier`, or null with a test failure.
inline sdk::Json applyJson(const Mapping& mapping, const sdk::Dossier& dossier) {
    auto payload = mapping.apply(dossier);
    if (!payload) {
        ADD_FAILURE() << "apply failed: " << payload.error().message;
        return {};
    }
    EXPECT_EQ(payload->content_type, "application/json");
    auto json = sdk::Json::parse(payload->body);
    if (!json) {
        ADD_FAILURE() << "output is not JSON: " << payload->body;
        return {};
    }
    return std::move(*json);
}

/// The error of mapping `dossier`, or a test failure.
inline sdk::Error applyError(const Mapping& mapping, const sdk::Dossier& dossier) {
    auto payload = mapping.apply(dossier);
    if (payload) {
        ADD_FAILURE() << "apply succeeded: " << payload->body;
        return {};
    }
    return payload.error();
}

inline sdk::Json json(const std::string& text) {
    auto parsed = sdk::Json::parse(text);
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed.ok() ? std::move(*parsed) : sdk::Json();
}

}  // namespace relais::mapping::test
