// SPDX-License-Identifier: AGPL-3.0-or-later
// Fuzz target: the Démarches Simplifiées adapter (adapters/ds) on what DS's GraphQL API
// answers and what the core hands back to it — the dossier mapping `mapDossier` (with the
// champs mapping `mapChamps` under it), the deleted-dossier mapping `deletedDossierEvent`,
// the poll cursor (`PollCursor::parse`, `dump`) and the webhook (`parseWebhook`, with a
// GraphqlCall that answers a fixed dossier: no network).
//
// Input, one of:
//   - a JSON dossier node, as `query Dossier` returns it (the corpus is the DS double's and
//     the adapter tests' dossiers): mapped as a dossier and as a deleted dossier; a JSON
//     array is also mapped as a champs array;
//   - `CURSOR` on the first line, then a cursor as the core stores it;
//   - `WEBHOOK` on the first line, an optional `Content-Type: …` line, then a form body.
//
// Invariants asserted, besides "no crash, no sanitizer report, no exception":
//   - every refusal is InvalidArgument and names a field;
//   - a mapped dossier: source key = the decimal `number`, procedure = the démarche's, the
//     status its `state`'s, `fields` an object with an `_ds` object whose `files` has one
//     entry per attachment and whose `demarche.number` is the node's; every `"attachment": i`
//     of a file entry is a valid index; every event names the dossier, has a
//     `traitement:` or `message:` key and comes in time order, and is public exactly when it
//     is a status change or the dossier's user's message; a status event's payload status is
//     canonical;
//   - mapChamps: the ids trees have the same keys as the fields tree; a champs array maps the
//     same way twice (deterministic);
//   - a deleted dossier: `withdrawn`, key `deleted:<id>`, source key = the number;
//   - cursor: parse(dump(c)) succeeds and dump is a fixed point; after a page is noted
//     (`pageRead`) the cursor still round-trips;
//   - webhook: accepted only for a configured démarche (4242), returning the one dossier
//     asked (`dossier_id`) with the answer's events.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "relais/sdk/json.h"
#include "relais/sdk/status.h"

#include "champs.h"
#include "dossier_mapping.h"
#include "fuzz_check.h"
#include "inbound.h"
#include "poll_cursor.h"
#include "settings.h"

