// SPDX-License-Identifier: AGPL-3.0-or-later
// Fuzz target: the MDEL adapter (adapters/mdel) on what a delivery zip's `message.xml`
// holds — the PEC envelope reader `parseEnvelope` (with `elementTree` and the envelope
// time reader `parseEnvelopeTime`), then, for an envelope that parsed, the delivery
// mapping `readDelivery` (the envelope packed with the files it names into a zip written
// to a temporary inbox, created once per process under $TMPDIR) and the reply writer
// `replyEnvelope` for the dossier that came out.
//
// Input: an XML document (the corpus is PEC envelopes, DAUA and DIA).
//
// Invariants asserted, besides "no crash, no sanitizer report, no exception":
//   - parseEnvelope: a refusal is InvalidArgument; a parsed envelope has a non-empty,
//     trimmed MessageId and FlowType, a routing tree (an object with `Sender` and a
//     `Recipients.Recipient` array), an object as content, non-empty file names, and no
//     `MotDePasse` anywhere in its trees; parseEnvelopeTime refuses with InvalidArgument;
//   - readDelivery of that envelope: refused only with InvalidArgument; else the delivery's
//     MessageId is the envelope's, the dossier has a source key, the procedure (the FlowType
//     here), an `_mdel` object with the same MessageId and FlowType, and attachments whose
//     `source_url` is `mdel-zip:<zip>#<entry>` with a size ≥ 0;
//   - replyEnvelope from its `_mdel`: refused only with InvalidArgument naming an `_mdel`
//     member, and only when Sender or the first Recipient is not a tree; else the reply
//     parses back with libxml2 (safe settings), its root is a PEC `Message` (namespace
//     kept), its MessageId is the new one, its FlowType the incoming one, and its `Retour`
//     children are in the teledemarchexml metier namespace with `MessageIdAller` the
//     incoming MessageId.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/json.h"
#include "relais/sdk/time.h"
#include "relais/sdk/time_zone.h"
#include "relais/sdk/xml.h"

#include "delivery.h"
#include "envelope.h"
#include "fuzz_check.h"
#include "mdel_settings.h"
#include "reply.h"
#include "zip_reader.h"

