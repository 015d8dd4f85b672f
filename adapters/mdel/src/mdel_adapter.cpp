// SPDX-License-Identifier: AGPL-3.0-or-later
#include "mdel_adapter.h"

#include <filesystem>
#include <set>
#include <utility>

#include <unistd.h>

#include "relais/sdk/host.h"
#include "relais/sdk/http_helpers.h"
#include "relais/sdk/json.h"

#include "delivery.h"
#include "files.h"
#include "reply.h"
#include "zip_reader.h"

namespace relais::adapters::mdel {
namespace {

using sdk::ErrorCode;

// `text` as a file name: letters, digits, `.`, `_` and `-` kept, anything else `_`.
std::string fileNamePart(std::string_view text, std::size_t max_size) {
    std::string out;
    for (const char c : text.substr(0, max_size)) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        out.push_back(plain ? c : '_');
    }
    if (!out.empty() && out.front() == '.') out.front() = '_';
    return out;
}

const std::string* stringMember(const sdk::Json& object, std::string_view key) {
    const sdk::Json* value = object.find(key);
    return value != nullptr ? value->stringIf() : nullptr;
}

std::string repliesDirectory(const MdelSettings& settings) {
    return settings.archive + "/.replies";
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

std::string cursorOf(const std::vector<HandedZip>& handed) {
    if (handed.empty()) return {};
    sdk::Json list = sdk::Json::array();
    for (const auto& zip : handed) {
        sdk::Json item = sdk::Json::object();
        item.set("zip", zip.zip);
        item.set("message_id", zip.message_id);
        list.push(std::move(item));
    }
    sdk::Json cursor = sdk::Json::object();
    cursor.set("handed", std::move(list));
    return cursor.dump();
}

sdk::Result<std::vector<HandedZip>> parseCursor(const std::string& cursor) {
    std::vector<HandedZip> handed;
    if (cursor.empty()) return handed;
    auto parsed = sdk::Json::parse(cursor);
    const sdk::Json* list = parsed ? parsed->find("handed") : nullptr;
    if (list == nullptr || !list->isArray()) {
        return sdk::fail(ErrorCode::InvalidArgument, "the cursor is not an MDEL adapter cursor");
    }
    for (const auto& item : *list->arrayIf()) {
        const auto* zip = stringMember(item, "zip");
        const auto* message_id = stringMember(item, "message_id");
        if (zip == nullptr || message_id == nullptr || !isPlainFileName(*zip)) {
            return sdk::fail(ErrorCode::InvalidArgument, "the cursor names a zip badly");
        }
        handed.push_back({*zip, *message_id});
    }
    return handed;
}

MdelAdapter::MdelAdapter(sdk::Host& host) : sdk::PortalAdapter(host) {}

sdk::Result<void> MdelAdapter::configure(const sdk::Settings& settings) {
    auto parsed = settingsFrom(settings);
    if (!parsed) return std::move(parsed).error();
    std::error_code ec;
    std::filesystem::create_directories(repliesDirectory(*parsed), ec);
    if (auto why = unusableDirectory(repliesDirectory(*parsed)); !why.empty()) {
        return sdk::fail(ErrorCode::InvalidArgument, "archive: " + why, "archive");
    }
    if (parsed->sender_id.empty()) parsed->sender_id = host().instanceName();
    settings_ = std::move(parsed).value();
    return sdk::ok();
}

void MdelAdapter::archiveHanded(const std::vector<HandedZip>& handed) {
    const MessageIndex index(settings_.archive);
    for (const auto& zip : handed) {
        // The MessageId first: a crash between the two leaves a known replay in the inbox,
        // which the next poll sets aside, never a dossier read twice.
        if (auto remembered = index.remember(zip.message_id, zip.zip); !remembered) {
            host().logger().error("cannot record a handled MessageId; the zip stays in the inbox",
                                  {{"zip", zip.zip}, {"error", remembered.error().message}});
            continue;
        }
        auto moved = moveInto(settings_.inbox, zip.zip, settings_.archive);
        if (!moved && moved.error().code != ErrorCode::NotFound) {
            host().logger().error("cannot archive a handled zip",
                                  {{"zip", zip.zip}, {"error", moved.error().message}});
        }
    }
}

void MdelAdapter::setAside(const std::string& zip, const std::string& target,
                           const std::string& reason) {
    auto moved = moveInto(settings_.inbox, zip, target);
    if (!moved) {
        host().logger().error("cannot move a zip out of the inbox",
                              {{"zip", zip}, {"error", moved.error().message}});
        return;
    }
    const std::string name = std::filesystem::path(*moved).filename().string();
    if (auto written = writeDurably(target, name + ".reason.txt", reason + "\n"); !written) {
        host().logger().error("cannot write the reason file",
                              {{"zip", name}, {"error", written.error().message}});
    }
}

sdk::Result<sdk::PollBatch> MdelAdapter::poll(const std::string& cursor) {
    const std::lock_guard lock(poll_mutex_);
    if (auto handed = parseCursor(cursor); handed) {
        archiveHanded(*handed);
    } else {
        host().logger().warn("unreadable cursor: nothing archived, the inbox is read as is",
                             {{"error", handed.error().message}});
    }
    auto zips = waitingZips(settings_.inbox);
    if (!zips) return std::move(zips).error();

    const MessageIndex index(settings_.archive);
    sdk::PollBatch batch;
    std::vector<HandedZip> handed;
    std::set<std::string> message_ids;
    for (const auto& zip : *zips) {
        if (handed.size() == settings_.batch) {
            batch.more = true;
            break;
        }
        auto delivery = readDelivery(settings_, zip, host().instanceName(), host().clock().now());
        if (!delivery && delivery.error().code == ErrorCode::Unavailable) {
            host().logger().warn("cannot read a zip now; it stays in the inbox",
                                 {{"zip", zip}, {"error", delivery.error().message}});
            continue;
        }
        if (!delivery) {
            host().logger().error("unusable delivery zip moved to the errors folder",
                                  {{"zip", zip}, {"reason", delivery.error().message}});
            setAside(zip, settings_.errors, delivery.error().message);
            continue;
        }
        const std::string& message_id = delivery->message_id;
        if (index.knows(message_id) || !message_ids.insert(message_id).second) {
            host().logger().info("replayed MessageId: zip moved to duplicates",
                                 {{"zip", zip}, {"message_id", message_id}});
            setAside(zip, settings_.duplicates, "replay of MessageId " + message_id);
            continue;
        }
        handed.push_back({zip, message_id});
        batch.dossiers.push_back(std::move(delivery->dossier));
    }
    batch.next_cursor = cursorOf(handed);
    return batch;
}

sdk::Result<sdk::AttachmentContent> MdelAdapter::fetchAttachment(
    const sdk::Dossier& /*dossier*/, const sdk::Attachment& attachment) {
    auto bytes = readAttachment(settings_, attachment.source_url);
    if (!bytes) return std::move(bytes).error();
    return sdk::AttachmentContent{attachment.content_type, std::move(bytes).value()};
}

sdk::Result<std::pair<std::string, std::string>> MdelAdapter::replyDocument(
    const sdk::Event& event) {
    const sdk::Json* document = event.payload.path("documents[0]");
    const std::string* url = document != nullptr ? stringMember(*document, "url") : nullptr;
    if (url == nullptr || url->empty()) return std::pair<std::string, std::string>{};
    const std::string* given_name = stringMember(*document, "name");
    std::string name = fileNamePart(given_name != nullptr ? *given_name : "", 120);
    if (name.empty() || name == "message.xml") name = "document-" + name;

    sdk::HttpRequest request;
    request.url = *url;
    request.timeout_ms = settings_.document_timeout_ms;
    request.max_response_bytes = static_cast<std::size_t>(settings_.max_uncompressed);
    auto response = host().http().send(request);
    if (!response) return std::move(response).error();
    if (!sdk::http::isSuccessStatus(response->status)) {
        return sdk::fail(sdk::http::isRetryableStatus(response->status) ? ErrorCode::Retryable
                                                                        : ErrorCode::Permanent,
                         "documents[0].url answered HTTP " + std::to_string(response->status));
    }
    return std::pair<std::string, std::string>{name, std::move(response->body)};
}

sdk::Result<sdk::PushReceipt> MdelAdapter::pushEvent(const sdk::Dossier& dossier,
                                                     const sdk::Event& event) {
    if (event.type != sdk::event_type::kStatusChanged) {
        return sdk::PushReceipt{
            {}, "not sent: MDEL replies carry status changes, not '" + event.type + "' events"};
    }
    const auto* status_name = stringMember(event.payload, "status");
    const auto status = status_name != nullptr ? sdk::parseStatus(*status_name) : std::nullopt;
    if (!status) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "a status_changed event needs a canonical payload.status", "status");
    }
    const auto state = settings_.state_codes.find(*status);
    if (state == settings_.state_codes.end()) {
        return sdk::PushReceipt{
            {}, "not sent: no MDEL state code for " + std::string(sdk::toString(*status))};
    }
    const sdk::Json* meta = dossier.fields.find(kMetaKey);
    if (meta == nullptr || !meta->isObject()) {
        return sdk::fail(ErrorCode::Permanent, "dossier " + dossier.source_key +
                                                   " has no _mdel routing: it did not come "
                                                   "through this adapter");
    }
    const std::string event_part = fileNamePart(event.id, 100);
    if (event_part.empty()) return sdk::fail(ErrorCode::InvalidArgument, "event.id is empty", "id");
    const std::string file = "retour-" + event_part + ".zip";
    // Written before (and maybe already taken by the transfer agent): done.
    if (exists(settings_.outbox + "/" + file) || exists(repliesDirectory(settings_) + "/" + file)) {
        return sdk::PushReceipt{state->second.code, "reply already written: " + file};
    }

    auto document = replyDocument(event);
    if (!document) return std::move(document).error();
    const std::string* motivation = stringMember(event.payload, "motivation");
    const std::string* message = stringMember(event.payload, "message");
    ReplyContent content;
    content.message_id = settings_.sender_id + "-" + event.id;
    content.created_at = event.occurred_at.toString();
    content.state = state->second;
    content.message = motivation != nullptr ? *motivation : message != nullptr ? *message : "";
    content.document = document->first;
    auto envelope = replyEnvelope(*meta, content);
    if (!envelope) return std::move(envelope).error();

    std::vector<ZipMember> members{{"message.xml", std::move(envelope).value()}};
    if (!document->first.empty()) members.push_back({document->first, document->second});
    if (auto written = writeDurably(settings_.outbox, file, packZip(members)); !written) {
        return std::move(written).error();
    }
    if (auto noted = writeDurably(repliesDirectory(settings_), file, event.id); !noted) {
        host().logger().warn("reply written but not noted in the archive",
                             {{"file", file}, {"error", noted.error().message}});
    }
    return sdk::PushReceipt{state->second.code, "reply written: " + file};
}

}  // namespace relais::adapters::mdel
