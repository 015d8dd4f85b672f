// SPDX-License-Identifier: AGPL-3.0-or-later
#include "dossier_mapping.h"

#include <algorithm>
#include <sstream>
#include <utility>

#include "relais/sdk/event.h"
#include "relais/sdk/time.h"

#include "champs.h"
#include "field_error.h"

namespace relais::adapters::ds {
namespace {

using sdk::Json;

std::string text(const Json& object, std::string_view key) {
    const Json* value = object.find(key);
    return value != nullptr ? value->asString() : std::string();
}

// An id DS writes as a string (`ID`) or, in some answers, a number.
std::string idText(const Json& object, std::string_view key) {
    const Json* value = object.find(key);
    if (value == nullptr) return {};
    return value->isInt() ? std::to_string(value->asInt()) : value->asString();
}

sdk::Result<sdk::Timestamp> timeMember(const Json& object, std::string_view key,
                                       const std::string& field) {
    const std::string value = text(object, key);
    if (value.empty()) return invalidField(field, "is missing");
    auto parsed = sdk::Timestamp::parse(value);
    if (!parsed) return invalidField(field, "is not an RFC 3339 date-time");
    return parsed;
}

struct StateInfo {
    std::string_view state;
    sdk::Status status;
    std::string_view label;
};

constexpr StateInfo kStates[] = {
    {"en_construction", sdk::Status::Submitted, "En construction"},
    {"en_instruction", sdk::Status::InReview, "En instruction"},
    {"accepte", sdk::Status::Accepted, "Accepté"},
    {"refuse", sdk::Status::Refused, "Refusé"},
    {"sans_suite", sdk::Status::ClosedNoAction, "Classé sans suite"},
};

// The state a traitement event leads to, for answers without the (deprecated) `state`.
std::string_view stateOfEvent(std::string_view event) {
    if (event.starts_with("accepte")) return "accepte";
    if (event.starts_with("refuse")) return "refuse";
    if (event == "classe_sans_suite") return "sans_suite";
    if (event.find("instruction") != std::string_view::npos) return "en_instruction";
    return "en_construction";
}

// The canonical status a traitement records. Where DS stays `en_construction`, what
// happened says more than the state: the dossier given back to the citizen waits for
// them; a correction handed in goes back to the agent.
sdk::Status traitementStatus(std::string_view state, std::string_view event) {
    if (event == "repasse_en_construction") return sdk::Status::AwaitingApplicant;
    if (event.starts_with("depose_correction")) return sdk::Status::InReview;
    return canonicalStatus(state).value_or(sdk::Status::Submitted);
}

sdk::Result<sdk::InboundEvent> traitementEvent(const Json& traitement, std::size_t index,
                                               const std::string& source_key) {
    const std::string where = "traitements[" + std::to_string(index) + "]";
    auto occurred = timeMember(traitement, "dateTraitement", where + ".dateTraitement");
    if (!occurred) return std::move(occurred).error();
    const std::string event_name = text(traitement, "event");
    std::string state = text(traitement, "state");
    if (state.empty()) state = std::string(stateOfEvent(event_name));
    if (!canonicalStatus(state))
        return invalidField(where + ".state", "'" + state + "' is unknown");

    sdk::InboundEvent inbound;
    inbound.source_key = source_key;
    sdk::Event& event = inbound.event;
    event.type = sdk::event_type::kStatusChanged;
    event.side = sdk::EventSide::Portal;
    const std::string id = idText(traitement, "id");
    event.source_event_key =
        "traitement:" + (id.empty() ? text(traitement, "dateTraitement") + ":" + state : id);
    event.source_version = text(traitement, "dateTraitement");
    event.occurred_at = *occurred;
    const std::string agent = text(traitement, "emailAgentTraitant");
    event.actor = agent.empty() ? "ds" : agent;
    event.is_public = true;
    event.payload = Json::object();
    event.payload.set("status", std::string(sdk::toString(traitementStatus(state, event_name))));
    Json sub_status = Json::object();
    sub_status.set("code", state);
    sub_status.set("label", stateLabel(state));
    event.payload.set("sub_status", std::move(sub_status));
    if (!event_name.empty()) event.payload.set("ds_event", event_name);
    if (const std::string motivation = text(traitement, "motivation"); !motivation.empty()) {
        event.payload.set("message", motivation);
    }
    return inbound;
}

sdk::Result<std::optional<sdk::InboundEvent>> messageEvent(const Json& message, std::size_t index,
                                                           const std::string& source_key,
                                                           const std::string& usager_email) {
    const Json* discarded = message.find("discardedAt");
    if (discarded != nullptr && !discarded->isNull()) return std::optional<sdk::InboundEvent>();
    const std::string where = "messages[" + std::to_string(index) + "]";
    const std::string id = idText(message, "id");
    if (id.empty()) return invalidField(where + ".id", "is missing");
    auto occurred = timeMember(message, "createdAt", where + ".createdAt");
    if (!occurred) return std::move(occurred).error();

    sdk::InboundEvent inbound;
    inbound.source_key = source_key;
    sdk::Event& event = inbound.event;
    event.type = sdk::event_type::kMessage;
    event.side = sdk::EventSide::Portal;
    event.source_event_key = "message:" + id;
    event.occurred_at = *occurred;
    const std::string email = text(message, "email");
    const bool from_usager = !email.empty() && email == usager_email;
    event.actor = email;
    // The citizen's words are news for the back office and the timeline. The instructeurs'
    // and DS's own (the deposit notice, relais's decisions and requests coming back) are on
    // DS already: kept in the log, not shown again.
    event.is_public = from_usager;
    event.payload = Json::object();
    event.payload.set("message", text(message, "body"));
    event.payload.set("author", from_usager ? "usager" : "instructeur");
    auto files = listMember(message.find("attachments"), where + ".attachments");
    if (!files) return std::move(files).error();
    if (!(*files)->empty()) {
        Json documents = Json::array();
        for (const Json& file : **files) {
            Json document = Json::object();
            document.set("name", text(file, "filename"));
            document.set("url", text(file, "url"));
            document.set("content_type", text(file, "contentType"));
            documents.push(std::move(document));
        }
        event.payload.set("documents", std::move(documents));
    }
    if (const Json* reason = message.path("correction.reason"); reason != nullptr) {
        event.payload.set("correction", *reason);
    }
    return std::optional<sdk::InboundEvent>(std::move(inbound));
}

std::vector<std::string> splitWords(const std::string& words) {
    std::vector<std::string> out;
    std::istringstream in(words);
    for (std::string word; in >> word;) out.push_back(word);
    return out;
}

// The applicant: a person with a complete identity pivot, or a company by its SIRET.
std::optional<sdk::Subject> subjectOf(const Json* demandeur) {
    if (demandeur == nullptr || !demandeur->isObject()) return std::nullopt;
    const std::string type = text(*demandeur, "__typename");
    sdk::Subject subject;
    if (type == "PersonnePhysique") {
        const std::string civilite = text(*demandeur, "civilite");
        subject.pivot.family_name = text(*demandeur, "nom");
        subject.pivot.given_names = splitWords(text(*demandeur, "prenom"));
        subject.pivot.birth_date = text(*demandeur, "dateDeNaissance");
        subject.pivot.gender = civilite == "M" ? "male" : civilite == "Mme" ? "female" : "";
        if (subject.pivot.family_name.empty() || subject.pivot.given_names.empty() ||
            subject.pivot.birth_date.empty() || subject.pivot.gender.empty()) {
            return std::nullopt;
        }
        return subject;
    }
    if (type == "PersonneMorale" || type == "PersonneMoraleIncomplete") {
        subject.kind = sdk::SubjectKind::Company;
        subject.siret = text(*demandeur, "siret");
        const Json* siren = demandeur->path("entreprise.siren");
        subject.siren = siren != nullptr && siren->isString() ? siren->asString()
                        : subject.siret.size() == 14          ? subject.siret.substr(0, 9)
                                                              : std::string();
        if (subject.siret.empty()) return std::nullopt;
        return subject;
    }
    return std::nullopt;
}

Json demandeurMeta(const Json* demandeur) {
    if (demandeur == nullptr || !demandeur->isObject()) return nullptr;
    Json out = Json::object();
    out.set("type", text(*demandeur, "__typename"));
    for (const auto& [from, to] :
         {std::pair{"civilite", "civilite"}, std::pair{"nom", "nom"}, std::pair{"prenom", "prenom"},
          std::pair{"dateDeNaissance", "date_de_naissance"}, std::pair{"email", "email"},
          std::pair{"siret", "siret"}}) {
        if (const Json* value = demandeur->find(from); value != nullptr && !value->isNull()) {
            out.set(to, *value);
        }
    }
    return out;
}

}  // namespace

std::optional<sdk::Status> canonicalStatus(std::string_view ds_state) {
    for (const StateInfo& info : kStates) {
        if (info.state == ds_state) return info.status;
    }
    return std::nullopt;
}

std::string stateLabel(std::string_view ds_state) {
    for (const StateInfo& info : kStates) {
        if (info.state == ds_state) return std::string(info.label);
    }
    return std::string(ds_state);
}

sdk::Result<MappedDossier> mapDossier(const DsSettings& settings, const Json& node,
                                      const std::string& source) {
    if (!node.isObject()) return invalidField("dossier", "must be a dossier object");
    const Json* number = node.find("number");
    if (number == nullptr || !number->isInt() || number->asInt() < 1) {
        return invalidField("number", "must be the dossier number");
    }
    const Json* demarche_number = node.path("demarche.number");
    if (demarche_number == nullptr || !demarche_number->isInt()) {
        return invalidField("demarche.number", "is missing");
    }
    const std::string state = text(node, "state");
    const auto status = canonicalStatus(state);
    if (!status) return invalidField("state", "'" + state + "' is not a DS state");
    auto submitted = timeMember(node, "dateDepot", "dateDepot");
    if (!submitted) return std::move(submitted).error();

    MappedDossier out;
    sdk::Dossier& dossier = out.dossier;
    dossier.source = source;
    dossier.source_key = std::to_string(number->asInt());
    dossier.procedure = settings.procedureOf(demarche_number->asInt());
    dossier.submitted_at = *submitted;
    dossier.status = *status;
    dossier.portal_status = state;
    dossier.subject = subjectOf(node.find("demandeur"));

    FileList files;
    const Json* champs = node.find("champs");
    auto mapped = mapChamps(champs != nullptr ? *champs : Json::array(), "fields", files);
    if (!mapped) return std::move(mapped).error();
    const Json* annotations_node = node.find("annotations");
    auto annotations = mapChamps(annotations_node != nullptr ? *annotations_node : Json::array(),
                                 "_ds.annotations", files);
    if (!annotations) return std::move(annotations).error();

    const std::string usager_email =
        node.path("usager.email") != nullptr ? node.path("usager.email")->asString() : "";
    Json meta = Json::object();
    meta.set("number", number->asInt());
    meta.set("id", idText(node, "id"));
    meta.set("state", state);
    Json demarche = Json::object();
    demarche.set("number", demarche_number->asInt());
    if (const Json* title = node.path("demarche.title"); title != nullptr) {
        demarche.set("title", *title);
    }
    meta.set("demarche", std::move(demarche));
    meta.set("date_depot", text(node, "dateDepot"));
    meta.set("date_derniere_modification", text(node, "dateDerniereModification"));
    meta.set("usager_email", usager_email);
    meta.set("demandeur", demandeurMeta(node.find("demandeur")));
    meta.set("champ_ids", std::move(mapped->champ_ids));
    meta.set("descriptor_ids", std::move(mapped->descriptor_ids));
    meta.set("annotations", std::move(annotations->fields));
    meta.set("annotation_ids", std::move(annotations->champ_ids));
    meta.set("files", std::move(files.files));
    dossier.fields = std::move(mapped->fields);
    dossier.fields.set(kMetaKey, std::move(meta));
    dossier.attachments = std::move(files.attachments);

    auto traitements = listMember(node.find("traitements"), "traitements");
    if (!traitements) return std::move(traitements).error();
    for (std::size_t i = 0; i < (*traitements)->size(); ++i) {
        auto event = traitementEvent((**traitements)[i], i, dossier.source_key);
        if (!event) return std::move(event).error();
        out.events.push_back(std::move(event).value());
    }
    auto messages = listMember(node.find("messages"), "messages");
    if (!messages) return std::move(messages).error();
    for (std::size_t i = 0; i < (*messages)->size(); ++i) {
        auto event = messageEvent((**messages)[i], i, dossier.source_key, usager_email);
        if (!event) return std::move(event).error();
        if (*event) out.events.push_back(std::move(**event));
    }
    std::stable_sort(out.events.begin(), out.events.end(),
                     [](const sdk::InboundEvent& a, const sdk::InboundEvent& b) {
                         return a.event.occurred_at < b.event.occurred_at;
                     });
    return out;
}

sdk::Result<sdk::InboundEvent> deletedDossierEvent(const Json& node) {
    const Json* number = node.find("number");
    if (number == nullptr || !number->isInt())
        return invalidField("deletedDossiers.number", "is missing");
    const std::string id = idText(node, "id");
    if (id.empty()) return invalidField("deletedDossiers.id", "is missing");
    auto occurred = timeMember(node, "dateSupression", "deletedDossiers.dateSupression");
    if (!occurred) return std::move(occurred).error();
    sdk::InboundEvent inbound;
    inbound.source_key = std::to_string(number->asInt());
    sdk::Event& event = inbound.event;
    event.type = sdk::event_type::kStatusChanged;
    event.side = sdk::EventSide::Portal;
    event.source_event_key = "deleted:" + id;
    event.source_version = text(node, "dateSupression");
    event.occurred_at = *occurred;
    event.actor = "ds";
    event.is_public = true;
    event.payload = Json::object();
    event.payload.set("status", std::string(sdk::toString(sdk::Status::Withdrawn)));
    Json sub_status = Json::object();
    sub_status.set("code", "supprime");
    sub_status.set("label", "Supprimé (" + text(node, "reason") + ")");
    event.payload.set("sub_status", std::move(sub_status));
    if (const std::string state = text(node, "state"); !state.empty()) {
        event.payload.set("state_before", state);
    }
    return inbound;
}

}  // namespace relais::adapters::ds