namespace relais::fuzz {
namespace {

namespace mdel = adapters::mdel;

const sdk::Timestamp kNow = sdk::Timestamp::fromUnixSeconds(1'800'000'000);
constexpr std::string_view kZipName = "delivery.zip";
constexpr std::string_view kReplyId = "relais-reply-0001";

// An inbox, once per process: a fresh directory under $TMPDIR (run.sh points it into the
// run's own folder). Europe/Paris when the system has tzdata, UTC otherwise.
const mdel::MdelSettings& settings() {
    static const mdel::MdelSettings instance = [] {
        mdel::MdelSettings out;
        const char* tmp = std::getenv("TMPDIR");  // NOLINT
        std::string pattern =
            std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/mdel-fuzz-XXXXXX";
        RELAIS_FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr, "mkdtemp " + pattern);
        out.inbox = out.outbox = out.archive = pattern;
        out.errors = out.duplicates = pattern;
        if (auto zone = sdk::TimeZone::load("Europe/Paris")) out.time_zone = *std::move(zone);
        out.max_uncompressed = 4 * 1024 * 1024;
        return out;
    }();
    return instance;
}

bool trimmed(const std::string& text) { return std::string(sdk::trimXmlSpace(text)) == text; }

bool mentionsPassword(const sdk::Json& tree) {
    if (const auto* members = tree.objectIf()) {
        for (const auto& member : *members) {
            if (member.key == "MotDePasse" || mentionsPassword(member.value)) return true;
        }
    } else if (const auto* items = tree.arrayIf()) {
        for (const auto& item : *items) {
            if (mentionsPassword(item)) return true;
        }
    }
    return false;
}

void checkEnvelope(const mdel::Envelope& envelope) {
    RELAIS_FUZZ_CHECK(!envelope.message_id.empty() && trimmed(envelope.message_id),
                      "MessageId empty or untrimmed: '" + envelope.message_id + "'");
    RELAIS_FUZZ_CHECK(!envelope.flow_type.empty() && trimmed(envelope.flow_type),
                      "FlowType empty or untrimmed: '" + envelope.flow_type + "'");
    RELAIS_FUZZ_CHECK(envelope.routing.isObject() && envelope.routing.find("Sender") != nullptr,
                      "routing without Sender: " + envelope.routing.dump().substr(0, 200));
    const sdk::Json* recipients = envelope.routing.path("Recipients.Recipient");
    RELAIS_FUZZ_CHECK(recipients != nullptr && recipients->isArray() && recipients->size() > 0,
                      "routing without a Recipient list");
    RELAIS_FUZZ_CHECK(envelope.content.isObject(), "content is not an object");
    RELAIS_FUZZ_CHECK(!mentionsPassword(envelope.routing) && !mentionsPassword(envelope.content),
                      "MotDePasse kept in the envelope's trees");
    for (const auto& file : envelope.files) {
        RELAIS_FUZZ_CHECK(!file.entry.empty() && !file.kind.empty(), "an empty file reference");
    }
    const auto time = mdel::parseEnvelopeTime(envelope.date, settings().time_zone);
    if (!time) RELAIS_FUZZ_CHECK(time.error().code == sdk::ErrorCode::InvalidArgument, "time");
}

// The zip a transfer would drop: the envelope, then each file it names (small bytes).
// Poco's Compress may refuse a name (that is the harness's limit, not a finding): false.
bool writeZip(std::string_view xml, const mdel::Envelope& envelope) {
    std::vector<mdel::ZipMember> members{{"message.xml", std::string(xml)}};
    for (const auto& file : envelope.files) members.push_back({file.entry, "%PDF-1.4\n%%EOF\n"});
    std::string bytes;
    try {
        bytes = mdel::packZip(members);
    } catch (const std::exception& e) {
        note(std::string("packZip refused the names: ") + e.what());
        return false;
    }
    std::ofstream out(settings().inbox + "/" + std::string(kZipName),
                      std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out.flush());
}

void checkReply(const mdel::Envelope& envelope, const sdk::Json& meta) {
    mdel::ReplyContent content;
    content.message_id = kReplyId;
    content.created_at = "2027-01-15T08:00:00Z";
    content.state = {"TRAITE_ACCEPTE", "Demande acceptée"};
    content.message = "Votre demande <a> & été acceptée";
    content.document = "decision.pdf";
    const auto reply = mdel::replyEnvelope(meta, content);
    const sdk::Json* sender = meta.path("Routing.Sender");
    const sdk::Json* recipient = meta.path("Routing.Recipients.Recipient[0]");
    const bool trees =
        sender != nullptr && sender->isObject() && recipient != nullptr && recipient->isObject();
    if (!reply) {
        note("reply refused: " + reply.error().message);
        RELAIS_FUZZ_CHECK(reply.error().code == sdk::ErrorCode::InvalidArgument &&
                              reply.error().field.starts_with("_mdel.") && !trees,
                          reply.error().message);
        return;
    }
    RELAIS_FUZZ_CHECK(trees, "a reply without a Sender or Recipient tree");
    const auto parsed = sdk::parseXmlSafely(*reply, "reply.xml");
    RELAIS_FUZZ_CHECK(parsed.doc != nullptr,
                      "the reply does not parse back: " + sdk::describeProblems(parsed.problems) +
                          "\n" + reply->substr(0, 400));
    const sdk::XmlElement root = parsed.doc->root();
    RELAIS_FUZZ_CHECK(mdel::isPecMessage(root), "the reply's root is not a PEC Message");
    const sdk::XmlElement routing = root.child("Header").child("Routing");
    RELAIS_FUZZ_CHECK(sdk::trimXmlSpace(routing.child("MessageId").text()) == kReplyId,
                      "the reply's MessageId is not the new one");
    RELAIS_FUZZ_CHECK(sdk::trimXmlSpace(routing.child("FlowType").text()) == envelope.flow_type,
                      "the reply's FlowType differs: '" + envelope.flow_type + "'");
    const sdk::XmlElement retour = root.child("Body").child("Content").child("Retour");
    RELAIS_FUZZ_CHECK(retour.is(mdel::kPecNamespace, "Retour"), "no PEC Retour in the reply");
    for (const auto& child : retour.children()) {
        RELAIS_FUZZ_CHECK(
            child.namespaceUri() == mdel::kMetierNamespace,
            "a Retour child outside the metier namespace: " + std::string(child.localName()));
    }
    RELAIS_FUZZ_CHECK(
        sdk::trimXmlSpace(retour.child("MessageIdAller").text()) == envelope.message_id,
        "MessageIdAller is not the incoming MessageId");
}

void checkDelivery(std::string_view xml, const mdel::Envelope& envelope) {
    if (!writeZip(xml, envelope)) return;
    const auto delivery = mdel::readDelivery(settings(), std::string(kZipName), "mdel", kNow);
    if (!delivery) {
        note("delivery refused: " + delivery.error().message);
        RELAIS_FUZZ_CHECK(delivery.error().code == sdk::ErrorCode::InvalidArgument,
                          delivery.error().message);
        return;
    }
    const sdk::Dossier& dossier = delivery->dossier;
    note("dossier '" + dossier.source_key + "' (" + dossier.procedure + "), " +
         std::to_string(dossier.attachments.size()) + " attachment(s)");
    RELAIS_FUZZ_CHECK(delivery->message_id == envelope.message_id, "delivery's MessageId");
    RELAIS_FUZZ_CHECK(!dossier.source_key.empty(), "a dossier without source key");
    RELAIS_FUZZ_CHECK(dossier.procedure == envelope.flow_type, dossier.procedure);
    const sdk::Json* meta = dossier.fields.find(mdel::kMetaKey);
    RELAIS_FUZZ_CHECK(meta != nullptr && meta->isObject(), "a dossier without _mdel");
    RELAIS_FUZZ_CHECK(meta->find("MessageId") != nullptr &&
                          meta->find("MessageId")->asString() == envelope.message_id &&
                          meta->find("FlowType") != nullptr &&
                          meta->find("FlowType")->asString() == envelope.flow_type,
                      "_mdel does not keep MessageId and FlowType");
    const std::string prefix = std::string(mdel::kZipScheme) + std::string(kZipName) + "#";
    for (const auto& attachment : dossier.attachments) {
        RELAIS_FUZZ_CHECK(attachment.source_url.starts_with(prefix), attachment.source_url);
        RELAIS_FUZZ_CHECK(attachment.size >= 0, "negative attachment size");
    }
    checkReply(envelope, *meta);
}

}  // namespace
}  // namespace relais::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace relais::fuzz;
    const std::string_view xml = asText(data, size);
    const auto envelope = relais::adapters::mdel::parseEnvelope(xml);
    if (!envelope) {
        note("refused: " + envelope.error().message);
        RELAIS_FUZZ_CHECK(envelope.error().code == relais::sdk::ErrorCode::InvalidArgument,
                          envelope.error().message);
        return 0;
    }
    note("envelope " + envelope->message_id + " (" + envelope->flow_type + "), " +
         std::to_string(envelope->files.size()) + " file(s)");
    checkEnvelope(*envelope);
    checkDelivery(xml, *envelope);
    return 0;
}
