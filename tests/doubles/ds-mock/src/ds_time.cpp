// SPDX-License-Identifier: AGPL-3.0-or-later
#include "ds_time.h"

#include <charconv>
#include <cstdio>

#include "relais/sdk/signing.h"
#include "relais/sdk/time.h"

namespace relais::ds_mock {

DsClock::DsClock(Source source) : source_(std::move(source)) {
    auto paris = sdk::TimeZone::load("Europe/Paris");
    if (paris.ok()) paris_ = std::move(paris).value();
}

std::int64_t DsClock::nowMicros() const {
    const auto now = source_ ? source_() : std::chrono::system_clock::now();
    return std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
}

std::string DsClock::format(std::int64_t micros) const {
    constexpr std::int64_t kMillion = 1'000'000;
    const std::int64_t seconds =
        micros >= 0 ? micros / kMillion : (micros - kMillion + 1) / kMillion;
    sdk::Timestamp stamp;
    stamp.micros = seconds * kMillion;
    stamp.offset_minutes = paris_.offsetSecondsAt(seconds) / 60;
    return stamp.toString();
}

std::optional<std::int64_t> parseMicros(std::string_view text) {
    // sdk::Timestamp reads up to microseconds; DS's cursors carry nanoseconds.
    std::string trimmed(text);
    const auto dot = trimmed.find('.');
    if (dot != std::string::npos) {
        std::size_t end = dot + 1;
        while (end < trimmed.size() && trimmed[end] >= '0' && trimmed[end] <= '9') ++end;
        if (end - dot - 1 > 6) trimmed.erase(dot + 7, end - dot - 7);
    }
    auto stamp = sdk::Timestamp::parse(trimmed);
    if (!stamp.ok()) return std::nullopt;
    return stamp->micros;
}

std::string encodeCursor(std::int64_t micros, std::int64_t id) {
    sdk::Timestamp stamp;
    stamp.micros = micros - micros % 1'000'000;
    std::string utc = stamp.toUtcString();  // 2026-11-30T09:12:44Z
    if (!utc.empty() && utc.back() == 'Z') utc.pop_back();
    char fraction[16];
    std::snprintf(fraction, sizeof fraction, ".%06lld000Z",
                  static_cast<long long>(micros % 1'000'000));
    return sdk::signing::base64(utc + fraction + ";" + std::to_string(id));
}

std::optional<std::pair<std::int64_t, std::int64_t>> decodeCursor(std::string_view cursor) {
    const auto decoded = sdk::signing::base64Decode(cursor);
    if (!decoded) return std::nullopt;
    const auto semicolon = decoded->find(';');
    if (semicolon == std::string::npos) return std::nullopt;
    const auto micros = parseMicros(decoded->substr(0, semicolon));
    std::int64_t id = 0;
    const std::string id_text = decoded->substr(semicolon + 1);
    const auto [end, error] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (!micros || error != std::errc() || end != id_text.data() + id_text.size()) {
        return std::nullopt;
    }
    return std::make_pair(*micros, id);
}

}  // namespace relais::ds_mock
