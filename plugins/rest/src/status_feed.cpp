// SPDX-License-Identifier: AGPL-3.0-or-later
#include "status_feed.h"

#include <utility>

#include "relais/sdk/url_encoding.h"

namespace relais::plugins::rest {
namespace {

using sdk::ErrorCode;

constexpr std::string_view kSince = "{since}";

// A path `sdk::Json::path` can follow: member names of visible characters, `[n]` indexes.
bool validPath(std::string_view path) {
    if (path.empty() || path.front() == '.' || path.back() == '.') return false;
    if (path.find("..") != std::string_view::npos) return false;
    for (const char c : path) {
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
    }
    return true;
}

sdk::Result<std::string> pathSetting(const sdk::Settings& settings, std::string_view key,
                                     std::string fallback) {
    std::string value = settings.string(key, fallback);
    if (!value.empty() && !validPath(value)) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "'" + value + "' is not a JSON path such as data.items or result[0].id",
                         std::string(key));
    }
    return value;
}

}  // namespace

sdk::Result<StatusFeedConfig> buildStatusFeedConfig(const sdk::Settings& settings) {
    StatusFeedConfig config;
    config.url = settings.string("status-url");
    if (!config.url.empty()) {
        const std::size_t scheme = config.url.find("://");
        const std::size_t path =
            scheme == std::string::npos ? std::string::npos : config.url.find('/', scheme + 3);
        std::string rest = config.url;
        for (std::size_t at = rest.find(kSince); at != std::string::npos; at = rest.find(kSince)) {
            if (path == std::string::npos || at < path) {
                return sdk::fail(ErrorCode::InvalidArgument,
                                 "{since} may appear in the path or query only, never in the "
                                 "scheme or host",
                                 "status-url");
            }
            rest.erase(at, kSince.size());
        }
        if (rest.find_first_of("{}") != std::string::npos) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "the only placeholder of status-url is {since}", "status-url");
        }
    }
    struct PathKey {
        std::string_view key;
        std::string* target;
        const char* fallback;
    };
    const PathKey paths[] = {{"status-items", &config.items, ""},
                             {"status-business-id", &config.paths.business_id, "business_id"},
                             {"status-value", &config.paths.code, "status"},
                             {"status-sub-code", &config.paths.sub_code, ""},
                             {"status-sub-label", &config.paths.sub_label, ""},
                             {"status-message", &config.paths.message, ""},
                             {"status-occurred-at", &config.paths.occurred_at, ""},
                             {"status-version", &config.paths.version, ""},
                             {"status-event-id", &config.paths.event_key, ""},
                             {"status-cursor", &config.cursor, ""}};
    for (const auto& [key, target, fallback] : paths) {
        auto value = pathSetting(settings, key, fallback);
        if (!value) return std::move(value).error();
        *target = std::move(value).value();
    }
    if (config.paths.business_id.empty() || config.paths.code.empty()) {
        return sdk::fail(ErrorCode::InvalidArgument, "must not be empty",
                         config.paths.business_id.empty() ? "status-business-id" : "status-value");
    }
    auto table = sdk::parseStatusTable(settings.list("status-table"), "status-table");
    if (!table) return std::move(table).error();
    config.table = std::move(table).value();
    return config;
}

std::string feedUrl(const StatusFeedConfig& config, std::string_view cursor) {
    std::string url = config.url;
    const std::string encoded = sdk::url::percentEncode(cursor);
    for (std::size_t at = url.find(kSince); at != std::string::npos;
         at = url.find(kSince, at + encoded.size())) {
        url.replace(at, kSince.size(), encoded);
    }
    return url;
}

sdk::Result<sdk::PollBatch> readFeed(std::string_view body, const StatusFeedConfig& config,
                                     std::string_view cursor, sdk::Timestamp now,
                                     std::string_view actor) {
    auto parsed = sdk::Json::parse(body);
    if (!parsed) {
        return sdk::fail(ErrorCode::Permanent,
                         "the status feed's answer is not JSON: " + parsed.error().message);
    }
    const sdk::Json& answer = *parsed;
    const sdk::Json* items = config.items.empty() ? &answer : answer.path(config.items);
    if (items == nullptr || !items->isArray()) {
        return sdk::fail(ErrorCode::Permanent,
                         "the status feed's answer has no array at " +
                             (config.items.empty() ? std::string("its root") : config.items),
                         "status-items");
    }
    sdk::PollBatch batch;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const sdk::Json& item = *items->at(i);
        const std::string where = "status feed item " + std::to_string(i);
        if (!item.isObject()) {
            return sdk::fail(ErrorCode::Permanent, where + " is not an object");
        }
        const sdk::StatusReport report = sdk::readStatusReport(item, config.paths);
        auto event = sdk::statusReportEvent(report, config.table, now, actor);
        if (!event) {
            sdk::Error error = std::move(event).error();
            error.code = ErrorCode::Permanent;
            error.message = where + ": " + error.message;
            return error;
        }
        batch.events.push_back(std::move(event).value());
    }
    batch.next_cursor = std::string(cursor);
    if (!config.cursor.empty()) {
        // A string, or an integer (a sequence number) in decimal.
        if (const sdk::Json* next = answer.path(config.cursor); next != nullptr) {
            if (const std::string* text = next->stringIf(); text != nullptr && !text->empty()) {
                batch.next_cursor = *text;
            } else if (next->isInt()) {
                batch.next_cursor = std::to_string(next->asInt());
            }
        }
    }
    return batch;
}

}  // namespace relais::plugins::rest
