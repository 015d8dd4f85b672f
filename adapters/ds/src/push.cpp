// SPDX-License-Identifier: AGPL-3.0-or-later
#include "push.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <utility>
#include <vector>

#include "relais/sdk/http_helpers.h"
#include "relais/sdk/status.h"
#include "relais/sdk/text.h"

#include "direct_upload.h"
#include "mutation_path.h"

namespace relais::adapters::ds {
namespace {

using sdk::ErrorCode;

constexpr std::string_view kReadDossier = R"(
query relaisDossierState($number: Int!) {
  dossier(number: $number) { id number state }
})";

constexpr std::string_view kReadDossierAndMessages = R"(
query relaisDossierMessages($number: Int!) {
  dossier(number: $number) { id number state messages { id body createdAt } }
})";

// DS's refusal when a SIRET of the dossier is still being fetched: it asks to retry later.
constexpr std::string_view kSiretPending =
    "Les informations du SIRET du dossier ne sont pas complètes";

constexpr std::array<std::string_view, 3> kCorrectionReasons{"incomplete", "incorrect", "outdated"};

// The dossier as DS has it now.
struct DsDossier {
    std::string id;  // GraphQL id, what the mutations take
    DsState state = DsState::EnConstruction;
    std::vector<std::pair<std::string, std::string>> messages;  // id, body
};

// What one call needs, gathered once per push.
struct Push {
    const GraphqlCall& call;
    const PushSettings& settings;
    sdk::HttpClient& http;
    const sdk::Event& event;
    std::string number;  // DS dossier number, for messages
};

// A mutation's payload, or the state DS named in "Le dossier est déjà …".
struct Answer {
    sdk::Json payload;
    std::optional<DsState> already;
    std::string message;  // DS's words when `already` is set
};

std::string payloadText(const sdk::Json& payload, std::string_view key) {
    const sdk::Json* value = payload.find(key);
    return value != nullptr ? std::string(sdk::text::trim(value->asString())) : std::string();
}

const sdk::Json* firstDocument(const sdk::Json& payload) {
    const sdk::Json* documents = payload.find("documents");
    return documents != nullptr ? documents->at(0) : nullptr;
}

// What the receipt says about documents DS could not take (one file per mutation).
std::string droppedDocuments(const sdk::Json& payload) {
    const sdk::Json* documents = payload.find("documents");
    const std::size_t count = documents != nullptr ? documents->size() : 0;
    if (count <= 1) return {};
    return "; " + std::to_string(count - 1) +
           " more document(s) not sent: DS takes one file per message or decision";
}

// A message body as DS stores it (Commentaire's NORMALIZES_NON_PRINTABLE_PROC drops the
// controls but tab, LF and CR), CRLF read as LF, trimmed: what two copies of one message share.
std::string comparableBody(std::string_view body) {
    std::string out;
    out.reserve(body.size());
    for (std::size_t i = 0; i < body.size(); ++i) {
        const auto c = static_cast<unsigned char>(body[i]);
        if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') continue;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F) continue;
        out.push_back(body[i]);
    }
    return std::string(sdk::text::trim(out));
}

sdk::Result<std::int64_t> dossierNumber(const sdk::Dossier& dossier) {
    const std::string& key = dossier.source_key;
    std::int64_t number = 0;
    const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), number);
    if (key.empty() || error != std::errc() || end != key.data() + key.size() || number <= 0 ||
        number > 2'147'483'647) {
        return sdk::fail(
            ErrorCode::InvalidArgument,
            "source_key: '" + sdk::http::safeExcerpt(key, {}, 40) + "' is not a DS dossier number",
            "source_key");
    }
    return number;
}

std::string dsWords(std::string_view message) { return sdk::http::safeExcerpt(message, {}, 300); }

