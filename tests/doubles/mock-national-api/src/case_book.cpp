// SPDX-License-Identifier: AGPL-3.0-or-later
#include "case_book.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <span>

#include "relais/common/errors.h"
#include "relais/common/files.h"
#include "relais/common/strings.h"
#include "relais/identity/pivot.h"
#include "relais/sdk/json.h"
#include "relais/sdk/url_encoding.h"

namespace relais::mock_api {
namespace {

namespace fs = std::filesystem;
using sdk::Json;

// A case file is small; anything bigger is a mistake (or not a case).
constexpr std::size_t kMaxCaseBytes = std::size_t{8} * 1024 * 1024;

// The payload folders of a case folder and the API each one holds.
struct PayloadFolder {
    const char* relative;
    Api api;
};
constexpr PayloadFolder kPayloadFolders[] = {
    {"api-particulier/payloads", Api::Particulier},
    {"api-entreprise/payloads", Api::Entreprise},
};
constexpr const char* kFranceConnectFolder = "franceconnect";

[[noreturn]] void refuse(const std::string& where, const std::string& message) {
    throw ConfigError(where + ": " + message);
}

// The `*.json` files of `directory`, sorted by name (the matching order).
std::vector<fs::path> jsonFiles(const fs::path& directory) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& path = it->path();
        if (path.extension() == ".json" && !path.filename().string().starts_with('.') &&
            it->is_regular_file(ec)) {
            files.push_back(path);
        }
    }
    if (ec) refuse(directory.string(), "cannot list: " + ec.message());
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<fs::path> subdirectories(const fs::path& directory) {
    std::vector<fs::path> folders;
    std::error_code ec;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_directory(ec) && !it->path().filename().string().starts_with('.')) {
            folders.push_back(it->path());
        }
    }
    if (ec) refuse(directory.string(), "cannot list: " + ec.message());
    std::sort(folders.begin(), folders.end());
    return folders;
}

Json readJson(const fs::path& path) {
    auto text = common::readFile(path.string(), kMaxCaseBytes);
    if (!text) refuse(path.string(), text.error().message);
    auto parsed = Json::parse(*text);
    if (!parsed) refuse(path.string(), parsed.error().message);
    if (!parsed->isObject()) refuse(path.string(), "a case is a JSON object");
    return std::move(parsed).value();
}

// The text a scalar param is compared as: strings as they are, numbers in decimal, booleans
// as `true`/`false`.
std::optional<std::string> scalarText(const Json& value) {
    switch (value.type()) {
        case Json::Type::String:
            return value.asString();
        case Json::Type::Int:
            return std::to_string(value.asInt());
        case Json::Type::Double:
        case Json::Type::Bool:
            return value.dump();
        default:
            return std::nullopt;
    }
}

CaseBook::Expected expectedOf(const Json& value, const std::string& where,
                              const std::string& name) {
    CaseBook::Expected expected;
    if (value.isNull()) return expected;
    if (const auto* items = value.arrayIf()) {
        expected.array = true;
        expected.values.emplace();
        for (const Json& item : *items) {
            auto text = scalarText(item);
            if (!text) refuse(where, "param '" + name + "': array items must be scalars");
            expected.values->push_back(std::move(*text));
        }
        return expected;
    }
    auto text = scalarText(value);
    if (!text) refuse(where, "param '" + name + "': an object cannot be matched");
    expected.values.emplace(1, std::move(*text));
    return expected;
}

