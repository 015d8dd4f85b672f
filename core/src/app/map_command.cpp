// SPDX-License-Identifier: AGPL-3.0-or-later
#include "map_command.h"

#include <chrono>
#include <memory>
#include <ostream>

#include "relais/common/errors.h"
#include "relais/common/files.h"
#include "relais/mapping/mapping.h"
#include "relais/sdk/dossier.h"
#include "relais/sdk/json.h"

namespace relais::app {
namespace {

// Exit codes after sysexits.h.
constexpr int kExitOk = 0;
constexpr int kExitUsage = 64;
constexpr int kExitDataError = 65;
constexpr int kExitSoftware = 70;
constexpr int kExitConfig = 78;

constexpr std::size_t kMaxInputBytes = std::size_t{64} * 1024 * 1024;

// Whole seconds: `$dossier.submitted_at` reads better without a fraction.
sdk::Timestamp now() {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    return sdk::Timestamp::fromUnixSeconds(static_cast<std::int64_t>(seconds));
}

}  // namespace

int runMapCommand(const MapCommandOptions& options, std::ostream& out, std::ostream& err) {
    if (options.mapping.empty() || options.input.empty()) {
        err << "relais map: --mapping FILE and --input FILE are required\n"
               "usage: relais map --mapping FILE --input dossier.json [--procedure CODE] "
               "[--source-key PATH]\n";
        return kExitUsage;
    }
    std::shared_ptr<const mapping::Mapping> mapping;
    try {
        mapping = mapping::Mapping::load(options.mapping);
    } catch (const ConfigError& e) {
        err << e.message() << '\n';
        return kExitConfig;
    }

    auto text = common::readFile(options.input, kMaxInputBytes);
    if (!text) {
        err << "relais map: " << text.error().message << '\n';
        return kExitDataError;
    }
    auto body = sdk::Json::parse(*text);
    if (!body) {
        err << "relais map: " << options.input << ": " << body.error().message << '\n';
        return kExitDataError;
    }
    if (!body->isObject()) {
        err << "relais map: " << options.input
            << ": expected a JSON object (the body a portal posts), not another JSON value\n";
        return kExitDataError;
    }

    sdk::Dossier dossier;
    dossier.id = std::string(kMapCommandDossierId);
    dossier.source = "map";
    dossier.procedure = options.procedure.empty() ? "example" : options.procedure;
    dossier.submitted_at = now();
    dossier.version = 1;
    if (!options.source_key.empty()) {
        const sdk::Json* key = body->path(options.source_key);
        if (key == nullptr || !(key->isString() || key->isNumber()) ||
            (key->isString() && key->asString().empty())) {
            err << "relais map: " << options.input << ": --source-key '" << options.source_key
                << "': no such field, or not a non-empty string or number\n";
            return kExitDataError;
        }
        dossier.source_key = key->isString() ? key->asString() : key->dump();
    }
    dossier.fields = std::move(*body);

    auto payload = mapping->apply(dossier);
    if (!payload) {
        const sdk::Error& error = payload.error();
        err << "relais map: " << error.message << '\n';
        if (!error.field.empty()) err << "  field: " << error.field << '\n';
        return error.code == sdk::ErrorCode::InvalidArgument ? kExitDataError : kExitSoftware;
    }
    if (mapping->format() == mapping::OutputFormat::Json) {
        sdk::JsonParseOptions parse_options;
        parse_options.max_depth = 1024;  // the output may nest deeper than a portal may
        auto parsed = sdk::Json::parse(payload->body, parse_options);
        if (!parsed) {
            err << "relais map: internal error: the mapped JSON does not parse: "
                << parsed.error().message << '\n';
            return kExitSoftware;
        }
        out << parsed->dump(2) << '\n';
    } else {
        out << payload->body;
        if (!payload->body.empty() && payload->body.back() != '\n') out << '\n';
    }
    return kExitOk;
}

}  // namespace relais::app