namespace relais::fuzz {
namespace {

namespace ds = adapters::ds;
using sdk::Json;

constexpr std::int64_t kDemarche = 4242;

const ds::DsSettings& settings() {
    static const ds::DsSettings instance = [] {
        ds::DsSettings out;
        out.demarches = {kDemarche, 555};
        out.procedure_codes = {{kDemarche, "permis-de-louer"}};
        return out;
    }();
    return instance;
}

void checkRefusal(const sdk::Error& error) {
    note("refused: " + error.message);
    RELAIS_FUZZ_CHECK(error.code == sdk::ErrorCode::InvalidArgument && !error.field.empty(),
                      error.message + " (field '" + error.field + "')");
}

// Every `{"attachment": i, …}` file entry of `tree` points into the attachments.
void checkAttachmentIndexes(const Json& tree, std::size_t count) {
    if (const auto* items = tree.arrayIf()) {
        for (const auto& item : *items) checkAttachmentIndexes(item, count);
        return;
    }
    const auto* members = tree.objectIf();
    if (members == nullptr) return;
    const Json* index = tree.find("attachment");
    if (index != nullptr && index->isInt() && tree.find("content_type") != nullptr) {
        RELAIS_FUZZ_CHECK(index->asInt() >= 0 && static_cast<std::size_t>(index->asInt()) < count,
                          "attachment index out of range: " + index->dump());
    }
    for (const auto& member : *members) checkAttachmentIndexes(member.value, count);
}

void checkMapped(const Json& node, const ds::MappedDossier& mapped) {
    const sdk::Dossier& dossier = mapped.dossier;
    note("dossier " + dossier.source_key + " (" + dossier.procedure + "), " +
         std::to_string(mapped.events.size()) + " event(s), " +
         std::to_string(dossier.attachments.size()) + " attachment(s)");
    const std::int64_t demarche = node.path("demarche.number")->asInt();
    RELAIS_FUZZ_CHECK(dossier.source_key == std::to_string(node.find("number")->asInt()),
                      dossier.source_key);
    RELAIS_FUZZ_CHECK(dossier.procedure == settings().procedureOf(demarche), dossier.procedure);
    RELAIS_FUZZ_CHECK(ds::canonicalStatus(dossier.portal_status) == dossier.status,
                      dossier.portal_status);
    RELAIS_FUZZ_CHECK(dossier.fields.isObject(), "fields are not an object");
    const Json* meta = dossier.fields.find(ds::kMetaKey);
    RELAIS_FUZZ_CHECK(meta != nullptr && meta->isObject(), "no _ds object");
    const Json* files = meta->find("files");
    RELAIS_FUZZ_CHECK(
        files != nullptr && files->isArray() && files->size() == dossier.attachments.size(),
        "_ds.files and the attachments differ");
    RELAIS_FUZZ_CHECK(meta->path("demarche.number") != nullptr &&
                          meta->path("demarche.number")->asInt() == demarche,
                      "_ds.demarche.number");
    checkAttachmentIndexes(dossier.fields, dossier.attachments.size());
    for (std::size_t i = 0; i < mapped.events.size(); ++i) {
        const auto& inbound = mapped.events[i];
        RELAIS_FUZZ_CHECK(inbound.source_key == dossier.source_key, "an event for another key");
        const std::string& key = inbound.event.source_event_key;
        // Status changes are public; a message is public exactly when the dossier's user
        // wrote it (the instructeurs' and DS's own are on DS already).
        const Json* author = inbound.event.payload.find("author");
        const bool from_usager = author != nullptr && author->asString() == "usager";
        RELAIS_FUZZ_CHECK(
            inbound.event.is_public == (key.starts_with("traitement:") || from_usager),
            "a DS event public when it should not be, or the reverse");
        RELAIS_FUZZ_CHECK(key.starts_with("traitement:") || key.starts_with("message:"), key);
        if (i > 0) {
            RELAIS_FUZZ_CHECK(!(inbound.event.occurred_at < mapped.events[i - 1].event.occurred_at),
                              "events out of time order");
        }
        if (key.starts_with("traitement:")) {
            const Json* status = inbound.event.payload.find("status");
            RELAIS_FUZZ_CHECK(status != nullptr && sdk::parseStatus(status->asString()),
                              "a traitement without canonical status");
        }
    }
}

// Same keys, same order, in the fields tree and in an ids tree.
bool sameKeys(const Json& a, const Json& b) {
    const auto* left = a.objectIf();
    const auto* right = b.objectIf();
    if (left == nullptr || right == nullptr || left->size() != right->size()) return false;
    for (std::size_t i = 0; i < left->size(); ++i) {
        if ((*left)[i].key != (*right)[i].key) return false;
    }
    return true;
}

void checkChamps(const Json& champs) {
    ds::FileList files;
    const auto mapped = ds::mapChamps(champs, "fields", files);
    if (!mapped) return checkRefusal(mapped.error());
    RELAIS_FUZZ_CHECK(sameKeys(mapped->fields, mapped->champ_ids) &&
                          sameKeys(mapped->fields, mapped->descriptor_ids),
                      "ids trees differ from the fields tree");
    RELAIS_FUZZ_CHECK(files.files.size() == files.attachments.size(), "files and attachments");
    ds::FileList again_files;
    const auto again = ds::mapChamps(champs, "fields", again_files);
    RELAIS_FUZZ_CHECK(again && again->fields == mapped->fields, "mapChamps is not deterministic");
}

void checkDossierNode(const Json& node) {
    const auto mapped = ds::mapDossier(settings(), node, "ds");
    if (mapped) {
        checkMapped(node, *mapped);
    } else {
        checkRefusal(mapped.error());
    }
    const auto deleted = ds::deletedDossierEvent(node);
    if (!deleted) return checkRefusal(deleted.error());
    RELAIS_FUZZ_CHECK(deleted->source_key == std::to_string(node.find("number")->asInt()),
                      deleted->source_key);
    RELAIS_FUZZ_CHECK(deleted->event.source_event_key.starts_with("deleted:") &&
                          deleted->event.source_event_key.size() > 8,
                      deleted->event.source_event_key);
    const Json* status = deleted->event.payload.find("status");
    RELAIS_FUZZ_CHECK(status != nullptr && status->asString() == "withdrawn", "not withdrawn");
}

void checkCursorRoundTrip(const ds::PollCursor& cursor) {
    const std::string dumped = cursor.dump();
    const auto again = ds::PollCursor::parse(dumped);
    RELAIS_FUZZ_CHECK(again.ok(), "parse(dump(c)) failed: " + dumped.substr(0, 300));
    RELAIS_FUZZ_CHECK(again->dump() == dumped, "dump is not a fixed point: " + dumped);
}

void checkCursor(std::string_view text) {
    auto cursor = ds::PollCursor::parse(text);
    if (!cursor) {
        RELAIS_FUZZ_CHECK(cursor.error().field == "cursor", cursor.error().message);
        return checkRefusal(cursor.error());
    }
    checkCursorRoundTrip(*cursor);
    // A page noted on every track, from the dates the cursor holds.
    for (auto& [number, demarche] : cursor->demarches) {
        demarche.dossiers.pageRead(demarche.deleted.since, true, "MQ");
        demarche.deleted.pageRead(demarche.dossiers.next_since, false, "");
    }
    checkCursorRoundTrip(*cursor);
}

// DS's answer to `query Dossier`: a small dossier of démarche 4242 with the number asked.
sdk::Result<Json> fixedAnswer(std::string_view, const Json& variables) {
    static const Json kDossier = [] {
        auto parsed = Json::parse(R"({"id":"RG9zc2llci0x","number":1,"state":"en_instruction",
            "demarche":{"number":4242,"title":"Permis de louer"},
            "dateDepot":"2026-10-12T14:03:27+02:00",
            "dateDerniereModification":"2026-11-02T09:15:00+01:00",
            "usager":{"email":"usager@example.org"},
            "champs":[{"__typename":"TextChamp","id":"Q2hhbXAtMQ==","label":"Nom","value":"X"}],
            "traitements":[{"id":"VHJ-1","state":"en_instruction","event":"passer_en_instruction",
              "dateTraitement":"2026-11-02T09:15:00+01:00","emailAgentTraitant":"a@b.fr"}]})");
        RELAIS_FUZZ_CHECK(parsed.ok(), parsed.error().message);
        return *std::move(parsed);
    }();
    Json dossier = kDossier;
    dossier.set("number", variables.find("number") != nullptr ? variables.find("number")->asInt()
                                                              : std::int64_t{0});
    Json data = Json::object();
    data.set("dossier", std::move(dossier));
    return data;
}

void checkWebhook(std::string_view rest) {
    sdk::InboundRequest request;
    request.method = "POST";
    request.path = "/v1/adapters/ds/inbound";
    request.content_type = "application/x-www-form-urlencoded";
    constexpr std::string_view kType = "Content-Type: ";
    if (rest.starts_with(kType)) {
        const auto end = rest.find('\n');
        request.content_type = std::string(rest.substr(kType.size(), end - kType.size()));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    request.body = std::string(rest);
    const auto batch = ds::parseWebhook(settings(), fixedAnswer, request, "ds");
    if (!batch) return checkRefusal(batch.error());
    RELAIS_FUZZ_CHECK(batch->dossiers.size() == 1 && batch->events.size() == 1,
                      "a webhook gives one dossier and its one event");
    const sdk::Dossier& dossier = batch->dossiers.front();
    RELAIS_FUZZ_CHECK(ds::parseNumber(dossier.source_key).has_value(), dossier.source_key);
    RELAIS_FUZZ_CHECK(request.body.find(dossier.source_key) != std::string::npos ||
                          request.body.find('%') != std::string::npos,
                      "a dossier the body did not ask for: " + dossier.source_key);
    RELAIS_FUZZ_CHECK(dossier.procedure == "permis-de-louer", dossier.procedure);
}

}  // namespace
}  // namespace relais::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace relais::fuzz;
    const std::string_view input = asText(data, size);
    for (const auto& [prefix, check] : {std::pair{std::string_view("CURSOR\n"), &checkCursor},
                                        std::pair{std::string_view("WEBHOOK\n"), &checkWebhook}}) {
        if (input.starts_with(prefix)) {
            check(input.substr(prefix.size()));
            return 0;
        }
    }
    auto node = relais::sdk::Json::parse(input);
    if (!node) return 0;
    if (node->isArray()) checkChamps(*node);
    checkDossierNode(*node);
    return 0;
}