CaseBook::Case loadCase(const fs::path& path, const std::string& relative) {
    const Json document = readJson(path);
    CaseBook::Case loaded;
    loaded.file = relative;

    const Json* params = document.find("params");
    if (params == nullptr || !params->isObject()) {
        refuse(path.string(), "'params' must be an object (the parameters that trigger it)");
    }
    for (const auto& member : *params->objectIf()) {
        loaded.params.emplace_back(member.key, expectedOf(member.value, path.string(), member.key));
    }

    const Json* status = document.find("status");
    if (status == nullptr || !status->isInt() || status->asInt() < 100 || status->asInt() > 599) {
        refuse(path.string(), "'status' must be an HTTP status (100-599)");
    }
    loaded.status = static_cast<int>(status->asInt());

    const Json* payload = document.find("payload");
    if (payload == nullptr) refuse(path.string(), "'payload' is missing");
    if (payload->isString()) {
        // The twin keeps a payload that was not JSON as a string: sent as is.
        loaded.body = payload->asString();
        loaded.json = false;
    } else {
        loaded.body = payload->dump();
    }

    if (const Json* headers = document.find("headers"); headers != nullptr) {
        if (!headers->isObject()) refuse(path.string(), "'headers' must be an object of strings");
        for (const auto& member : *headers->objectIf()) {
            const bool token =
                !member.key.empty() &&
                std::all_of(member.key.begin(), member.key.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
                });
            const std::string& value = member.value.asString();
            if (!token || !member.value.isString() ||
                std::any_of(value.begin(), value.end(),
                            [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
                refuse(path.string(), "header '" + member.key +
                                          "': names are letters, digits and '-', values "
                                          "strings without control characters");
            }
            loaded.headers.emplace_back(member.key, value);
        }
    }
    return loaded;
}

// `2002-01-01` → year, month and day as decimal text without leading zeros (how the mock
// cases write them: numbers).
bool splitBirthdate(const std::string& text, Params& identity) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    const auto number = [&](std::size_t at, std::size_t length) -> std::optional<std::string> {
        int value = 0;
        for (std::size_t i = at; i < at + length; ++i) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            value = value * 10 + (text[i] - '0');
        }
        return std::to_string(value);
    };
    const auto year = number(0, 4);
    const auto month = number(5, 2);
    const auto day = number(8, 2);
    if (!year || !month || !day) return false;
    identity["anneeDateNaissance"] = {*year};
    // `00` stands for an unknown month or day in INSEE dates: the API is called without it.
    if (*month != "0") identity["moisDateNaissance"] = {*month};
    if (*month != "0" && *day != "0") identity["jourDateNaissance"] = {*day};
    return true;
}

CaseBook::FranceConnectIdentity loadFranceConnect(const fs::path& path, std::string& token) {
    const Json document = readJson(path);
    const std::string where = path.string();
    const Json* param = document.path("params.token");
    if (param == nullptr || !param->isString() || param->asString().empty()) {
        refuse(where, "'params.token' must be the fake access token (a non-empty string)");
    }
    token = param->asString();
    const Json* introspection = document.path("payload.token_introspection");
    if (introspection == nullptr || !introspection->isObject()) {
        refuse(where, "'payload.token_introspection' must be an object");
    }
    CaseBook::FranceConnectIdentity fc;
    fc.file = path.filename().string();
    const Json* active = introspection->find("active");
    if (active == nullptr || !active->isBool()) {
        refuse(where, "'payload.token_introspection.active' must be a boolean");
    }
    fc.active = active->asBool();

    Params& identity = fc.identity;
    const auto text = [&](const char* key) -> std::string {
        const Json* value = introspection->find(key);
        if (value == nullptr || value->isNull()) return {};
        if (!value->isString())
            refuse(where, std::string("token_introspection.") + key + " must be a string");
        return value->asString();
    };
    if (const std::string family = text("family_name"); !family.empty()) {
        identity["nomNaissance"] = {family};
    }
    if (const Json* given = introspection->find("given_name_array");
        given != nullptr && given->isArray()) {
        auto& names = identity["prenoms"];
        for (const Json& name : *given->arrayIf()) {
            if (!name.isString()) refuse(where, "token_introspection.given_name_array: strings");
            names.push_back(name.asString());
        }
    } else if (const std::string given_name = text("given_name"); !given_name.empty()) {
        identity["prenoms"] = common::splitTrimmed(given_name, ' ');
    }
    if (const std::string birthdate = text("birthdate"); !birthdate.empty()) {
        if (!splitBirthdate(birthdate, identity)) {
            refuse(where, "token_introspection.birthdate must be YYYY-MM-DD");
        }
    }
    if (const std::string gender = text("gender"); !gender.empty()) {
        if (gender != "male" && gender != "female") {
            refuse(where, "token_introspection.gender must be male or female");
        }
        identity["sexeEtatCivil"] = {gender == "male" ? "M" : "F"};
    }
    if (const std::string place = text("birthplace"); !place.empty()) {
        identity["codeCogInseeCommuneNaissance"] = {place};
    }
    if (const std::string country = text("birthcountry"); !country.empty()) {
        identity["codeCogInseePaysNaissance"] = {country};
    }
    return fc;
}

