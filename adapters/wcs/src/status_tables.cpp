// SPDX-License-Identifier: AGPL-3.0-or-later
#include "status_tables.h"

#include "relais/sdk/text.h"

namespace relais::adapters::wcs {
namespace {

struct Entry {
    std::string slug;
    std::string left;
    std::string right;
};

sdk::Result<Entry> splitEntry(const std::string& entry, const char* key) {
    const auto bad = [&](const std::string& why) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         std::string(key) + ": entry '" + entry + "' " + why, key);
    };
    Entry result;
    std::string_view text = sdk::text::trim(entry);
    const auto slash = text.find('/');
    if (slash != std::string_view::npos) {
        result.slug = std::string(sdk::text::trim(text.substr(0, slash)));
        if (result.slug.empty()) return bad("has an empty form slug before '/'");
        text = text.substr(slash + 1);
    }
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return bad("needs the form 'left:right'");
    result.left = std::string(sdk::text::trim(text.substr(0, colon)));
    result.right = std::string(sdk::text::trim(text.substr(colon + 1)));
    if (result.left.empty() || result.right.empty()) return bad("has an empty side");
    return result;
}

sdk::Error unknownStatus(const std::string& entry, const std::string& name, const char* key) {
    return sdk::fail(sdk::ErrorCode::InvalidArgument,
                     std::string(key) + ": entry '" + entry + "': '" + name +
                         "' is not a canonical status (submitted, acknowledged, in_review, "
                         "awaiting_applicant, awaiting_payment, accepted, refused, "
                         "closed_no_action, withdrawn, rejected_technical)",
                     key);
}

}  // namespace

sdk::Result<StatusTables> StatusTables::parse(const std::vector<std::string>& status_map,
                                              const std::vector<std::string>& triggers) {
    StatusTables tables;
    for (const auto& item : status_map) {
        auto entry = splitEntry(item, "status-map");
        if (!entry) return std::move(entry).error();
        const auto status = sdk::parseStatus(entry->right);
        if (!status) return unknownStatus(item, entry->right, "status-map");
        if (!tables.to_canonical_[entry->slug].emplace(entry->left, *status).second) {
            return sdk::fail(sdk::ErrorCode::InvalidArgument,
                             "status-map: w.c.s. status '" + entry->left + "' is mapped twice" +
                                 (entry->slug.empty() ? "" : " for form " + entry->slug),
                             "status-map");
        }
    }
    for (const auto& item : triggers) {
        auto entry = splitEntry(item, "triggers");
        if (!entry) return std::move(entry).error();
        const auto status = sdk::parseStatus(entry->left);
        if (!status) return unknownStatus(item, entry->left, "triggers");
        if (!tables.to_trigger_[entry->slug].emplace(*status, entry->right).second) {
            return sdk::fail(sdk::ErrorCode::InvalidArgument,
                             "triggers: status '" + entry->left + "' has two triggers" +
                                 (entry->slug.empty() ? "" : " for form " + entry->slug),
                             "triggers");
        }
    }
    return tables;
}

std::optional<sdk::Status> StatusTables::canonical(std::string_view slug,
                                                   std::string_view status_id) const {
    for (const std::string_view form : {slug, std::string_view()}) {
        const auto table = to_canonical_.find(form);
        if (table == to_canonical_.end()) continue;
        const auto found = table->second.find(status_id);
        if (found != table->second.end()) return found->second;
    }
    return std::nullopt;
}

std::string StatusTables::trigger(std::string_view slug, sdk::Status status) const {
    for (const std::string_view form : {slug, std::string_view()}) {
        const auto table = to_trigger_.find(form);
        if (table == to_trigger_.end()) continue;
        const auto found = table->second.find(status);
        if (found != table->second.end()) return found->second;
    }
    return {};
}

}  // namespace relais::adapters::wcs