sdk::Result<DsDossier> readDossier(const GraphqlCall& call, std::int64_t number,
                                   bool with_messages) {
    sdk::Json variables = sdk::Json::object();
    variables.set("number", number);
    auto data = call(with_messages ? kReadDossierAndMessages : kReadDossier, variables);
    if (!data) return std::move(data).error();
    const sdk::Json* found = data->find("dossier");
    const std::string what = "DS's dossier " + std::to_string(number);
    if (found == nullptr || !found->isObject()) {
        return sdk::fail(ErrorCode::Permanent, what + " came back empty");
    }
    DsDossier dossier;
    dossier.id = payloadText(*found, "id");
    const std::string state_name = payloadText(*found, "state");
    const auto state = parseDsState(state_name);
    if (dossier.id.empty() || !state) {
        return sdk::fail(ErrorCode::Permanent, what + " came back without an id or with state '" +
                                                   dsWords(state_name) + "'");
    }
    dossier.state = *state;
    if (const sdk::Json* messages = found->find("messages"); messages != nullptr) {
        for (std::size_t i = 0; i < messages->size(); ++i) {
            const sdk::Json& message = *messages->at(i);
            dossier.messages.emplace_back(payloadText(message, "id"),
                                          comparableBody(payloadText(message, "body")));
        }
    }
    return dossier;
}

// The id of a message of `dossier` with the same body as `body`, or nullopt.
std::optional<std::string> sameMessage(const DsDossier& dossier, std::string_view body) {
    const std::string wanted = comparableBody(body);
    for (const auto& [id, existing] : dossier.messages) {
        if (existing == wanted) return id;
    }
    return std::nullopt;
}

// `mutation relaisX($input: XInput!) { x(input: $input) { <selection> errors { message } } }`
std::string mutationDocument(std::string_view field, std::string_view selection) {
    std::string type(field);
    type[0] = static_cast<char>(type[0] - 'a' + 'A');
    return "mutation relais" + type + "($input: " + type + "Input!) {\n  " + std::string(field) +
           "(input: $input) { " + std::string(selection) + " errors { message } }\n}";
}

sdk::Json baseInput(const Push& push, const DsDossier& dossier, std::string_view field) {
    sdk::Json input = sdk::Json::object();
    input.set("dossierId", dossier.id);
    input.set("instructeurId", push.settings.instructeur_id);
    // Echoed back by DS; lets its logs and ours meet on one key.
    if (!push.event.id.empty()) {
        input.set("clientMutationId", push.event.id + ":" + std::string(field));
    }
    return input;
}

sdk::Result<Answer> mutate(const Push& push, std::string_view field, std::string_view selection,
                           sdk::Json input) {
    sdk::Json variables = sdk::Json::object();
    variables.set("input", std::move(input));
    auto data = push.call(mutationDocument(field, selection), variables);
    if (!data) return std::move(data).error();
    const sdk::Json* payload = data->find(field);
    const std::string what = "DS's " + std::string(field) + " on dossier " + push.number;
    if (payload == nullptr || !payload->isObject()) {
        return sdk::fail(ErrorCode::Permanent, what + " answered no payload");
    }
    const sdk::Json* errors = payload->find("errors");
    const sdk::Json* first = errors != nullptr ? errors->at(0) : nullptr;
    if (first == nullptr) return Answer{*payload, std::nullopt, {}};
    const std::string message = first->find("message") != nullptr
                                    ? first->find("message")->asString()
                                    : first->asString();  // a bare string, to be lenient
    if (const auto state = alreadyInState(message)) return Answer{*payload, state, message};
    const ErrorCode code =
        message.rfind(kSiretPending, 0) == 0 ? ErrorCode::Retryable : ErrorCode::Permanent;
    return sdk::fail(code, what + " refused: " + dsWords(message));
}

// The signed blob id of `document` uploaded to `dossier`, fetched through `http`.
sdk::Result<std::string> uploadDocument(const Push& push, const DsDossier& dossier,
                                        const sdk::Json& document) {
    auto file = fetchDocument(push.http, document, "documents[0]", push.settings.timeout_ms,
                              push.settings.max_document_bytes);
    if (!file) return std::move(file).error();
    const std::string client_id = push.event.id.empty() ? "" : push.event.id + ":upload";
    return directUpload(push.call, push.http, dossier.id, *file, client_id,
                        push.settings.timeout_ms);
}

