// SPDX-License-Identifier: AGPL-3.0-or-later
#include "ds_mock.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "relais/sdk/signing.h"
#include "relais/sdk/text.h"

#include "data_check.h"
#include "ds_resolver.h"
#include "ds_store.h"
#include "executor.h"
#include "http_front.h"

namespace relais::ds_mock {
namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Schema loadSchema(const std::string& path) {
    auto schema = Schema::parse(readFile(path.empty() ? RELAIS_DS_MOCK_SCHEMA : path));
    if (!schema.ok()) throw std::runtime_error("DS schema: " + schema.error().message);
    return std::move(schema).value();
}

// API::V2::BaseController#graphql_error: `{"errors": [{message, extensions: {code}}], "data":
// null}`.
StorageAnswer controllerError(int status, const std::string& message, const std::string& code) {
    sdk::Json extensions = sdk::Json::object();
    extensions.set("code", code);
    sdk::Json error = sdk::Json::object();
    error.set("message", message);
    error.set("extensions", std::move(extensions));
    sdk::Json errors = sdk::Json::array();
    errors.push(std::move(error));
    sdk::Json body = sdk::Json::object();
    body.set("errors", std::move(errors));
    body.set("data", nullptr);
    return {status, "application/json; charset=utf-8", body.dump(), {}};
}

// Rails' authenticate_with_http_token: `Bearer <t>`, `Token <t>` or `Token token="<t>"`.
std::string bearerToken(const std::string& header) {
    for (const char* scheme : {"Bearer ", "Token "}) {
        if (!sdk::text::startsWithIgnoreCase(header, scheme)) continue;
        std::string token(
            sdk::text::trim(std::string_view(header).substr(std::string(scheme).size())));
        if (token.rfind("token=", 0) == 0) token = token.substr(6);
        if (token.size() >= 2 && token.front() == '"' && token.back() == '"') {
            token = token.substr(1, token.size() - 2);
        }
        return token;
    }
    return {};
}

}  // namespace

struct DsMock::State : Store {
    using Store::Store;
};

std::string sampleDossiersDir() { return RELAIS_DS_MOCK_DOSSIERS; }

sdk::Json loadSampleDossier(const std::string& file_name) {
    auto parsed = sdk::Json::parse(readFile(sampleDossiersDir() + "/" + file_name));
    if (!parsed.ok()) throw std::runtime_error(file_name + ": " + parsed.error().message);
    return std::move(parsed).value();
}

DsMock::DsMock(Options options) {
    Schema schema = loadSchema(options.schema_path);
    const std::string address = options.address;
    const int port = options.port;
    state_ = std::make_unique<State>(std::move(options), std::move(schema));
    server_ = std::make_unique<HttpFront>(address, port, [this](const HttpRequest& request) {
        return handle(request.method, request.path, request.query, request.authorization,
                      request.body);
    });
    std::lock_guard lock(mutex_);
    state_->base_url = "http://" + address + ":" + std::to_string(server_->port());
}

DsMock::~DsMock() { server_.reset(); }

int DsMock::port() const noexcept { return server_->port(); }

std::string DsMock::baseUrl() const {
    std::lock_guard lock(mutex_);
    return state_->base_url;
}

std::string DsMock::graphqlUrl() const { return baseUrl() + "/api/v2/graphql"; }

StorageAnswer DsMock::handle(const std::string& method, const std::string& path,
                             const std::string& query, const std::string& authorization,
                             std::string body) {
    std::lock_guard lock(mutex_);
    State& state = *state_;
    const std::int64_t now_unix = state.clock.nowMicros() / 1'000'000;
    if (method == "GET" && path.rfind("/storage/", 0) == 0) {
        return state.files.get(path, query, now_unix);
    }
    if (method == "PUT" && path.rfind("/direct-uploads/", 0) == 0) {
        return state.files.put(path, query, std::move(body), now_unix);
    }
    if (path != "/api/v2/graphql") return {404, "text/plain", "Not Found", {}};
    if (method != "POST" && method != "GET") return {405, "text/plain", "Method Not Allowed", {}};
    ++state.graphql_requests;
    const std::string token = bearerToken(authorization);
    const bool write = !token.empty() && token == state.options.token;
    if (!write && (token.empty() || token != state.options.read_only_token)) {
        // An unknown token authenticates nobody; DS then only takes persisted queries.
        return controllerError(403, "Without a token, only persisted queries are allowed",
                               "forbidden");
    }
    auto request = sdk::Json::parse(body);
    if (!request.ok() || !request->isObject()) {
        return controllerError(400,
                               request.ok() ? "Expected a JSON object" : request.error().message,
                               "graphql_parse_failed");
    }
    sdk::Json variables =
        request->find("variables") != nullptr ? *request->find("variables") : sdk::Json::object();
    if (variables.isString() && !variables.asString().empty()) {
        auto parsed = sdk::Json::parse(variables.asString());
        if (!parsed.ok()) {
            return controllerError(400, parsed.error().message, "graphql_parse_failed");
        }
        variables = std::move(parsed).value();
    }
    const sdk::Json* query_text = request->find("query");
    const sdk::Json* operation = request->find("operationName");
    DsResolver resolver(state, write);
    const ExecutionResult result =
        Executor(state.schema)
            .execute(query_text != nullptr ? query_text->asString() : std::string(), variables,
                     operation != nullptr ? operation->asString() : std::string(), resolver);
    return {200, "application/json; charset=utf-8", result.body.dump(), {}};
}

