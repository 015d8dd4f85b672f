// SPDX-License-Identifier: AGPL-3.0-or-later
// Fuzz target: the generic JSON portal adapter (adapters/json), i.e. what turns a body
// POSTed to /v1/adapters/{instance}/inbound and its headers into a canonical dossier, with
// sdk::Json::parse (strict, depth-limited) under it.
//
// Input: a raw body (the corpus is real dossiers), optionally preceded by a header block —
// `Name: value` lines, then an empty line — as on the wire. Without a `Content-Type`
// header the body is sent as `application/json`. Each input goes through two adapter
// instances configured through `configure()` like the daemon does:
//   - "portail": the demo config (config/relais.xml): source-key, fixed procedure,
//     DD/MM/YYYY submission date, required fields;
//   - "riche": every setting (procedure read from the body, portal status, FranceConnect
//     sub, SIRET, attachments with renamed members) and no source-key, so the
//     Idempotency-Key header becomes the dossier's key.
//
// Invariants asserted, besides "no crash, no sanitizer report, no exception":
//   - Json::parse with the depth limit: a parse with max_depth 4 succeeds exactly when the
//     parse with the default limit (64, the daemon's) succeeds and the value nests at most
//     4 deep; nothing deeper than 64 is ever accepted; a strict parse that
//     succeeds also succeeds without the duplicate-key check, with an equal value;
//   - serialisation round trip: parse(dump(v)) == v, and dump is a fixed point
//     (dump(parse(dump(v))) == dump(v)), compact and indented;
//   - an accepted dossier: `fields` is the whole body (== parse(body)), an object; procedure
//     set; source key set (from the configured path, or exactly the Idempotency-Key);
//     SIRET = 14 digits and SIREN its first 9; attachment digests empty or 64 hex digits,
//     sizes ≥ 0; every error is InvalidArgument.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <strings.h>

#include "relais/sdk/host.h"
#include "relais/sdk/json.h"
#include "relais/sdk/settings.h"

#include "fuzz_check.h"
#include "json_adapter.h"