// Sends `body` (with `correction` if not empty) unless the dossier already has it.
sdk::Result<sdk::PushReceipt> sendMessage(const Push& push, const DsDossier& dossier,
                                          const std::string& body, const std::string& correction,
                                          DsState end_state) {
    const sdk::Json& payload = push.event.payload;
    const std::string state(toString(end_state));
    if (const auto existing = sameMessage(dossier, body)) {
        return sdk::PushReceipt{std::string(toString(dossier.state)),
                                "already on the dossier: DS message " + *existing};
    }
    sdk::Json input = baseInput(push, dossier, "dossierEnvoyerMessage");
    input.set("body", body);
    if (!correction.empty()) input.set("correction", correction);
    if (const sdk::Json* document = firstDocument(payload)) {
        auto blob = uploadDocument(push, dossier, *document);
        if (!blob) return std::move(blob).error();
        input.set("attachment", *blob);
    }
    auto answer = mutate(push, "dossierEnvoyerMessage", "message { id }", std::move(input));
    if (!answer) return std::move(answer).error();
    if (answer->already) {
        return sdk::fail(ErrorCode::Permanent, "DS's dossierEnvoyerMessage on dossier " +
                                                   push.number +
                                                   " refused: " + dsWords(answer->message));
    }
    const sdk::Json* id = answer->payload.path("message.id");
    std::string detail = "DS took message " + (id != nullptr ? id->asString() : std::string("?"));
    if (!correction.empty()) detail += " with correction '" + correction + "'";
    return sdk::PushReceipt{state, detail + droppedDocuments(payload)};
}

bool isDecision(Mutation mutation) {
    return mutation == Mutation::Accepter || mutation == Mutation::Refuser ||
           mutation == Mutation::ClasserSansSuite;
}

sdk::Result<sdk::PushReceipt> pushStatus(const Push& push, std::int64_t number) {
    const sdk::Json& payload = push.event.payload;
    const auto target = sdk::parseStatus(payloadText(payload, "status"));
    if (!target) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "status: a status_changed event needs a canonical payload.status",
                         "status");
    }
    if (auto note = nothingToSend(*target)) return sdk::PushReceipt{{}, std::move(*note)};
    const std::string message = payloadText(payload, "message");
    if (auto checked = checkMotivation(*target, message); !checked) {
        return std::move(checked).error();
    }
    const bool correcting = *target == sdk::Status::AwaitingApplicant;
    std::string correction;
    if (correcting) {
        if (message.empty()) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "message: 'awaiting_applicant' goes to DS as a message to the "
                             "applicant; the event's payload.message is missing or blank",
                             "message");
        }
        auto reason = correctionReason(payload);
        if (!reason) return std::move(reason).error();
        correction = std::move(reason).value();
    }

    auto dossier = readDossier(push.call, number, correcting);
    if (!dossier) return std::move(dossier).error();
    auto path = mutationPath(dossier->state, *target, message);
    if (!path) return std::move(path).error();
    const std::string from(toString(dossier->state));
    if (path->mutations.empty()) return sdk::PushReceipt{from, path->note};
    // A correction request already among the messages reached DS (a timeout after DS took
    // it): what happened to the dossier since is DS's business.
    if (correcting) {
        if (const auto existing = sameMessage(*dossier, message)) {
            return sdk::PushReceipt{from, "already on the dossier: DS message " + *existing};
        }
    }

    // Upload first, so that a document that cannot be fetched leaves DS untouched.
    std::string justificatif;
    const bool deciding = std::any_of(path->mutations.begin(), path->mutations.end(), isDecision);
    if (const sdk::Json* document = firstDocument(payload); deciding && document != nullptr) {
        auto blob = uploadDocument(push, *dossier, *document);
        if (!blob) return std::move(blob).error();
        justificatif = std::move(blob).value();
    }

    std::string taken;
    DsState state = dossier->state;
    for (const Mutation mutation : path->mutations) {
        if (mutation == Mutation::DemanderCorrection) {
            auto sent = sendMessage(push, *dossier, message, correction, path->end_state);
            if (!sent) return sent;
            if (!taken.empty()) sent->detail = "DS took " + taken + sent->detail;
            sent->detail += " (from " + from + ")";
            return sent;
        }
        const std::string_view field = mutationField(mutation);
        sdk::Json input = baseInput(push, *dossier, field);
        input.set("disableNotification", push.settings.disable_notification);
        if (isDecision(mutation)) {
            if (!message.empty()) input.set("motivation", message);
            if (!justificatif.empty()) input.set("justificatif", justificatif);
        }
        auto answer = mutate(push, field, "dossier { id state }", std::move(input));
        if (!answer) return std::move(answer).error();
        if (answer->already) {
            // Another instructeur, or a lost answer of ours, got there first.
            state = *answer->already;
            taken += std::string(field) + " (" + dsWords(answer->message) + "), ";
            if (state == stateAfter(mutation)) continue;
            if (state == path->end_state && !correcting) break;
            return sdk::fail(ErrorCode::Permanent,
                             "DS's " + std::string(field) + " on dossier " + push.number +
                                 " refused: " + dsWords(answer->message) + " (relais wanted '" +
                                 std::string(sdk::toString(*target)) + "')");
        }
        const sdk::Json* now = answer->payload.path("dossier.state");
        const auto reported = now != nullptr ? parseDsState(now->asString()) : std::nullopt;
        state = reported.value_or(stateAfter(mutation));
        taken += std::string(field) + ", ";
    }
    std::string detail = "DS took " + taken.substr(0, taken.size() - 2) + " (from " + from + ")";
    if (deciding) detail += droppedDocuments(payload);
    return sdk::PushReceipt{std::string(toString(state)), detail};
}

