// SPDX-License-Identifier: AGPL-3.0-or-later
#include "envelope.h"

#include <array>

namespace relais::adapters::mdel {
namespace {

using sdk::ErrorCode;

sdk::Error invalid(const std::string& element, const std::string& what) {
    return sdk::fail(ErrorCode::InvalidArgument, element + ": " + what, element);
}

bool alwaysList(std::string_view name) {
    static constexpr std::array<std::string_view, 5> kLists = {"PieceJointe", "Document", "Donnee",
                                                               "Recipient", "AckType"};
    for (const auto list : kLists) {
        if (name == list) return true;
    }
    return false;
}

std::string trimmedText(const sdk::XmlElement& element) {
    return std::string(sdk::trimXmlSpace(element.text()));
}

// `Routage` is a list of `Donnee {Id, Valeur}` pairs: shown as one object by Id.
sdk::Json routingData(const sdk::XmlElement& routage) {
    sdk::Json out = sdk::Json::object();
    for (const auto& donnee : routage.children()) {
        const std::string id = trimmedText(donnee.child("Id"));
        if (!id.empty()) out.set(id, trimmedText(donnee.child("Valeur")));
    }
    return out;
}

// The text of the first element at `path` (local names) under `from`.
std::string textAt(sdk::XmlElement from, std::initializer_list<std::string_view> path) {
    for (const auto name : path) from = from.child(name);
    return from ? trimmedText(from) : std::string();
}

// Every file the `Aller` names: PieceJointe/Fichier and Document/FichierFormulaire/*.
std::vector<FileReference> referencedFiles(const sdk::XmlElement& aller) {
    std::vector<FileReference> files;
    for (const auto& child : aller.children()) {
        const std::string code = trimmedText(child.child("Code"));
        if (child.localName() == "PieceJointe") {
            const std::string file = trimmedText(child.child("Fichier"));
            if (!file.empty()) files.push_back({file, code.empty() ? "PieceJointe" : code});
        } else if (child.localName() == "Document") {
            for (const auto& form_file : child.child("FichierFormulaire").children()) {
                const std::string file = trimmedText(form_file);
                if (!file.empty()) files.push_back({file, code.empty() ? "Document" : code});
            }
        }
    }
    return files;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Whether an ISO time carries `Z` or `±hh:mm` after its seconds (and their fraction).
bool hasOffset(std::string_view text) {
    std::size_t at = 19;
    if (text.size() <= at) return false;
    if (text[at] == '.') {
        ++at;
        while (at < text.size() && isDigit(text[at])) ++at;
    }
    return at < text.size();
}

}  // namespace

bool isPecMessage(const sdk::XmlElement& root) { return root.is(kPecNamespace, "Message"); }

sdk::Json elementTree(const sdk::XmlElement& element) {
    if (!element.firstChild()) return trimmedText(element);
    if (element.localName() == "Routage") return routingData(element);
    sdk::Json out = sdk::Json::object();
    for (const auto& child : element.children()) {
        const std::string name(child.localName());
        if (name == "MotDePasse") continue;
        sdk::Json value = elementTree(child);
        sdk::Json* existing = out.find(name);
        if (existing == nullptr && alwaysList(name)) {
            sdk::Json list = sdk::Json::array();
            list.push(std::move(value));
            out.set(name, std::move(list));
        } else if (existing == nullptr) {
            out.set(name, std::move(value));
        } else if (existing->isArray()) {
            existing->push(std::move(value));
        } else {
            sdk::Json list = sdk::Json::array();
            list.push(std::move(*existing));
            list.push(std::move(value));
            *existing = std::move(list);
        }
    }
    return out;
}

sdk::Result<Envelope> parseEnvelope(std::string_view xml) {
    const auto parsed = sdk::parseXmlSafely(xml, "message.xml");
    if (!parsed.doc) {
        return sdk::fail(ErrorCode::InvalidArgument, "message.xml is not usable XML: " +
                                                         sdk::describeProblems(parsed.problems));
    }
    const sdk::XmlElement root = parsed.doc->root();
    if (!isPecMessage(root)) {
        return invalid("Message", "the root element is '" + std::string(root.localName()) +
                                      "' in '" + std::string(root.namespaceUri()) +
                                      "', not a PEC Message (" + std::string(kPecNamespace) + ")");
    }
    const sdk::XmlElement routing = root.child("Header").child("Routing");
    if (!routing) return invalid("Header/Routing", "is missing");
    Envelope envelope;
    envelope.message_id = textAt(routing, {"MessageId"});
    if (envelope.message_id.empty()) return invalid("Header/Routing/MessageId", "is missing");
    envelope.flow_type = textAt(routing, {"FlowType"});
    if (envelope.flow_type.empty()) return invalid("Header/Routing/FlowType", "is missing");
    envelope.conversation_id = textAt(routing, {"ConversationId"});
    if (!routing.child("Sender")) return invalid("Header/Routing/Sender", "is missing");
    if (!routing.child("Recipients").child("Recipient")) {
        return invalid("Header/Routing/Recipients/Recipient", "is missing");
    }
    envelope.routing = elementTree(routing);

    const sdk::XmlElement content = root.child("Body").child("Content");
    if (!content) return invalid("Body/Content", "is missing");
    if (const sdk::XmlElement aller = content.child("Aller"); aller) {
        envelope.numero = textAt(aller, {"Teledemarche", "NumeroTeledemarche"});
        if (envelope.numero.empty()) {
            return invalid("Body/Content/Aller/Teledemarche/NumeroTeledemarche", "is missing");
        }
        envelope.date = textAt(aller, {"Teledemarche", "Date"});
        envelope.content = elementTree(aller);
        envelope.files = referencedFiles(aller);
    } else if (content.firstChild()) {
        envelope.content = elementTree(content);
    } else {
        // An opaque business content (a DIA's): kept as text.
        envelope.content = sdk::Json::object();
        envelope.content.set("Content", trimmedText(content));
    }
    if (envelope.date.empty()) envelope.date = textAt(root, {"Header", "Security", "DateTime"});
    return envelope;
}

sdk::Result<sdk::Timestamp> parseEnvelopeTime(std::string_view text, const sdk::TimeZone& zone) {
    const auto bad = [&] {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "'" + std::string(text.substr(0, 40)) + "' is not an ISO 8601 time");
    };
    if (hasOffset(text)) {
        auto zoned = sdk::Timestamp::parse(text);
        if (!zoned) return bad();
        return zoned;
    }
    // Read the wall-clock fields through the RFC 3339 parser (as if UTC), then place them in
    // the zone.
    const std::string as_utc =
        text.size() == 10 ? std::string(text) + "T00:00:00Z" : std::string(text) + "Z";
    auto wall = sdk::Timestamp::parse(as_utc);
    if (!wall) return bad();
    constexpr std::int64_t kMicrosPerDay = 86'400'000'000;
    std::int64_t days = wall->micros / kMicrosPerDay;
    std::int64_t rest = wall->micros % kMicrosPerDay;
    if (rest < 0) {
        rest += kMicrosPerDay;
        --days;
    }
    const std::int64_t seconds = rest / 1'000'000;
    auto local = zone.fromLocal(sdk::civilFromDays(days), static_cast<int>(seconds / 3600),
                                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60),
                                static_cast<int>(rest % 1'000'000));
    if (!local) return bad();
    return local;
}

}  // namespace relais::adapters::mdel
