// SPDX-License-Identifier: AGPL-3.0-or-later
#include "ds_store.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "relais/sdk/signing.h"

namespace relais::ds_mock {
namespace {

void setDefault(sdk::Json& object, std::string_view key, sdk::Json value) {
    const sdk::Json* present = object.find(key);
    if (present == nullptr || present->isNull()) object.set(key, std::move(value));
}

sdk::Json typed(const char* type_name) {
    sdk::Json object = sdk::Json::object();
    object.set("__typename", type_name);
    return object;
}

}  // namespace

Store::Store(Options opts, Schema parsed)
    : options(std::move(opts)), schema(std::move(parsed)), clock(options.clock) {}

std::string Store::newId(const std::string& type) {
    return sdk::signing::base64(type + "-" + std::to_string(next_object_id++));
}

StoredDossier* Store::find(int number) {
    const auto found = dossiers.find(number);
    return found == dossiers.end() ? nullptr : &found->second;
}

StoredDossier* Store::findById(const std::string& id) {
    const auto decoded = sdk::signing::base64Decode(id);
    if (!decoded || decoded->rfind("Dossier-", 0) != 0) return nullptr;
    const std::string digits = decoded->substr(8);
    if (digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return nullptr;
    }
    return find(std::stoi(digits));
}

// A File object with `content` / `contentBase64` becomes a stored blob.
void Store::storeFiles(sdk::Json& node) {
    if (sdk::Json::Array* items = node.arrayIf()) {
        for (auto& item : *items) storeFiles(item);
        return;
    }
    if (!node.isObject()) return;
    const sdk::Json* type_name = node.find("__typename");
    const sdk::Json* text = node.find("content");
    const sdk::Json* encoded = node.find("contentBase64");
    if (type_name != nullptr && type_name->asString() == "File" &&
        (text != nullptr || encoded != nullptr)) {
        std::string bytes = text != nullptr ? text->asString() : std::string();
        if (encoded != nullptr) {
            auto decoded = sdk::signing::base64Decode(encoded->asString());
            if (!decoded) throw std::invalid_argument("File.contentBase64: not base64");
            bytes = std::move(*decoded);
        }
        const sdk::Json* created = node.find("createdAt");
        const std::string key = files.add(
            std::move(bytes),
            node.find("filename") != nullptr ? node.find("filename")->asString() : "fichier",
            node.find("contentType") != nullptr ? node.find("contentType")->asString()
                                                : "application/octet-stream",
            created != nullptr ? created->asString() : now());
        node = files.fileObject(key);
        return;
    }
    for (auto& member : *node.objectIf()) storeFiles(member.value);
}

int Store::add(int demarche, sdk::Json dossier) {
    if (demarches.count(demarche) == 0) {
        throw std::invalid_argument("addDossier: unknown démarche " + std::to_string(demarche));
    }
    if (!dossier.isObject()) throw std::invalid_argument("addDossier: a Dossier object is needed");
    int number =
        static_cast<int>(dossier.find("number") != nullptr ? dossier.find("number")->asInt() : 0);
    if (number <= 0) number = next_number;
    if (dossiers.count(number) != 0) {
        throw std::invalid_argument("addDossier: number " + std::to_string(number) + " is taken");
    }
    next_number = std::max(next_number, number + 1);
    storeFiles(dossier);
    const std::string stamp = now();
    dossier.set("__typename", "Dossier");
    dossier.set("number", number);
    dossier.set("id", sdk::signing::base64("Dossier-" + std::to_string(number)));
    setDefault(dossier, "state", "en_construction");
    if (!knownState(dossier.find("state")->asString())) {
        throw std::invalid_argument("addDossier: state: unknown DossierState " +
                                    dossier.find("state")->dump());
    }
    setDefault(dossier, "dateDepot", stamp);
    setDefault(dossier, "datePassageEnConstruction", dossier.find("dateDepot")->asString());
    setDefault(dossier, "dateDerniereModification", stamp);
    setDefault(dossier, "dateDerniereModificationChamps", dossier.find("dateDepot")->asString());
    setDefault(dossier, "dateDerniereModificationAnnotations",
               dossier.find("dateDepot")->asString());
    setDefault(dossier, "archived", false);
    setDefault(dossier, "connectionUsager", "password");
    for (const char* list : {"champs", "annotations", "messages", "labels", "avis"}) {
        setDefault(dossier, list, sdk::Json::array());
    }
    sdk::Json profile = typed("Profile");
    profile.set("id", sdk::signing::base64("Instructeur-1"));
    profile.set("email", options.instructeur_email);
    sdk::Json instructeurs = sdk::Json::array();
    instructeurs.push(profile);
    if (dossier.find("instructeurs") == nullptr || dossier.find("instructeurs")->size() == 0) {
        dossier.set("instructeurs", instructeurs);
    }
    sdk::Json groupe = typed("GroupeInstructeur");
    groupe.set("id", sdk::signing::base64("GroupeInstructeur-" + std::to_string(demarche)));
    groupe.set("number", demarche);
    groupe.set("label", "défaut");
    groupe.set("closed", false);
    groupe.set("instructeurs", std::move(instructeurs));
    setDefault(dossier, "groupeInstructeur", std::move(groupe));
    sdk::Json usager = typed("Profile");
    usager.set("id", newId("User"));
    usager.set("email", "usager@example.org");
    setDefault(dossier, "usager", std::move(usager));
    sdk::Json demandeur = typed("PersonnePhysique");
    demandeur.set("id", newId("Individual"));
    demandeur.set("nom", "Exemple");
    demandeur.set("prenom", "Camille");
    setDefault(dossier, "demandeur", std::move(demandeur));
    if (dossier.find("traitements") == nullptr || dossier.find("traitements")->size() == 0) {
        sdk::Json depose = typed("Traitement");
        depose.set("id", newId("Traitement"));
        depose.set("state", "en_construction");
        depose.set("event", "depose");
        depose.set("emailAgentTraitant", nullptr);
        depose.set("dateTraitement", dossier.find("dateDepot")->asString());
        depose.set("motivation", nullptr);
        sdk::Json traitements = sdk::Json::array();
        traitements.push(std::move(depose));
        dossier.set("traitements", std::move(traitements));
    }
    StoredDossier stored;
    stored.number = number;
    stored.demarche = demarche;
    stored.updated_us = parseMicros(dossier.find("dateDerniereModification")->asString())
                            .value_or(clock.nowMicros());
    stored.depose_us =
        parseMicros(dossier.find("dateDepot")->asString()).value_or(stored.updated_us);
    stored.data = std::move(dossier);
    dossiers[number] = std::move(stored);
    return number;
}

void Store::touch(StoredDossier& dossier) {
    dossier.updated_us = std::max(clock.nowMicros(), dossier.updated_us + 1'000'000);
    dossier.data.set("dateDerniereModification", clock.format(dossier.updated_us));
}

void Store::transition(StoredDossier& dossier, const std::string& state, const std::string& event,
                       const std::string& agent_email, const std::string& motivation) {
    touch(dossier);
    const std::string stamp = clock.format(dossier.updated_us);
    sdk::Json& data = dossier.data;
    data.set("state", state);
    if (state == "en_instruction" && event != "repasse_en_instruction") {
        data.set("datePassageEnInstruction", stamp);
    }
    const bool decided = state == "accepte" || state == "refuse" || state == "sans_suite";
    data.set("dateTraitement", decided ? sdk::Json(stamp) : sdk::Json());
    data.set("motivation", decided && !motivation.empty() ? sdk::Json(motivation) : sdk::Json());
    if (!decided) data.set("motivationAttachment", nullptr);
    sdk::Json traitement = typed("Traitement");
    traitement.set("id", newId("Traitement"));
    traitement.set("state", state);
    traitement.set("event", event);
    traitement.set("emailAgentTraitant",
                   agent_email.empty() ? sdk::Json() : sdk::Json(agent_email));
    traitement.set("dateTraitement", stamp);
    traitement.set("motivation", motivation.empty() ? sdk::Json() : sdk::Json(motivation));
    data["traitements"].push(std::move(traitement));
}

sdk::Json Store::addMessage(StoredDossier& dossier, const std::string& body,
                            const std::string& email, const std::string& correction,
                            const sdk::Json& attachment) {
    touch(dossier);
    const std::string stamp = clock.format(dossier.updated_us);
    sdk::Json message = typed("Message");
    message.set("id", newId("Commentaire"));
    message.set("body", body);
    message.set("createdAt", stamp);
    message.set("email", email);
    message.set("discardedAt", nullptr);
    sdk::Json attachments = sdk::Json::array();
    if (!attachment.isNull()) attachments.push(attachment);
    message.set("attachments", std::move(attachments));
    message.set("attachment", attachment);
    message.set("correction", nullptr);
    const std::string state = dossier.data.find("state")->asString();
    // flag_as_pending_correction!: one pending correction at a time, and only while the
    // dossier is en construction or en instruction (which goes back en construction).
    if (!correction.empty() && !dossier.pending_correction &&
        (state == "en_construction" || state == "en_instruction")) {
        sdk::Json flag = typed("Correction");
        flag.set("reason", correction);
        flag.set("dateResolution", nullptr);
        message.set("correction", std::move(flag));
        dossier.pending_correction = true;
        dossier.data.set("dateDerniereCorrectionEnAttente", stamp);
        if (state == "en_instruction") {
            transition(dossier, "en_construction", "repasse_en_construction", email, {});
        }
    }
    dossier.data["messages"].push(message);
    return message;
}

}  // namespace relais::ds_mock