sdk::Result<sdk::PushReceipt> pushMessage(const Push& push, std::int64_t number) {
    const sdk::Json& payload = push.event.payload;
    std::string body = payloadText(payload, "message");
    if (const sdk::Json* document = firstDocument(payload); body.empty() && document != nullptr) {
        body = payloadText(*document, "name");
    }
    if (body.empty()) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "message: DS needs a message body; the event's payload has neither "
                         "message nor a named document",
                         "message");
    }
    auto dossier = readDossier(push.call, number, true);
    if (!dossier) return std::move(dossier).error();
    return sendMessage(push, *dossier, body, {}, dossier->state);
}

}  // namespace

sdk::Result<std::string> correctionReason(const sdk::Json& payload) {
    const auto known = [](std::string_view reason) {
        return std::find(kCorrectionReasons.begin(), kCorrectionReasons.end(), reason) !=
               kCorrectionReasons.end();
    };
    if (const sdk::Json* given = payload.find("correction"); given != nullptr) {
        if (!known(given->asString())) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "correction: must be incomplete, incorrect or outdated (DS's "
                             "CorrectionReason)",
                             "correction");
        }
        return given->asString();
    }
    if (const sdk::Json* code = payload.path("sub_status.code");
        code != nullptr && known(code->asString())) {
        return code->asString();
    }
    return std::string("incomplete");
}

sdk::Result<sdk::PushReceipt> pushEvent(const GraphqlCall& call, const PushSettings& settings,
                                        const sdk::Dossier& dossier, const sdk::Event& event,
                                        sdk::HttpClient& http) {
    const bool status = event.type == sdk::event_type::kStatusChanged;
    const bool message =
        event.type == sdk::event_type::kMessage || event.type == sdk::event_type::kDocumentAdded;
    if (!status && !message) {
        return sdk::PushReceipt{{}, "not sent: DS has no use for a '" + event.type + "' event"};
    }
    auto number = dossierNumber(dossier);
    if (!number) return std::move(number).error();
    if (settings.instructeur_id.empty()) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "instructeur_id: DS mutations need the instructeur's GraphQL id",
                         "instructeur_id");
    }
    const Push push{call, settings, http, event, dossier.source_key};
    return status ? pushStatus(push, *number) : pushMessage(push, *number);
}

}  // namespace relais::adapters::ds
