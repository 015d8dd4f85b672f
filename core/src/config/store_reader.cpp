// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config/store_reader.h"

#include <filesystem>

#include "relais/config/secrets.h"
#include "relais/config/xml.h"

namespace relais::config::detail {
namespace {

/// `name` in the directory of the SQLite database file.
std::string siblingOfDatabase(const StoreConfig& store, const char* name) {
    return (std::filesystem::path(store.path).parent_path() / name).string();
}

}  // namespace

void readStore(const ElementReader& in, const xmlNode* element, StoreConfig& store) {
    store.where = in.where(element);
    store.engine = in.attributeOr(element, "engine", "sqlite");
    const auto path = xmlAttribute(element, "path");
    const auto dsn = xmlAttribute(element, "dsn");
    const auto blobs = in.pathAttribute(element, "blobs");
    store.read_connections =
        in.intAttribute(element, "read-connections", store.read_connections, 1, 1024);
    store.max_batch = in.intAttribute(element, "max-batch", store.max_batch, 1, 1'000'000);

    if (store.engine == "sqlite") {
        if (!path) {
            in.fail(element,
                    "element 'store': engine 'sqlite' needs the attribute 'path' "
                    "(the database file)");
        }
        if (dsn) {
            in.fail(element,
                    "element 'store', attribute 'dsn': only for engine "
                    "'postgresql'");
        }
        store.path = in.resolvePath(*path);
        store.blob_directory = blobs ? *blobs : siblingOfDatabase(store, "blobs");
    } else if (store.engine == "postgresql") {
        if (!dsn) {
            in.fail(element,
                    "element 'store': engine 'postgresql' needs the attribute 'dsn' "
                    "(a secret reference such as env:RELAIS_DSN)");
        }
        if (path) {
            in.fail(element, "element 'store', attribute 'path': only for engine 'sqlite'");
        }
        // Never quote the value: it may be the connection string, password included.
        if (!isSecretReference(*dsn)) {
            in.fail(element,
                    "element 'store', attribute 'dsn': must be a secret reference "
                    "(env:NAME or file:/path), not the connection string itself: "
                    "secrets are never written in the configuration file");
        }
        store.dsn = in.resolveReference(*dsn);
        if (!blobs) {
            in.fail(element,
                    "element 'store': engine 'postgresql' needs the attribute "
                    "'blobs' (a directory shared by every relais instance)");
        }
        store.blob_directory = *blobs;
    } else {
        in.fail(element, in.attributeContext(element, "engine") + inQuotes(store.engine) +
                             " is not a store engine (sqlite or postgresql)");
    }
}

std::string defaultDataDirectory(const ElementReader& in, const xmlNode* element,
                                 const StoreConfig& store) {
    if (store.engine != "sqlite") {
        in.fail(element, "element 'store': engine " + inQuotes(store.engine) +
                             " needs a <data directory=\"…\"/> element (there is no database "
                             "file to put it beside)");
    }
    return siblingOfDatabase(store, "data");
}

}  // namespace relais::config::detail