// `{"errors": [{code, title, detail, source, meta}]}`, the APIs' error shape. The mock's own
// "nothing here" answers carry `meta.mock: true`, so nobody mistakes them for the API's.
MockAnswer apiError(int status, std::string_view code, std::string_view title,
                    std::string_view detail, std::string_view parameter, std::string why,
                    bool from_mock = false) {
    Json error = Json::object();
    error.set("code", Json(code));
    error.set("title", Json(title));
    error.set("detail", Json(detail));
    if (parameter.empty()) {
        error.set("source", Json());
    } else {
        Json source = Json::object();
        source.set("parameter", Json(parameter));
        error.set("source", std::move(source));
    }
    Json meta = Json::object();
    if (from_mock) meta.set("mock", Json(true));
    error.set("meta", std::move(meta));
    Json errors = Json::array();
    errors.push(std::move(error));
    Json body = Json::object();
    body.set("errors", std::move(errors));
    MockAnswer answer;
    answer.status = status;
    answer.body = body.dump();
    answer.why = std::move(why);
    return answer;
}

MockAnswer mockNotFound(std::string_view title, const std::string& detail, std::string why) {
    return apiError(404, "00404", title, detail, {}, std::move(why), true);
}

// Registries match names whatever their case and accents ("René" is "RENE"); other values
// (numbers, codes) exactly.
bool sameValue(const std::string& expected, const std::string& given) {
    if (expected == given) return true;
    const auto a = identity::normaliseName(expected);
    const auto b = identity::normaliseName(given);
    return a && b && !a->empty() && *a == *b;
}

bool sameValues(const std::vector<std::string>& expected, const std::vector<std::string>& given) {
    if (expected.size() != given.size()) return false;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        if (!sameValue(expected[i], given[i])) return false;
    }
    return true;
}

bool matches(const CaseBook::Case& candidate, const Params& params, bool ignore_absent) {
    for (const auto& [name, expected] : candidate.params) {
        const auto it = params.find(name);
        const bool present = it != params.end() && !it->second.empty() &&
                             !(it->second.size() == 1 && it->second.front().empty());
        if (!expected.values) {
            if (present) return false;
            continue;
        }
        if (!present) {
            if (ignore_absent) continue;
            return false;
        }
        if (!sameValues(*expected.values, it->second)) return false;
    }
    return true;
}

std::string_view bearerToken(std::string_view authorization) {
    authorization = common::trim(authorization);
    if (authorization.size() < 7 ||
        !common::equalsIgnoreCase(authorization.substr(0, 7), "bearer ")) {
        return {};
    }
    return common::trim(authorization.substr(7));
}

}  // namespace

std::optional<Params> parseQuery(std::string_view query) {
    Params params;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto equals = pair.find('=');
        auto name = sdk::url::percentDecode(pair.substr(0, equals), true);
        auto value = sdk::url::percentDecode(
            equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1), true);
        if (!name || !value) return std::nullopt;
        if (name->ends_with("[]")) name->resize(name->size() - 2);
        params[*name].push_back(std::move(*value));
    }
    return params;
}

