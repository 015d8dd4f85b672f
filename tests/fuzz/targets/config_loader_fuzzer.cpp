// SPDX-License-Identifier: AGPL-3.0-or-later
// Fuzz target: the configuration loader, relais::config::parseConfig(xml, path): safe
// parse, the built-in relais.xsd, then the reader's cross-reference checks, secret
// reference resolution and path resolution.
//
// The document is named <tmp>/config/relais.xml, where <tmp> is a fresh directory under
// $TMPDIR made at start-up with the secret files the demo config (config/relais.xml)
// references (../var/portal.key…), so the demo seed loads completely and mutations of it
// reach the end of the reader. The directory is removed at exit.
//
// Invariants asserted, besides "no crash, no sanitizer report":
//   - loading either succeeds or throws relais::ConfigError whose message names the file;
//     any other exception escapes and is a finding;
//   - in a loaded config, as config.h documents: every path is absolute and normalised
//     (SourceLocation::file included), instance and inbox names are unique, every route
//     delivers to a declared connector or inbox, every client has a credential, a bearer
//     key is kept only as 64 lowercase hex digits, the port is within 0..65535.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>

#include "relais/common/errors.h"
#include "relais/config/config.h"

#include "fuzz_check.h"

namespace relais::fuzz {
namespace {

std::filesystem::path& scratch() {
    static std::filesystem::path directory;
    return directory;
}

std::string& configPath() {
    static std::string path;
    return path;
}

void removeScratch() {
    std::error_code ignored;
    if (!scratch().empty()) std::filesystem::remove_all(scratch(), ignored);
}

void makeScratch() {
    const char* tmp = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe): start-up
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/relais-fuzz-config-XXXXXX";
    RELAIS_FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr, "cannot create " + pattern);
    scratch() = pattern;
    std::atexit(removeScratch);
    std::filesystem::create_directories(scratch() / "config");
    std::filesystem::create_directories(scratch() / "var");
    // The secrets config/relais.xml refers to; values are arbitrary, only their presence
    // (and non-emptiness) matters to the loader.
    for (const char* name :
         {"portal.key", "business.key", "admin.key", "api-particulier.token",
          "attributes-demo-1.key", "publik.secret", "hmac.secret", "wcs-publik.key"}) {
        std::ofstream(scratch() / "var" / name) << "fuzz-secret-" << name << "\n";
    }
    configPath() = (scratch() / "config" / "relais.xml").string();
}

bool isNormalAbsolute(const std::string& path) {
    if (path.empty()) return true;  // optional paths stay empty
    const std::filesystem::path p(path);
    return p.is_absolute() && p.lexically_normal() == p;
}

bool isLowerHex64(const std::string& text) {
    return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

void checkConfig(const config::Config& config) {
    RELAIS_FUZZ_CHECK(config.path == configPath(), config.path);
    const auto path_ok = [&](const std::string& path, std::string_view what) {
        RELAIS_FUZZ_CHECK(isNormalAbsolute(path),
                          std::string(what) + " is not absolute and normalised: " + path);
    };
    const auto where_ok = [&](const config::SourceLocation& where) {
        RELAIS_FUZZ_CHECK(where.file.empty() || where.file == config.path, where.file);
        RELAIS_FUZZ_CHECK(where.line >= 0, "negative line");
    };
    path_ok(config.store.path, "store path");
    path_ok(config.store.blob_directory, "blob directory");
    path_ok(config.plugin_directory, "plugin directory");
    path_ok(config.data_directory, "data directory");
    path_ok(config.server.tls.certificate_file, "TLS certificate");
    path_ok(config.server.tls.key_file, "TLS key");
    path_ok(config.server.tls.ca_file, "TLS CA");
    path_ok(config.log.file, "log file");
    where_ok(config.server.where);
    where_ok(config.store.where);
    RELAIS_FUZZ_CHECK(config.server.port >= 0 && config.server.port <= 65535, "port");

    std::set<std::string> names;
    std::set<std::string> connectors;
    for (const auto& instance : config.instances) {
        RELAIS_FUZZ_CHECK(names.insert(instance.name).second, "instance twice: " + instance.name);
        if (instance.kind == config::InstanceKind::Connector) connectors.insert(instance.name);
        where_ok(instance.where);
    }
    for (const auto& inbox : config.inboxes) {
        RELAIS_FUZZ_CHECK(names.insert(inbox.name).second, "inbox name reused: " + inbox.name);
        connectors.insert(inbox.name);
        where_ok(inbox.where);
    }
    for (const auto& route : config.routes) {
        RELAIS_FUZZ_CHECK(connectors.count(route.connector) == 1,
                          "route to an unknown connector: " + route.connector);
        path_ok(route.mapping, "route mapping");
        path_ok(route.response_mapping, "route response mapping");
        where_ok(route.where);
    }
    for (const auto& client : config.clients) {
        RELAIS_FUZZ_CHECK(!client.key_sha256.empty() || !client.publik_orig.empty() ||
                              !client.hmac_secret.empty() || !client.certificate_sha256.empty() ||
                              !client.certificate_cn.empty(),
                          "client without credential: " + client.name);
        RELAIS_FUZZ_CHECK(client.key_sha256.empty() || isLowerHex64(client.key_sha256),
                          "bearer key digest is not lowercase hex: " + client.name);
        where_ok(client.where);
    }
    for (const auto& key : config.attributes.keys) {
        path_ok(key.file, "attribute key file");
        where_ok(key.where);
    }
}

}  // namespace
}  // namespace relais::fuzz

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    relais::fuzz::makeScratch();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace relais::fuzz;
    std::shared_ptr<const relais::config::Config> config;
    try {
        config = relais::config::parseConfig(asText(data, size), configPath());
    } catch (const relais::ConfigError& error) {
        if (verbose()) note("refused: " + error.message());
        RELAIS_FUZZ_CHECK(error.message().find(configPath()) != std::string::npos,
                          "a load error that does not name the file: " + error.message());
        return 0;
    }
    RELAIS_FUZZ_CHECK(config != nullptr, "parseConfig returned no config");
    if (verbose()) {
        note("loaded: " + std::to_string(config->instances.size()) + " instances, " +
             std::to_string(config->clients.size()) + " clients, " +
             std::to_string(config->routes.size()) + " routes");
    }
    checkConfig(*config);
    return 0;
}
