// SPDX-License-Identifier: AGPL-3.0-or-later
// The mutations of DS's API v2 as `app/graphql/mutations/*.rb` run them: `ready?` first (a
// read-only token is refused; a signed blob id must name an uploaded file), then the
// `loads:` of `dossierId` / `instructeurId` (an unknown id is a GraphQL error, the field is
// null), then `authorized?` (the state machine's "Le dossier est déjà …"), then the change.
#include <utility>

#include "relais/sdk/signing.h"

#include "ds_resolver.h"

namespace relais::ds_mock {
namespace {

const std::string kReadOnly = "Le jeton utilisé est configuré seulement en lecture";

std::string member(const sdk::Json& object, std::string_view key) {
    const sdk::Json* value = object.find(key);
    return value != nullptr ? value->asString() : std::string();
}

sdk::Json withErrors(sdk::Json payload, const std::string& message) {
    sdk::Json error = sdk::Json::object();
    error.set("__typename", "ValidationError");
    error.set("message", message);
    sdk::Json errors = sdk::Json::array();
    errors.push(std::move(error));
    payload.set("errors", std::move(errors));
    return payload;
}

// graphql-ruby's answer when a `loads:` argument names no object.
std::string noObject(const std::string& argument, const std::string& id) {
    return "No object found for `" + argument + ": \"" + id + "\"`";
}

int numberOfDossierId(const std::string& id) {
    const auto decoded = sdk::signing::base64Decode(id);
    if (!decoded || decoded->rfind("Dossier-", 0) != 0) return 0;
    return static_cast<int>(std::strtol(decoded->c_str() + 8, nullptr, 10));
}

}  // namespace

Resolved DsResolver::mutate(const FieldCall& call) {
    const FieldDef* def = store_.schema.type(call.type)->field(call.field);
    const sdk::Json* input_member = call.arguments.find("input");
    const sdk::Json input = input_member != nullptr ? *input_member : sdk::Json::object();
    MutationCall record;
    record.mutation = call.field;
    record.dossier = numberOfDossierId(member(input, "dossierId"));
    record.variables = input;
    sdk::Json payload = sdk::Json::object();
    payload.set("__typename", def->type.name);
    payload.set("clientMutationId", input.find("clientMutationId") != nullptr
                                        ? *input.find("clientMutationId")
                                        : sdk::Json());
    auto finish = [&](Resolved resolved) {
        const sdk::Json* errors = resolved.value.find("errors");
        record.ok = resolved.error.empty() && (errors == nullptr || errors->size() == 0);
        record.error = !resolved.error.empty() ? resolved.error
                       : record.ok             ? std::string()
                                               : member(*errors->at(0), "message");
        store_.calls.push_back(record);
        return resolved;
    };

    if (!write_access_) return finish({withErrors(payload, kReadOnly), {}, {}});
    sdk::Json attachment;
    for (const char* blob_argument : {"justificatif", "attachment"}) {
        const std::string signed_id = member(input, blob_argument);
        if (signed_id.empty()) continue;
        std::string key;
        const std::string problem = store_.files.check(signed_id, key);
        if (!problem.empty()) return finish({withErrors(payload, problem), {}, {}});
        attachment = store_.files.fileObject(key);
    }
    StoredDossier* dossier = store_.findById(member(input, "dossierId"));
    if (dossier == nullptr) {
        return finish({{}, noObject("dossierId", member(input, "dossierId")), {}});
    }
    if (call.field == "createDirectUpload") {
        const std::string key = store_.files.announce(
            member(input, "filename"), member(input, "contentType"),
            input.find("byteSize")->asInt(), member(input, "checksum"), store_.now());
        const std::int64_t expires =
            store_.clock.nowMicros() / 1'000'000 + store_.options.file_ttl.count();
        sdk::Json headers = sdk::Json::object();
        headers.set("Content-Type", member(input, "contentType"));
        headers.set("Content-MD5", member(input, "checksum"));
        sdk::Json upload = sdk::Json::object();
        upload.set("__typename", "DirectUpload");
        upload.set("url", store_.base_url + store_.files.uploadPath(key, expires));
        upload.set("headers", headers.dump());
        upload.set("blobId", key.substr(4));
        upload.set("signedBlobId", store_.files.signedId(key));
        payload.set("directUpload", std::move(upload));
        return finish({std::move(payload), {}, {}});
    }
    if (member(input, "instructeurId") != store_.options.instructeur_id) {
        return finish({{}, noObject("instructeurId", member(input, "instructeurId")), {}});
    }
    if (call.field == "dossierEnvoyerMessage") {
        payload.set("message", store_.addMessage(*dossier, member(input, "body"),
                                                 store_.options.instructeur_email,
                                                 member(input, "correction"), attachment));
        return finish({std::move(payload), {}, {}});
    }
    if (attachment.isObject()) payload.set("__justificatif", std::move(attachment));
    return finish(decide(call, *dossier, input, std::move(payload)));
}

Resolved DsResolver::decide(const FieldCall& call, StoredDossier& dossier, const sdk::Json& input,
                            sdk::Json payload) {
    const auto decision = decisionOfMutation(call.field);
    if (!decision) {
        return {{}, call.field + " is not implemented by the DS double", {}};
    }
    const std::string problem =
        refusal(*decision, member(dossier.data, "state"), dossier.pending_correction);
    sdk::Json justificatif;
    if (const sdk::Json* file = payload.find("__justificatif")) justificatif = *file;
    payload.erase("__justificatif");
    if (!problem.empty()) return {withErrors(std::move(payload), problem), {}, {}};
    store_.transition(dossier, targetState(*decision), traitementEvent(*decision),
                      store_.options.instructeur_email, member(input, "motivation"));
    if (justificatif.isObject()) dossier.data.set("motivationAttachment", std::move(justificatif));
    payload.set("dossier", dossier.data);
    return {std::move(payload), {}, {}};
}

}  // namespace relais::ds_mock