void DsMock::addDemarche(int number, std::string title) {
    std::lock_guard lock(mutex_);
    sdk::Json demarche = sdk::Json::object();
    demarche.set("__typename", "Demarche");
    demarche.set("id", sdk::signing::base64("Procedure-" + std::to_string(number)));
    demarche.set("number", number);
    demarche.set("title", std::move(title));
    demarche.set("description", "");
    demarche.set("state", "publiee");
    demarche.set("dateCreation", state_->now());
    demarche.set("datePublication", state_->now());
    demarche.set("dateDerniereModification", state_->now());
    state_->demarches[number] = std::move(demarche);
}

int DsMock::addDossier(int demarche, sdk::Json dossier) {
    std::lock_guard lock(mutex_);
    return state_->add(demarche, std::move(dossier));
}

void DsMock::deleteDossier(int number, std::string reason) {
    std::lock_guard lock(mutex_);
    StoredDossier* dossier = state_->find(number);
    if (dossier == nullptr)
        throw std::invalid_argument("unknown dossier " + std::to_string(number));
    StoredDeletion deletion;
    deletion.demarche = dossier->demarche;
    deletion.deleted_us = std::max(state_->clock.nowMicros(), dossier->updated_us);
    deletion.data = sdk::Json::object();
    deletion.data.set("__typename", "DeletedDossier");
    deletion.data.set("id", sdk::signing::base64("DeletedDossier-" + std::to_string(number)));
    deletion.data.set("number", number);
    deletion.data.set("state", *dossier->data.find("state"));
    deletion.data.set("reason", std::move(reason));
    deletion.data.set("dateSupression", state_->clock.format(deletion.deleted_us));
    state_->deletions.push_back(std::move(deletion));
    state_->dossiers.erase(number);
}

void DsMock::changeState(int number, const std::string& state, const std::string& motivation) {
    std::lock_guard lock(mutex_);
    StoredDossier* dossier = state_->find(number);
    if (dossier == nullptr || !knownState(state)) {
        throw std::invalid_argument("changeState: unknown dossier or state " + state);
    }
    const std::string from = dossier->data.find("state")->asString();
    const std::string event =
        state == "en_construction" ? "repasse_en_construction"
        : state == "en_instruction"
            ? (from == "en_construction" ? "passe_en_instruction" : "repasse_en_instruction")
        : state == "sans_suite" ? "classe_sans_suite"
                                : state;
    state_->transition(*dossier, state, event, state_->options.instructeur_email, motivation);
}

void DsMock::addMessage(int number, const std::string& body, const std::string& email) {
    std::lock_guard lock(mutex_);
    StoredDossier* dossier = state_->find(number);
    if (dossier == nullptr)
        throw std::invalid_argument("unknown dossier " + std::to_string(number));
    state_->addMessage(*dossier, body, email, {}, {});
}

void DsMock::resolveCorrections(int number) {
    std::lock_guard lock(mutex_);
    StoredDossier* dossier = state_->find(number);
    if (dossier == nullptr)
        throw std::invalid_argument("unknown dossier " + std::to_string(number));
    state_->touch(*dossier);
    for (auto& message : *dossier->data["messages"].arrayIf()) {
        sdk::Json* correction = message.find("correction");
        if (correction != nullptr && correction->isObject() &&
            correction->find("dateResolution")->isNull()) {
            correction->set("dateResolution", state_->clock.format(dossier->updated_us));
        }
    }
    dossier->pending_correction = false;
    dossier->data.set("dateDerniereCorrectionEnAttente", nullptr);
}

sdk::Json DsMock::dossier(int number) const {
    std::lock_guard lock(mutex_);
    const StoredDossier* dossier = state_->find(number);
    return dossier != nullptr ? dossier->data : sdk::Json();
}

std::string DsMock::stateOf(int number) const {
    std::lock_guard lock(mutex_);
    const StoredDossier* dossier = state_->find(number);
    return dossier != nullptr ? dossier->data.find("state")->asString() : std::string();
}

std::vector<DsMock::Call> DsMock::calls() const {
    std::lock_guard lock(mutex_);
    return state_->calls;
}

std::size_t DsMock::succeeded(std::string_view mutation) const {
    std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (const auto& call : state_->calls) count += call.ok && call.mutation == mutation ? 1 : 0;
    return count;
}

std::vector<sdk::Json> DsMock::messagesOf(int number) const {
    std::lock_guard lock(mutex_);
    const StoredDossier* dossier = state_->find(number);
    if (dossier == nullptr) return {};
    const sdk::Json::Array* messages = dossier->data.find("messages")->arrayIf();
    return messages != nullptr ? *messages : std::vector<sdk::Json>();
}

void DsMock::expireFileUrls() {
    std::lock_guard lock(mutex_);
    state_->files.expireAll();
}

std::size_t DsMock::fileDownloads() const {
    std::lock_guard lock(mutex_);
    return state_->files.downloads();
}

std::size_t DsMock::graphqlRequests() const {
    std::lock_guard lock(mutex_);
    return state_->graphql_requests;
}

std::vector<std::string> DsMock::checkDossier(int number) const {
    std::lock_guard lock(mutex_);
    const StoredDossier* dossier = state_->find(number);
    if (dossier == nullptr) return {"unknown dossier " + std::to_string(number)};
    TypeRef type;
    type.name = "Dossier";
    type.non_null = true;
    return checkData(state_->schema, type, dossier->data);
}

}  // namespace relais::ds_mock