CaseBook CaseBook::load(const std::vector<std::string>& directories) {
    CaseBook book;
    std::map<std::string, std::string> token_files;  // token → file, for duplicates
    for (const std::string& directory : directories) {
        const fs::path root(directory);
        std::error_code ec;
        if (!fs::is_directory(root, ec)) refuse(directory, "not a directory");
        bool any_folder = false;
        for (const PayloadFolder& payloads : kPayloadFolders) {
            const fs::path folder = root / payloads.relative;
            if (!fs::is_directory(folder, ec)) continue;
            any_folder = true;
            for (const fs::path& operation_folder : subdirectories(folder)) {
                const std::string operation = operation_folder.filename().string();
                const Route* route = routeForOperation(operation);
                if (route == nullptr) {
                    refuse(operation_folder.string(),
                           "no " + std::string(apiName(payloads.api)) +
                               " operation has this id (folders are named after the "
                               "OpenAPI x-operationId)");
                }
                if (route->api != payloads.api) {
                    refuse(operation_folder.string(), "an " + std::string(apiName(route->api)) +
                                                          " operation under " + payloads.relative);
                }
                auto& cases = book.cases_[operation];
                for (const fs::path& file : jsonFiles(operation_folder)) {
                    const std::string relative = std::string(payloads.relative) + "/" + operation +
                                                 "/" + file.filename().string();
                    cases.push_back(loadCase(file, relative));
                }
            }
        }
        const fs::path fc_folder = root / kFranceConnectFolder;
        if (fs::is_directory(fc_folder, ec)) {
            any_folder = true;
            for (const fs::path& file : jsonFiles(fc_folder)) {
                // The JSON Schema that upstream keeps beside its FranceConnect mocks.
                if (file.filename().string().ends_with("_schema.json")) continue;
                std::string token;
                FranceConnectIdentity identity = loadFranceConnect(file, token);
                if (const auto [it, inserted] = token_files.emplace(token, file.string());
                    !inserted) {
                    refuse(file.string(),
                           "token '" + token + "' is already the one of " + it->second);
                }
                book.tokens_.emplace(token, std::move(identity));
            }
        }
        if (!any_folder) {
            refuse(directory,
                   "holds none of api-particulier/payloads, api-entreprise/payloads, "
                   "franceconnect (see tests/fixtures/national-apis)");
        }
    }
    std::erase_if(book.cases_, [](const auto& entry) { return entry.second.empty(); });
    if (book.cases_.empty()) {
        std::string list;
        for (const auto& directory : directories) list += (list.empty() ? "" : ", ") + directory;
        refuse(list.empty() ? std::string("--cases") : list, "no case found");
    }
    return book;
}

std::size_t CaseBook::caseCount() const noexcept {
    std::size_t count = 0;
    for (const auto& [operation, cases] : cases_) count += cases.size();
    return count;
}

std::vector<std::string> CaseBook::operations() const {
    std::vector<std::string> names;
    names.reserve(cases_.size());
    for (const auto& [operation, cases] : cases_) names.push_back(operation);
    return names;
}

const std::vector<CaseBook::Case>* CaseBook::casesOf(std::string_view operation_id) const {
    const auto it = cases_.find(operation_id);
    return it == cases_.end() ? nullptr : &it->second;
}

