// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "relais/sdk/json.h"
#include "relais/sdk/result.h"

#include "graphql_call.h"

namespace relais::test {

/// One dossier on a pretend DS, enforcing DS's rules as app/graphql/mutations/*.rb do
/// (a state mutation from the wrong state answers "Le dossier est déjà <état>", refusal and
/// classement need a motivation, a correction request puts the dossier back en construction),
/// and recording every document it receives. No network: `call()` is the `GraphqlCall`.
class FakeDs {
public:
    struct Received {
        std::string operation;  ///< `dossier` for the read, else the mutation field
        sdk::Json variables;
    };
    struct Message {
        std::string id;
        std::string body;
        std::string correction;
        std::string attachment;
    };

    std::string id = "RG9zc2llci0xMjM=";
    int number = 123;
    std::string state = "en_construction";
    std::vector<Message> messages;
    std::vector<Received> received;
    /// Runs before a mutation is applied (another instructeur acting meanwhile); may change
    /// `state`.
    std::function<void(const std::string& operation)> before_mutation;
    /// When set, every mutation answers this error in `errors` without applying anything.
    std::optional<std::string> refuse_with;
    /// When true, `dossierEnvoyerMessage` stores the message, then the call fails with
    /// Timeout (DS took it, the answer was lost).
    bool lose_message_answers = false;
    /// `createDirectUpload` hands out this URL; the headers DS's storage wants.
    std::string upload_url;

    adapters::ds::GraphqlCall call() {
        return [this](std::string_view document, const sdk::Json& variables) {
            return answer(document, variables);
        };
    }

    /// How many calls of `operation` came in.
    std::size_t count(std::string_view operation) const {
        std::size_t n = 0;
        for (const auto& r : received) n += r.operation == operation ? 1 : 0;
        return n;
    }
    /// The `input` of the last call of `operation` (null when none).
    sdk::Json lastInput(std::string_view operation) const {
        for (auto it = received.rbegin(); it != received.rend(); ++it) {
            if (it->operation == operation) {
                const sdk::Json* input = it->variables.find("input");
                return input != nullptr ? *input : sdk::Json();
            }
        }
        return {};
    }
    /// Operations in the order they came.
    std::vector<std::string> operations() const {
        std::vector<std::string> out;
        for (const auto& r : received) out.push_back(r.operation);
        return out;
    }

private:
    static std::string operationOf(std::string_view document) {
        for (const char* field : {"dossierPasserEnInstruction", "dossierRepasserEnInstruction",
                                  "dossierAccepter", "dossierRefuser", "dossierClasserSansSuite",
                                  "dossierEnvoyerMessage", "createDirectUpload"}) {
            if (document.find(std::string(field) + "(input") != std::string_view::npos) {
                return field;
            }
        }
        if (document.find("dossier(number") != std::string_view::npos) return "dossier";
        return "unknown";
    }

    static std::string display(const std::string& state) {
        if (state == "en_construction") return "en construction";
        if (state == "en_instruction") return "en instruction";
        if (state == "accepte") return "accepté";
        if (state == "refuse") return "refusé";
        return "classé sans suite";
    }

    static sdk::Json refusal(const std::string& message) {
        sdk::Json error = sdk::Json::object();
        error.set("message", message);
        sdk::Json payload = sdk::Json::object();
        payload.set("errors", sdk::Json::Array{error});
        return payload;
    }

    sdk::Json dossierJson(bool with_messages) const {
        sdk::Json dossier = sdk::Json::object();
        dossier.set("id", id);
        dossier.set("number", number);
        dossier.set("state", state);
        if (with_messages) {
            sdk::Json list = sdk::Json::array();
            for (const auto& m : messages) {
                sdk::Json message = sdk::Json::object();
                message.set("id", m.id);
                message.set("body", m.body);
                message.set("createdAt", "2026-02-01T10:00:00+01:00");
                list.push(std::move(message));
            }
            dossier.set("messages", std::move(list));
        }
        return dossier;
    }

