// SPDX-License-Identifier: AGPL-3.0-or-later
#include "delivery.h"

#include <array>
#include <set>
#include <utility>

#include <unistd.h>

#include "relais/sdk/text.h"
#include "relais/sdk/xml.h"

#include "envelope.h"
#include "files.h"
#include "zip_reader.h"

namespace relais::adapters::mdel {
namespace {

using sdk::ErrorCode;

// An envelope is a few kilobytes; a business XML document a few hundred.
constexpr std::uint64_t kMaxEnvelopeBytes = std::uint64_t{16} * 1024 * 1024;
constexpr std::uint64_t kMaxBusinessXmlBytes = std::uint64_t{4} * 1024 * 1024;

std::string_view baseName(std::string_view entry) {
    const auto slash = entry.rfind('/');
    return slash == std::string_view::npos ? entry : entry.substr(slash + 1);
}

std::string extensionOf(std::string_view name) {
    const auto dot = name.rfind('.');
    return dot == std::string_view::npos ? std::string() : sdk::text::toLower(name.substr(dot + 1));
}

std::string contentTypeOf(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kTypes = {{
        {"pdf", "application/pdf"},
        {"xml", "application/xml"},
        {"zip", "application/zip"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"png", "image/png"},
        {"tif", "image/tiff"},
        {"tiff", "image/tiff"},
        {"txt", "text/plain"},
        {"odt", "application/vnd.oasis.opendocument.text"},
    }};
    const std::string extension = extensionOf(name);
    for (const auto& [known, type] : kTypes) {
        if (extension == known) return std::string(type);
    }
    return "application/octet-stream";
}

// The envelope's entry: `message.xml` nearest the root, else the first XML entry that is a
// PEC message.
sdk::Result<std::string> envelopeEntry(const ZipReader& zip) {
    const ZipEntry* best = nullptr;
    for (const auto& entry : zip.entries()) {
        if (sdk::text::equalsIgnoreCase(baseName(entry.name), "message.xml") &&
            (best == nullptr || entry.name.size() < best->name.size())) {
            best = &entry;
        }
    }
    if (best != nullptr) return best->name;
    for (const auto& entry : zip.entries()) {
        if (extensionOf(entry.name) != "xml" || entry.size > kMaxEnvelopeBytes) continue;
        auto bytes = zip.read(entry.name, kMaxEnvelopeBytes);
        if (!bytes) continue;
        const auto parsed = sdk::parseXmlSafely(*bytes, entry.name);
        if (parsed.doc && isPecMessage(parsed.doc->root())) return entry.name;
    }
    return sdk::fail(ErrorCode::InvalidArgument,
                     "message.xml: the zip holds no PEC envelope (message.xml or an XML entry "
                     "whose root is a PEC Message)",
                     "message.xml");
}

sdk::Attachment attachmentOf(const std::string& zip_name, const ZipEntry& entry,
                             const std::string& kind) {
    sdk::Attachment attachment;
    attachment.name = std::string(baseName(entry.name));
    attachment.content_type = contentTypeOf(entry.name);
    attachment.size = static_cast<std::int64_t>(entry.size);
    attachment.source_url = std::string(kZipScheme) + zip_name + "#" + entry.name;
    attachment.kind = kind;
    return attachment;
}

// The files of the zip as attachments: those the envelope names first, with their code,
// then the others (a DIA's business file, the platform's `-ent-` copy), as `Annexe`. The
// XML ones the envelope names are also shown as trees under `Donnees.<code>`.
sdk::Result<void> addFiles(const ZipReader& zip, const Envelope& envelope,
                           const std::string& envelope_name, const std::string& zip_name,
                           sdk::Dossier& dossier) {
    const auto slash = envelope_name.rfind('/');
    const std::string folder =
        slash == std::string::npos ? std::string() : envelope_name.substr(0, slash + 1);
    std::set<std::string> named;
    sdk::Json data = sdk::Json::object();
    for (const auto& file : envelope.files) {
        const ZipEntry* entry = zip.find(folder + file.entry);
        if (entry == nullptr) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             file.kind + ": file '" + file.entry + "' is not in the zip",
                             file.kind);
        }
        if (!named.insert(entry->name).second) continue;
        dossier.attachments.push_back(attachmentOf(zip_name, *entry, file.kind));
        if (extensionOf(entry->name) != "xml" || entry->size > kMaxBusinessXmlBytes) continue;
        auto bytes = zip.read(entry->name, kMaxBusinessXmlBytes);
        if (!bytes) return sdk::fail(ErrorCode::InvalidArgument, bytes.error().message, file.kind);
        const auto parsed = sdk::parseXmlSafely(*bytes, entry->name);
        if (parsed.doc) data.set(file.kind, elementTree(parsed.doc->root()));
    }
    for (const auto& entry : zip.entries()) {
        if (entry.name == envelope_name || named.count(entry.name) != 0) continue;
        dossier.attachments.push_back(attachmentOf(zip_name, entry, "Annexe"));
    }
    if (data.size() > 0) dossier.fields.set("Donnees", std::move(data));
    return sdk::ok();
}