MockAnswer CaseBook::answer(const MockRequest& request) const {
    const std::string_view target = request.target;
    const auto question = target.find('?');
    const std::string_view raw_path = target.substr(0, question);
    const std::string_view raw_query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    std::vector<std::string> segments;
    std::string_view rest = raw_path;
    while (!rest.empty()) {
        if (rest.front() != '/') break;
        rest.remove_prefix(1);
        const auto slash = rest.find('/');
        auto segment = sdk::url::percentDecode(rest.substr(0, slash), false);
        if (!segment) {
            return apiError(400, "00400", "Requête invalide",
                            "Le chemin contient un échappement % invalide", {}, "bad path");
        }
        segments.push_back(std::move(*segment));
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    }

    Params params;
    const Route* route = nullptr;
    int best = -1;
    for (const Route& candidate : allRoutes()) {
        Params captured;
        const int literals = matchPath(candidate, segments, captured);
        if (literals > best) {
            best = literals;
            route = &candidate;
            params = std::move(captured);
        }
    }
    if (route == nullptr) {
        return mockNotFound("Route inconnue",
                            "relais-mock-national-api : aucune opération d'API Particulier ou "
                            "d'API Entreprise n'a ce chemin",
                            "unknown route");
    }
    if (request.method != "GET") {
        MockAnswer answer = apiError(405, "00405", "Méthode non autorisée",
                                     "Cette opération ne s'appelle qu'en GET", {}, "not GET");
        answer.headers.emplace_back("Allow", "GET");
        return answer;
    }
    const std::string_view token = bearerToken(request.authorization);
    if (token.empty()) {
        return apiError(401, "00101", "Interdit",
                        "Votre token n'est pas valide ou n'est pas renseigné", "token",
                        "no bearer token");
    }

    const std::string operation(route->operation_id);
    const std::vector<Case>* cases = casesOf(operation);
    if (cases == nullptr) {
        return mockNotFound("Aucun cas de test",
                            "relais-mock-national-api : aucun cas n'est chargé pour " + operation,
                            "no case for " + operation);
    }

    auto query = parseQuery(raw_query);
    if (!query) {
        return apiError(400, "00400", "Requête invalide",
                        "La requête contient un échappement % invalide", {}, "bad query");
    }
    const auto missing = [&](const char* name) {
        const auto it = query->find(name);
        return it == query->end() || it->second.empty() || it->second.front().empty();
    };
    // The real APIs check these before anything else (OpenAPI 422 examples).
    struct Mandatory {
        const char* name;
        const char* code;
    };
    constexpr Mandatory kParticulier[] = {{"recipient", "00203"}};
    constexpr Mandatory kEntreprise[] = {
        {"context", "00201"}, {"object", "00202"}, {"recipient", "00203"}};
    const std::span<const Mandatory> mandatory = route->api == Api::Entreprise
                                                     ? std::span<const Mandatory>(kEntreprise)
                                                     : std::span<const Mandatory>(kParticulier);
    for (const Mandatory& m : mandatory) {
        if (missing(m.name)) {
            return apiError(422, m.code, "Entité non traitable",
                            std::string("Le paramètre ") + m.name + " est obligatoire", m.name,
                            std::string("missing ") + m.name);
        }
    }
    for (auto& [name, values] : *query) {
        // Path parameters win over a query param of the same name.
        params.emplace(name, std::move(values));
    }

    const bool france_connect = isFranceConnect(*route);
    if (france_connect) {
        const auto it = tokens_.find(token);
        if (it == tokens_.end() || !it->second.active) {
            return apiError(401, "00101", "Interdit",
                            "Votre token n'est pas valide ou n'est pas renseigné", "token",
                            it == tokens_.end() ? "unknown FranceConnect token"
                                                : "inactive FranceConnect token");
        }
        for (const auto& [name, values] : it->second.identity) params[name] = values;
    }

    for (const Case& candidate : *cases) {
        if (!matches(candidate, params, france_connect)) continue;
        MockAnswer answer;
        answer.status = candidate.status;
        answer.body = candidate.body;
        if (!candidate.json) answer.content_type = "text/plain; charset=utf-8";
        answer.headers = candidate.headers;
        answer.why = candidate.file;
        return answer;
    }
    return mockNotFound("Aucun cas de test ne correspond",
                        "relais-mock-national-api : aucun cas de " + operation +
                            " ne correspond aux paramètres reçus",
                        "no matching case for " + operation);
}

}  // namespace relais::mock_api