namespace relais::fuzz {
namespace {

using adapters::json::JsonAdapter;

const sdk::Timestamp kNow = sdk::Timestamp::fromUnixSeconds(1'800'000'000);

// The host services the adapter may touch while parsing: a fixed clock and an instance
// name. Nothing here does I/O; pushEvent (HTTP) is not fuzzed.
class QuietLogger final : public sdk::Logger {
public:
    bool enabled(sdk::LogLevel) const noexcept override { return false; }
    void log(sdk::LogLevel, std::string_view, const std::vector<sdk::LogField>&) noexcept override {
    }
};

class FixedClock final : public sdk::Clock {
public:
    sdk::Timestamp now() const noexcept override { return kNow; }
    std::int64_t monotonicMicros() const noexcept override { return kNow.micros; }
};

class NoHttp final : public sdk::HttpClient {
public:
    sdk::Result<sdk::HttpResponse> send(const sdk::HttpRequest&) override {
        return sdk::fail(sdk::ErrorCode::Unavailable, "no network while fuzzing");
    }
};

class NoMetrics final : public sdk::Metrics {
public:
    void increment(std::string_view, const sdk::MetricLabels&, double) noexcept override {}
    void set(std::string_view, double, const sdk::MetricLabels&) noexcept override {}
    void observe(std::string_view, double, const sdk::MetricLabels&) noexcept override {}
};

class NoSecrets final : public sdk::Secrets {
public:
    sdk::Result<std::string> resolve(std::string_view) const override {
        return sdk::fail(sdk::ErrorCode::NotFound, "no secrets while fuzzing");
    }
};

class FuzzHost final : public sdk::Host {
public:
    explicit FuzzHost(std::string name) : name_(std::move(name)) {}
    const std::string& instanceName() const noexcept override { return name_; }
    sdk::Logger& logger() noexcept override { return logger_; }
    const sdk::Clock& clock() const noexcept override { return clock_; }
    sdk::HttpClient& http() noexcept override { return http_; }
    sdk::Metrics& metrics() noexcept override { return metrics_; }
    const sdk::Secrets& secrets() const noexcept override { return secrets_; }
    const std::string& dataDirectory() const noexcept override { return data_directory_; }

private:
    std::string name_;
    QuietLogger logger_;
    FixedClock clock_;
    NoHttp http_;
    NoMetrics metrics_;
    NoSecrets secrets_;
    std::string data_directory_;
};

sdk::Setting text(std::string name, std::string value) {
    sdk::Setting setting;
    setting.name = std::move(name);
    setting.text = std::move(value);
    return setting;
}

sdk::Setting list(std::string name, std::vector<std::string> values) {
    sdk::Setting setting;
    setting.name = std::move(name);
    setting.type = sdk::ConfigType::List;
    for (const auto& value : values) {
        if (!setting.text.empty()) setting.text += ", ";
        setting.text += value;
    }
    setting.list = std::move(values);
    return setting;
}

sdk::Setting duration(std::string name, std::int64_t milliseconds) {
    sdk::Setting setting;
    setting.name = std::move(name);
    setting.type = sdk::ConfigType::Duration;
    setting.text = std::to_string(milliseconds) + "ms";
    setting.integer = milliseconds;
    return setting;
}

// Settings as the plugin host hands them over: every key with a default is present.
std::vector<sdk::Setting> withDefaults(std::vector<sdk::Setting> settings) {
    settings.push_back(duration("callback-timeout", 10'000));
    return settings;
}

struct Instance {
    FuzzHost host;
    JsonAdapter adapter;
    bool has_source_key;

    Instance(std::string name, const std::vector<sdk::Setting>& settings, bool source_key)
        : host(std::move(name)), adapter(host), has_source_key(source_key) {
        auto configured = adapter.configure(sdk::Settings(withDefaults(settings)));
        RELAIS_FUZZ_CHECK(configured.ok(), configured.error().message);
    }
};

Instance& demoInstance() {
    static Instance instance(
        "portail",
        {text("source-key", "numero_dossier"), text("procedure", "restauration-scolaire"),
         text("submitted-at", "date_depot"),
         list("required-fields", {"numero_dossier", "demandeur", "enfants"})},
        true);
    return instance;
}

Instance& richInstance() {
    static Instance instance(
        "riche",
        {text("procedure-field", "metadonnees.identifiant_demarche"),
         text("submitted-at", "date_depot"), text("portal-status", "statut"),
         list("required-fields", {"demandeur.nom_usage", "enfants[0].prenom"}),
         text("subject-france-connect", "demandeur.identifiant_franceconnect"),
         text("subject-siret", "entreprise.siret"), text("attachments", "pieces_jointes"),
         text("attachment-url", "url"), text("attachment-name", "nom_fichier"),
         text("attachment-content-type", "type_mime"),
         text("attachment-sha256", "empreinte_sha256"), text("attachment-size", "taille_octets"),
         text("attachment-kind", "type_piece")},
        false);
    return instance;
}

// Nesting depth as the parser counts it: a scalar is 0, a container 1 + its deepest child.
int nestingDepth(const sdk::Json& value) {
    int deepest = 0;
    if (const auto* array = value.arrayIf()) {
        for (const auto& item : *array) deepest = std::max(deepest, nestingDepth(item));
        return deepest + 1;
    }
    if (const auto* object = value.objectIf()) {
        for (const auto& member : *object) deepest = std::max(deepest, nestingDepth(member.value));
        return deepest + 1;
    }
    return 0;
}

bool isHex(std::string_view text) {
    return text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

bool isDigits(std::string_view text) {
    return text.find_first_not_of("0123456789") == std::string_view::npos;
}

// Splits an optional header block off the input. A block is recognised only when the
// first line looks like a header field (`token: …`), so a bare JSON body is all body.
void splitRequest(std::string_view input, sdk::InboundRequest& request) {
    request.method = "POST";
    request.content_type = "application/json";
    request.client = "fuzz";
    const auto first_colon = input.find(':');
    const auto first_newline = input.find('\n');
    const bool looks_like_header =
        first_colon != std::string_view::npos && first_colon > 0 && first_colon < first_newline &&
        input.substr(0, first_colon)
                .find_first_not_of(
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
            std::string_view::npos;
    if (looks_like_header) {
        for (;;) {
            const auto end = input.find('\n');
            std::string_view line = input.substr(0, end);
            input = end == std::string_view::npos ? std::string_view{} : input.substr(end + 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (line.empty()) break;
            const auto colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
                value.remove_prefix(1);
            }
            std::string name(line.substr(0, colon));
            if (strcasecmp(name.c_str(), "Content-Type") == 0) request.content_type = value;
            request.headers.emplace_back(std::move(name), std::string(value));
            if (end == std::string_view::npos) break;
        }
    }
    request.body = std::string(input);
}

std::string idempotencyKey(const sdk::InboundRequest& request) {
    // The whole name, NUL bytes included: `Idempotency-Key\0…` is another header.
    constexpr std::string_view kName = "Idempotency-Key";
    for (const auto& [name, value] : request.headers) {
        if (name.size() == kName.size() &&
            strncasecmp(name.c_str(), kName.data(), kName.size()) == 0) {
            return value;
        }
    }
    return {};
}

void checkJsonParser(std::string_view body) {
    sdk::JsonParseOptions unlimited;  // the default limit, 64, as the daemon's max-json-depth
    auto full = sdk::Json::parse(body, unlimited);

    sdk::JsonParseOptions shallow;
    shallow.max_depth = 4;
    auto limited = sdk::Json::parse(body, shallow);

    if (!full) {
        RELAIS_FUZZ_CHECK(!limited, "a depth-limited parse accepted what the full parse refused");
        RELAIS_FUZZ_CHECK(full.error().code == sdk::ErrorCode::InvalidArgument,
                          full.error().message);
        return;
    }
    const int depth = nestingDepth(*full);
    RELAIS_FUZZ_CHECK(depth <= unlimited.max_depth, "accepted a document deeper than the limit");
    RELAIS_FUZZ_CHECK(limited.ok() == (depth <= shallow.max_depth),
                      "max_depth=4 " + std::string(limited ? "accepted" : "refused") +
                          " a document of depth " + std::to_string(depth));
    if (limited) RELAIS_FUZZ_CHECK(*limited == *full, "depth limit changed the value");

    sdk::JsonParseOptions lenient;
    lenient.reject_duplicate_keys = false;
    auto duplicates_allowed = sdk::Json::parse(body, lenient);
    RELAIS_FUZZ_CHECK(duplicates_allowed && *duplicates_allowed == *full,
                      "allowing duplicate keys changed a strict document");

    for (const int indent : {0, 2}) {
        const std::string dumped = full->dump(indent);
        auto again = sdk::Json::parse(dumped, unlimited);
        RELAIS_FUZZ_CHECK(again.ok(), "dump produced unparsable JSON: " + dumped.substr(0, 200));
        RELAIS_FUZZ_CHECK(*again == *full, "parse(dump(v)) != v: " + dumped.substr(0, 200));
        RELAIS_FUZZ_CHECK(again->dump(indent) == dumped, "dump is not a fixed point");
    }
    std::string appended = "x";
    full->dumpTo(appended);
    RELAIS_FUZZ_CHECK(appended == "x" + full->dump(), "dumpTo differs from dump");
}

void checkDossier(const Instance& instance, const sdk::InboundRequest& request,
                  const sdk::Result<sdk::InboundBatch>& batch) {
    if (!batch) {
        if (verbose()) note(instance.host.instanceName() + ": refused: " + batch.error().message);
        RELAIS_FUZZ_CHECK(batch.error().code == sdk::ErrorCode::InvalidArgument,
                          batch.error().message);
        return;
    }
    RELAIS_FUZZ_CHECK(batch->dossiers.size() == 1 && batch->events.empty(),
                      "one body must give exactly one dossier");
    const sdk::Dossier& dossier = batch->dossiers.front();
    if (verbose()) {
        note(instance.host.instanceName() + ": dossier '" + dossier.source_key + "' (" +
             dossier.procedure + "), " + std::to_string(dossier.attachments.size()) +
             " attachment(s)");
    }
    RELAIS_FUZZ_CHECK(dossier.fields.isObject(), "the dossier's fields are not an object");
    auto reparsed = sdk::Json::parse(request.body);
    RELAIS_FUZZ_CHECK(reparsed && *reparsed == dossier.fields, "fields differ from the body");
    RELAIS_FUZZ_CHECK(!dossier.procedure.empty(), "accepted a dossier without procedure");
    RELAIS_FUZZ_CHECK(dossier.source == instance.host.instanceName(), dossier.source);
    RELAIS_FUZZ_CHECK(dossier.id.empty(), "the adapter must not assign the relais id");
    if (instance.has_source_key) {
        RELAIS_FUZZ_CHECK(!dossier.source_key.empty(), "accepted a dossier without its id");
    } else {
        RELAIS_FUZZ_CHECK(dossier.source_key == idempotencyKey(request),
                          "source key is not the Idempotency-Key header");
    }
    if (dossier.subject && !dossier.subject->siret.empty()) {
        const auto& subject = *dossier.subject;
        RELAIS_FUZZ_CHECK(subject.siret.size() == 14 && isDigits(subject.siret), subject.siret);
        RELAIS_FUZZ_CHECK(subject.siren == subject.siret.substr(0, 9), subject.siren);
    }
    for (const auto& attachment : dossier.attachments) {
        RELAIS_FUZZ_CHECK(attachment.sha256.empty() ||
                              (attachment.sha256.size() == 64 && isHex(attachment.sha256)),
                          attachment.sha256);
        RELAIS_FUZZ_CHECK(attachment.size >= 0, "negative attachment size");
    }
}

}  // namespace
}  // namespace relais::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace relais::fuzz;
    relais::sdk::InboundRequest request;
    splitRequest(asText(data, size), request);
    request.path = "/v1/adapters/portail/inbound";

    checkJsonParser(request.body);
    for (Instance* instance : {&demoInstance(), &richInstance()}) {
        const auto batch = instance->adapter.parseInbound(request);
        checkDossier(*instance, request, batch);
    }
    return 0;
}
