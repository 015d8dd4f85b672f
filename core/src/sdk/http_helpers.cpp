// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/http_helpers.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <system_error>
#include <utility>

#include <unistd.h>

#include "relais/sdk/text.h"

namespace relais::sdk::http {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::string_view kMask = "***";

bool isDigitsOnly(std::string_view text) noexcept {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// 1 to 18 ASCII digits (no sign, no space): always fits in 64 bits.
bool parseDigits(std::string_view text, std::int64_t& out) noexcept {
    if (text.empty() || text.size() > 18 || !isDigitsOnly(text)) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

// What becomes a single space: white space, C0, DEL, C1 and the Unicode line breaks,
// any of which could end a log line early or forge the next one.
bool isBlank(char32_t c) noexcept {
    return c <= 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029;
}

// Removes the last UTF-8 character of `text` (its continuation bytes, then its lead byte).
void popCharacter(std::string& text) noexcept {
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0U) == 0x80U) {
        text.pop_back();
    }
    if (!text.empty()) text.pop_back();
}

std::string masked(std::string_view text, const std::vector<std::string>& values) {
    std::string out(text);
    for (const std::string& value : values) {
        if (value.empty()) continue;
        for (auto at = out.find(value); at != std::string::npos;
             at = out.find(value, at + kMask.size())) {
            out.replace(at, value.size(), kMask);
        }
    }
    return out;
}

Error invalidSetting(const std::string& key, const std::string& message) {
    return fail(ErrorCode::InvalidArgument, key + ": " + message, key);
}

// The path under `key`, empty when not given; an error when the process cannot read it.
Result<std::string> readablePath(const Settings& settings, const std::string& key) {
    std::string path = settings.string(key);
    if (path.empty()) return path;
    if (::access(path.c_str(), R_OK) != 0) {
        const std::error_code error(errno, std::generic_category());
        return invalidSetting(key, "cannot read " + path + ": " + error.message());
    }
    return path;
}

}  // namespace

Result<TlsOptions> readTlsFiles(const Settings& settings) {
    auto ca_file = readablePath(settings, "ca-file");
    if (!ca_file) return std::move(ca_file).error();
    auto client_cert = readablePath(settings, "client-certificate");
    if (!client_cert) return std::move(client_cert).error();
    auto client_key = readablePath(settings, "client-key");
    if (!client_key) return std::move(client_key).error();
    if (client_cert->empty() != client_key->empty()) {
        return invalidSetting(client_cert->empty() ? "client-certificate" : "client-key",
                              "client-certificate and client-key go together");
    }
    TlsOptions tls;
    tls.ca_file = std::move(ca_file).value();
    tls.client_cert_file = std::move(client_cert).value();
    tls.client_key_file = std::move(client_key).value();
    return tls;
}

std::optional<std::int64_t> parseImfFixdate(std::string_view text) noexcept {
    // Index 0 is Sunday, as weekdayFromDays counts.
    constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
    constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    //  0123456789012345678901234567 8
    if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
        text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
        return std::nullopt;
    }
    const auto weekday_it = std::find(kDays.begin(), kDays.end(), text.substr(0, 3));
    const auto month_it = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
    if (weekday_it == kDays.end() || month_it == kMonths.end()) return std::nullopt;
    std::int64_t day = 0;
    std::int64_t year = 0;
    std::int64_t hour = 0;
    std::int64_t minute = 0;
    std::int64_t second = 0;
    if (!parseDigits(text.substr(5, 2), day) || !parseDigits(text.substr(12, 4), year) ||
        !parseDigits(text.substr(17, 2), hour) || !parseDigits(text.substr(20, 2), minute) ||
        !parseDigits(text.substr(23, 2), second)) {
        return std::nullopt;
    }
    const auto month = static_cast<unsigned>(month_it - kMonths.begin() + 1);
    if (!isValidDate(year, month, static_cast<unsigned>(day)) || hour > 23 || minute > 59 ||
        second > 60) {
        return std::nullopt;
    }
    const std::int64_t days = daysFromCivil(year, month, static_cast<unsigned>(day));
    if (weekdayFromDays(days) != static_cast<unsigned>(weekday_it - kDays.begin())) {
        return std::nullopt;
    }
    return days * 86'400 + hour * 3'600 + minute * 60 + second;
}

int retryAfterSeconds(std::string_view value, Timestamp now, int max_seconds) noexcept {
    value = text::trimSpacesAndTabs(value);
    if (value.empty()) return 0;
    std::int64_t seconds = 0;
    if (isDigitsOnly(value)) {
        // Any run of digits is a delay; one too long for int64 is simply "long".
        if (!parseDigits(value, seconds)) seconds = max_seconds;
    } else if (const auto at = parseImfFixdate(value)) {
        seconds = *at - now.micros / kMicrosPerSecond;
    } else {
        return 0;
    }
    return static_cast<int>(std::clamp<std::int64_t>(seconds, 0, std::max(max_seconds, 0)));
}

bool isSuccessStatus(int status) noexcept { return status >= 200 && status <= 299; }

bool isRetryableStatus(int status) noexcept {
    return status == 408 || status == 425 || status == 429 || (status >= 500 && status <= 599);
}

std::string statusClass(int status) {
    return status >= 100 && status <= 599 ? std::to_string(status / 100) + "xx" : "other";
}

std::string safeExcerpt(std::string_view text, const std::vector<std::string>& masked_values,
                        std::size_t max_bytes, const ExcerptStyle& style) {
    const std::string work = masked(text, masked_values);
    std::string out;
    out.reserve(std::min(work.size(), max_bytes));
    bool pending_space = false;
    for (std::size_t i = 0; i < work.size();) {
        char32_t c = 0;
        const std::size_t length = text::decodeUtf8(work, i, c);
        if (length == 0 && style.invalid_byte.empty()) {
            ++i;  // invalid byte, dropped
            continue;
        }
        if (length != 0 && isBlank(c)) {
            pending_space = !out.empty();
            i += length;
            continue;
        }
        const std::string_view piece =
            length == 0 ? style.invalid_byte : std::string_view(work).substr(i, length);
        const std::size_t needed = piece.size() + (pending_space ? 1 : 0);
        if (out.size() + needed > max_bytes) {
            while (!out.empty() && out.size() + style.ellipsis.size() > max_bytes) {
                popCharacter(out);
            }
            if (out.size() + style.ellipsis.size() <= max_bytes) out += style.ellipsis;
            return out;
        }
        if (pending_space) out.push_back(' ');
        pending_space = false;
        out += piece;
        i += length == 0 ? 1 : length;
    }
    return out;
}

}  // namespace relais::sdk::http
