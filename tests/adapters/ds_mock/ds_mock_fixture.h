// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "relais/sdk/json.h"
#include "relais/sdk/signing.h"

#include "ds_mock.h"
#include "support/http_call.h"

namespace relais::ds_mock::test {

constexpr int kDemarche = 4242;
constexpr const char* kInstructeur = "SW5zdHJ1Y3RldXItMQ==";  // Instructeur-1

inline sdk::Json parseJson(const std::string& text) {
    auto parsed = sdk::Json::parse(text);
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed.ok() ? std::move(parsed).value() : sdk::Json();
}

inline std::string dossierId(int number) {
    return sdk::signing::base64("Dossier-" + std::to_string(number));
}

/// A double on a clock the test moves (2026-12-01T10:00:00Z at start), with one démarche.
class DsMockTest : public ::testing::Test {
protected:
    DsMockTest() : mock_(options()) { mock_.addDemarche(kDemarche, "Inscription périscolaire"); }

    Options options() {
        Options options;
        options.clock = [this] { return now_; };
        return options;
    }

    /// POSTs a GraphQL request as DS's clients do; returns the HTTP result.
    relais::test::HttpResult post(const std::string& query, const sdk::Json& variables,
                                  const std::string& token = "ds-token-rw") {
        sdk::Json body = sdk::Json::object();
        body.set("query", query);
        body.set("variables", variables);
        std::vector<std::pair<std::string, std::string>> headers;
        if (!token.empty()) headers.push_back(relais::test::bearer(token));
        return relais::test::httpCall(mock_.port(), "POST", "/api/v2/graphql", headers,
                                      body.dump());
    }

    /// The JSON body of a request that must answer 200.
    sdk::Json graphql(const std::string& query, const sdk::Json& variables = sdk::Json::object(),
                      const std::string& token = "ds-token-rw") {
        const auto result = post(query, variables, token);
        EXPECT_EQ(result.status, 200) << result.body;
        return parseJson(result.body);
    }

    /// A mutation `name(input: $input) { <selection> }` with `input`.
    sdk::Json mutation(const std::string& name, const std::string& input_type, sdk::Json input,
                       const std::string& selection = "errors { message } dossier { state }",
                       const std::string& token = "ds-token-rw") {
        sdk::Json variables = sdk::Json::object();
        variables.set("input", std::move(input));
        return graphql("mutation m($input: " + input_type + "!) { " + name + "(input: $input) { " +
                           selection + " } }",
                       variables, token);
    }

    /// The `input` of a decision on dossier `number` by the known instructeur.
    static sdk::Json decisionInput(int number, const std::string& motivation = {}) {
        sdk::Json input = sdk::Json::object();
        input.set("dossierId", dossierId(number));
        input.set("instructeurId", kInstructeur);
        if (!motivation.empty()) input.set("motivation", motivation);
        return input;
    }

    /// The first payload error of mutation `name` in `body`; empty when none.
    static std::string payloadError(const sdk::Json& body, const std::string& name) {
        const sdk::Json* message = body.path("data." + name + ".errors[0].message");
        return message != nullptr ? message->asString() : std::string();
    }

    /// A dossier of the démarche, with `date` as its deposit and last change.
    int addDossier(const std::string& state = "en_construction",
                   const std::string& date = "2026-11-30T10:12:44+01:00") {
        sdk::Json dossier = sdk::Json::object();
        dossier.set("state", state);
        dossier.set("dateDepot", date);
        dossier.set("dateDerniereModification", date);
        return mock_.addDossier(kDemarche, std::move(dossier));
    }

    void advance(std::chrono::seconds by) { now_ += by; }

    std::chrono::system_clock::time_point now_ =
        std::chrono::system_clock::time_point(std::chrono::seconds(1'796'119'200));
    DsMock mock_;
};

}  // namespace relais::ds_mock::test
