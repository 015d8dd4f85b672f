// SPDX-License-Identifier: AGPL-3.0-or-later
#include "reply.h"

#include "relais/sdk/text.h"
#include "relais/sdk/xml.h"

#include "envelope.h"

namespace relais::adapters::mdel {
namespace {

using sdk::ErrorCode;
using sdk::Status;

// relais's default codes: the states the "Gestionnaire de Suivi" shows a service (received,
// being handled, waiting for documents, handled: accepted or refused, closed). The platform's
// raccordement guide has the codes a given flow expects; `status-codes` sets them.
StateCodes defaultCodes() {
    return {
        {Status::Acknowledged, {"RECU", "Dossier reçu par le service"}},
        {Status::InReview, {"EN_COURS", "Dossier en cours de traitement"}},
        {Status::AwaitingApplicant, {"ATTENTE_PIECES", "En attente de pièces complémentaires"}},
        {Status::Accepted, {"TRAITE_ACCEPTE", "Demande acceptée"}},
        {Status::Refused, {"TRAITE_REFUSE", "Demande refusée"}},
        {Status::ClosedNoAction, {"CLASSE_SANS_SUITE", "Dossier classé sans suite"}},
    };
}

const sdk::Json* member(const sdk::Json& object, std::string_view key) {
    const sdk::Json* value = object.find(key);
    return value != nullptr && !value->isNull() ? value : nullptr;
}

void appendElement(std::string& out, std::string_view qname, std::string_view text) {
    out += '<';
    out += qname;
    out += '>';
    out += sdk::escapeXml(text);
    out += "</";
    out += qname;
    out += '>';
}

// A routing tree (as `elementTree` made it) written back as PEC elements. `Location` is an
// abstract type in the PEC schema: the incoming envelopes type it `Location_FR`.
void appendTree(std::string& out, const std::string& name, const sdk::Json& value) {
    if (!sdk::isNcName(name)) return;
    if (const auto* items = value.arrayIf()) {
        for (const auto& item : *items) appendTree(out, name, item);
        return;
    }
    const std::string qname = "pec:" + name;
    if (const auto* members = value.objectIf()) {
        out += "<" + qname + (name == "Location" ? " xsi:type=\"pec:Location_FR\">" : ">");
        for (const auto& child : *members) appendTree(out, child.key, child.value);
        out += "</" + qname + ">";
        return;
    }
    appendElement(out, qname, value.asString());
}

// The children of a party (`Sender` or one `Recipient`), under a new name.
void appendParty(std::string& out, std::string_view name, const sdk::Json& party) {
    out += "<pec:";
    out += name;
    out += '>';
    if (const auto* members = party.objectIf()) {
        for (const auto& child : *members) appendTree(out, child.key, child.value);
    }
    out += "</pec:";
    out += name;
    out += '>';
}

}  // namespace

sdk::Result<StateCodes> stateCodesFrom(const std::vector<std::string>& entries) {
    StateCodes codes = defaultCodes();
    for (const auto& entry : entries) {
        const auto colon = entry.find(':');
        const auto status = colon == std::string::npos
                                ? std::nullopt
                                : sdk::parseStatus(sdk::text::trim(entry.substr(0, colon)));
        if (!status) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "status-codes: '" + entry +
                                 "' is not '<canonical status>:<MDEL code>' (accepted:TRAITE)",
                             "status-codes");
        }
        const std::string code(sdk::text::trim(entry.substr(colon + 1)));
        if (code.empty()) {
            codes.erase(*status);
        } else if (sdk::text::hasControlCharacter(code)) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "status-codes: the code of '" + entry + "' has a control character",
                             "status-codes");
        } else {
            auto& state = codes[*status];
            state.code = code;
            if (state.label.empty()) state.label = std::string(sdk::toString(*status));
        }
    }
    return codes;
}

sdk::Result<std::string> replyEnvelope(const sdk::Json& meta, const ReplyContent& content) {
    const auto missing = [](const std::string& what) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "_mdel." + what + ": missing (the dossier did not come through MDEL?)",
                         "_mdel." + what);
    };
    const sdk::Json* incoming_id = member(meta, "MessageId");
    const sdk::Json* flow = member(meta, "FlowType");
    const sdk::Json* sender = meta.path("Routing.Sender");
    const sdk::Json* recipient = meta.path("Routing.Recipients.Recipient[0]");
    if (incoming_id == nullptr) return missing("MessageId");
    if (flow == nullptr) return missing("FlowType");
    if (sender == nullptr || !sender->isObject()) return missing("Routing.Sender");
    if (recipient == nullptr || !recipient->isObject()) {
        return missing("Routing.Recipients.Recipient");
    }
    const sdk::Json* conversation = member(meta, "ConversationId");
    const std::string conversation_id = conversation != nullptr && !conversation->asString().empty()
                                            ? conversation->asString()
                                            : incoming_id->asString();

    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pec:Message xmlns:pec=\"";
    out += kPecNamespace;
    out += "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><pec:Header><pec:Routing>";
    appendElement(out, "pec:MessageId", content.message_id);
    appendElement(out, "pec:FlowType", flow->asString());
    appendParty(out, "Sender", *recipient);
    out += "<pec:Recipients>";
    appendParty(out, "Recipient", *sender);
    out += "</pec:Recipients>";
    appendElement(out, "pec:ConversationId", conversation_id);
    appendElement(out, "pec:AckRequired", "false");
    out += "</pec:Routing><pec:Security>";
    appendElement(out, "pec:DateTime", content.created_at);
    out += "</pec:Security></pec:Header><pec:Body><pec:Content><pec:Retour xmlns=\"";
    out += kMetierNamespace;
    out += "\">";
    if (const sdk::Json* demarche = member(meta, "NumeroDemarche")) {
        appendElement(out, "NumeroDemarche", demarche->asString());
    }
    if (const sdk::Json* numero = member(meta, "NumeroTeledemarche")) {
        appendElement(out, "NumeroTeledemarche", numero->asString());
    }
    appendElement(out, "MessageIdAller", incoming_id->asString());
    out += "<Etat>";
    appendElement(out, "Code", content.state.code);
    appendElement(out, "Libelle", content.state.label);
    out += "</Etat>";
    appendElement(out, "Date", content.created_at);
    if (!content.message.empty()) appendElement(out, "Message", content.message);
    if (!content.document.empty()) {
        out += "<Document>";
        appendElement(out, "Fichier", content.document);
        out += "</Document>";
    }
    out += "</pec:Retour></pec:Content></pec:Body></pec:Message>\n";
    return out;
}

}  // namespace relais::adapters::mdel