    // The state a mutation starts from, and the one it leads to.
    static std::pair<std::string, std::string> rule(const std::string& operation,
                                                    const std::string& state) {
        if (operation == "dossierPasserEnInstruction") return {"en_construction", "en_instruction"};
        if (operation == "dossierRepasserEnInstruction") {
            const bool decided = state == "accepte" || state == "refuse" || state == "sans_suite";
            return {decided ? state : "a decision", "en_instruction"};
        }
        if (operation == "dossierAccepter") return {"en_instruction", "accepte"};
        if (operation == "dossierRefuser") return {"en_instruction", "refuse"};
        return {"en_instruction", "sans_suite"};
    }

    sdk::Result<sdk::Json> answer(std::string_view document, const sdk::Json& variables) {
        const std::string operation = operationOf(document);
        received.push_back({operation, variables});
        sdk::Json data = sdk::Json::object();
        if (operation == "dossier") {
            if (variables.find("number") == nullptr ||
                variables.find("number")->asInt() != number) {
                return sdk::fail(sdk::ErrorCode::Permanent, "Dossier not found");
            }
            data.set("dossier", dossierJson(document.find("messages") != std::string_view::npos));
            return data;
        }
        const sdk::Json* input = variables.find("input");
        if (input == nullptr || input->find("dossierId") == nullptr ||
            input->find("dossierId")->asString() != id) {
            return sdk::fail(sdk::ErrorCode::Permanent, "Dossier ID invalide");
        }
        if (operation == "createDirectUpload") {
            sdk::Json upload = sdk::Json::object();
            upload.set("url", upload_url);
            sdk::Json headers = sdk::Json::object();
            headers.set("Content-Type", input->find("contentType")->asString());
            headers.set("Content-MD5", input->find("checksum")->asString());
            upload.set("headers", headers.dump());
            upload.set("blobId", "42");
            upload.set("signedBlobId", "signed-blob-42");
            sdk::Json payload = sdk::Json::object();
            payload.set("directUpload", std::move(upload));
            data.set(operation, std::move(payload));
            return data;
        }
        if (before_mutation) before_mutation(operation);
        if (refuse_with) {
            data.set(operation, refusal(*refuse_with));
            return data;
        }
        if (operation == "dossierEnvoyerMessage") {
            Message message{"Q29tbWVudGFpcmUt" + std::to_string(messages.size() + 1),
                            input->find("body")->asString(),
                            {},
                            {}};
            if (const sdk::Json* c = input->find("correction")) message.correction = c->asString();
            if (const sdk::Json* a = input->find("attachment")) message.attachment = a->asString();
            messages.push_back(message);
            if (!message.correction.empty() && state == "en_instruction") state = "en_construction";
            if (lose_message_answers) {
                return sdk::fail(sdk::ErrorCode::Timeout, "no answer within 30000 ms");
            }
            sdk::Json sent = sdk::Json::object();
            sent.set("id", message.id);
            sdk::Json payload = sdk::Json::object();
            payload.set("message", std::move(sent));
            payload.set("errors", nullptr);
            data.set(operation, std::move(payload));
            return data;
        }
        const auto [from, to] = rule(operation, state);
        if (state != from) {
            data.set(operation, refusal("Le dossier est déjà " + display(state)));
            return data;
        }
        const bool needs_motivation =
            operation == "dossierRefuser" || operation == "dossierClasserSansSuite";
        if (needs_motivation && input->find("motivation") == nullptr) {
            return sdk::fail(sdk::ErrorCode::Permanent, "Variable $input of type " + operation +
                                                            "Input! was provided "
                                                            "invalid value");
        }
        state = to;
        sdk::Json payload = sdk::Json::object();
        payload.set("dossier", dossierJson(false));
        payload.set("errors", nullptr);
        data.set(operation, std::move(payload));
        return data;
    }
};

}  // namespace relais::test