sdk::Json metadataOf(const Envelope& envelope, const std::string& zip_name,
                     const std::string& envelope_name) {
    sdk::Json meta = sdk::Json::object();
    meta.set("MessageId", envelope.message_id);
    meta.set("FlowType", envelope.flow_type);
    if (!envelope.conversation_id.empty()) meta.set("ConversationId", envelope.conversation_id);
    if (const sdk::Json* demarche = envelope.content.find("NumeroDemarche")) {
        meta.set("NumeroDemarche", demarche->asString());
    }
    if (!envelope.numero.empty()) meta.set("NumeroTeledemarche", envelope.numero);
    meta.set("Routing", envelope.routing);
    meta.set("zip", zip_name);
    meta.set("envelope", envelope_name);
    return meta;
}

}  // namespace

sdk::Result<Delivery> readDelivery(const MdelSettings& settings, const std::string& zip_name,
                                   const std::string& source, sdk::Timestamp received_at) {
    auto zip = ZipReader::open(settings.inbox + "/" + zip_name, settings.max_uncompressed);
    if (!zip) return std::move(zip).error();
    auto envelope_name = envelopeEntry(*zip);
    if (!envelope_name) return std::move(envelope_name).error();
    auto xml = zip->read(*envelope_name, kMaxEnvelopeBytes);
    if (!xml) return sdk::fail(ErrorCode::InvalidArgument, xml.error().message, *envelope_name);
    auto envelope = parseEnvelope(*xml);
    if (!envelope) return std::move(envelope).error();

    Delivery delivery;
    delivery.message_id = envelope->message_id;
    sdk::Dossier& dossier = delivery.dossier;
    dossier.source = source;
    // A télédémarche has its number; a flow without one (DIA) is known by its conversation.
    dossier.source_key = !envelope->numero.empty()            ? envelope->numero
                         : !envelope->conversation_id.empty() ? envelope->conversation_id
                                                              : envelope->message_id;
    dossier.procedure = settings.procedureFor(envelope->flow_type);
    dossier.submitted_at = received_at;
    if (!envelope->date.empty()) {
        auto date = parseEnvelopeTime(envelope->date, settings.time_zone);
        if (!date) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "Teledemarche/Date: " + date.error().message, "Teledemarche/Date");
        }
        dossier.submitted_at = *date;
    }
    dossier.portal_status = "deposee";
    dossier.fields = envelope->content.isObject() ? envelope->content : sdk::Json::object();
    if (auto added = addFiles(*zip, *envelope, *envelope_name, zip_name, dossier); !added) {
        return std::move(added).error();
    }
    dossier.fields.set(kMetaKey, metadataOf(*envelope, zip_name, *envelope_name));
    return delivery;
}

sdk::Result<std::string> readAttachment(const MdelSettings& settings,
                                        const std::string& source_url) {
    const auto bad = [&](const std::string& why) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "source_url '" + source_url.substr(0, 200) + "' " + why, "source_url");
    };
    if (!source_url.starts_with(kZipScheme)) return bad("is not an mdel-zip: URL");
    const std::string rest = source_url.substr(kZipScheme.size());
    const auto hash = rest.find('#');
    if (hash == std::string::npos) return bad("names no entry (mdel-zip:<zip>#<entry>)");
    const std::string zip_name = rest.substr(0, hash);
    const std::string entry = rest.substr(hash + 1);
    if (!isPlainFileName(zip_name) || zip_name.front() == '.') return bad("names no inbox zip");
    if (auto why = unsafeEntryName(entry); !why.empty()) return bad(why);
    for (const std::string* directory : {&settings.inbox, &settings.archive}) {
        const std::string path = *directory + "/" + zip_name;
        if (::access(path.c_str(), R_OK) != 0) continue;
        auto zip = ZipReader::open(path, settings.max_uncompressed);
        if (!zip) return std::move(zip).error();
        return zip->read(entry, settings.max_uncompressed);
    }
    return sdk::fail(ErrorCode::NotFound,
                     "zip '" + zip_name + "' is neither in the inbox nor in the archive");
}

}  // namespace relais::adapters::mdel
