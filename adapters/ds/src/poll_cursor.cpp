// SPDX-License-Identifier: AGPL-3.0-or-later
#include "poll_cursor.h"

#include "relais/sdk/json.h"
#include "relais/sdk/time.h"

#include "settings.h"

namespace relais::adapters::ds {
namespace {

constexpr std::string_view kDeletedPrefix = "deleted_";

sdk::Error badCursor(const std::string& what) {
    return sdk::fail(sdk::ErrorCode::InvalidArgument, "cursor: " + what, "cursor");
}

// Reads the three members of a track, named with `prefix`.
sdk::Result<CursorTrack> readTrack(const sdk::Json& object, std::string_view prefix) {
    CursorTrack track;
    for (auto [name, member] :
         {std::pair{"since", &CursorTrack::since}, std::pair{"after", &CursorTrack::after},
          std::pair{"next_since", &CursorTrack::next_since}}) {
        const sdk::Json* value = object.find(std::string(prefix) + name);
        if (value == nullptr) continue;
        if (!value->isString()) return badCursor(std::string(prefix) + name + " is not a string");
        track.*member = value->asString();
    }
    for (const std::string* date : {&track.since, &track.next_since}) {
        if (!date->empty() && !sdk::Timestamp::parse(*date)) {
            return badCursor("'" + *date + "' is not an RFC 3339 date");
        }
    }
    return track;
}

void writeTrack(const CursorTrack& track, std::string_view prefix, sdk::Json& object) {
    for (auto [name, member] :
         {std::pair{"since", &CursorTrack::since}, std::pair{"after", &CursorTrack::after},
          std::pair{"next_since", &CursorTrack::next_since}}) {
        if (!(track.*member).empty()) object.set(std::string(prefix) + name, track.*member);
    }
}

}  // namespace

bool isLater(const std::string& a, const std::string& b) {
    if (b.empty()) return !a.empty();
    const auto left = sdk::Timestamp::parse(a);
    const auto right = sdk::Timestamp::parse(b);
    return left && right && *left > *right;
}

void CursorTrack::pageRead(const std::string& last_date, bool has_next_page,
                           const std::string& end_cursor) {
    if (isLater(last_date, next_since)) next_since = last_date;
    if (has_next_page && !end_cursor.empty()) {
        after = end_cursor;
        return;
    }
    if (!next_since.empty()) since = next_since;
    after.clear();
    next_since.clear();
}

sdk::Result<PollCursor> PollCursor::parse(std::string_view text) {
    PollCursor cursor;
    if (text.empty()) return cursor;
    auto json = sdk::Json::parse(text);
    if (!json || !json->isObject()) return badCursor("not a DS adapter cursor");
    const sdk::Json* demarches = json->find("demarches");
    if (demarches == nullptr) return cursor;
    if (!demarches->isObject()) return badCursor("'demarches' is not an object");
    for (const auto& member : *demarches->objectIf()) {
        const auto number = parseNumber(member.key);
        if (!number || !member.value.isObject()) {
            return badCursor("'" + member.key + "' is not a démarche's cursor");
        }
        auto dossiers = readTrack(member.value, "");
        if (!dossiers) return std::move(dossiers).error();
        auto deleted = readTrack(member.value, kDeletedPrefix);
        if (!deleted) return std::move(deleted).error();
        cursor.demarches[*number] = {std::move(dossiers).value(), std::move(deleted).value()};
    }
    return cursor;
}

std::string PollCursor::dump() const {
    sdk::Json demarches_json = sdk::Json::object();
    for (const auto& [number, demarche] : demarches) {
        sdk::Json object = sdk::Json::object();
        writeTrack(demarche.dossiers, "", object);
        writeTrack(demarche.deleted, kDeletedPrefix, object);
        demarches_json.set(std::to_string(number), std::move(object));
    }
    sdk::Json out = sdk::Json::object();
    out.set("demarches", std::move(demarches_json));
    return out.dump();
}

}  // namespace relais::adapters::ds
