// SPDX-License-Identifier: AGPL-3.0-or-later
#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <string>

#include "relais/common/strings.h"

#include "http/request_handler.h"
#include "http/server_state.h"

namespace relais::http::detail {
namespace {

bool isToken(std::string_view text) noexcept {
    if (text.empty()) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

bool isSafeHeaderValue(std::string_view value) noexcept {
    return std::none_of(value.begin(), value.end(),
                        [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Headers that frame the message are the server's business: a handler setting them could
// desynchronise the connection.
bool isFramingHeader(std::string_view name) noexcept {
    return common::equalsIgnoreCase(name, "Content-Length") ||
           common::equalsIgnoreCase(name, "Transfer-Encoding") ||
           common::equalsIgnoreCase(name, "Connection") ||
           common::equalsIgnoreCase(name, "X-Request-Id");
}

/// The `Date` header's value (RFC 9110 §5.6.7), formatted once a second per thread.
std::string_view httpDate() {
    thread_local std::time_t formatted_at = 0;
    thread_local std::array<char, 64> text{};
    const std::time_t now = std::time(nullptr);
    if (now != formatted_at) {
        // By hand rather than strftime: day and month names must not follow the locale.
        static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                             "Thu", "Fri", "Sat"};
        static constexpr std::array<const char*, 12> kMonths = {
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        std::tm utc{};
        gmtime_r(&now, &utc);
        std::snprintf(text.data(), text.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                      kDays.at(static_cast<std::size_t>(utc.tm_wday)), utc.tm_mday,
                      kMonths.at(static_cast<std::size_t>(utc.tm_mon)), utc.tm_year + 1900,
                      utc.tm_hour, utc.tm_min, utc.tm_sec);
        formatted_at = now;
    }
    return text.data();
}

}  // namespace

std::string RequestHandler::serialise(Response& answer) {
    if (answer.status < 100 || answer.status > 999) {
        answer = internalError("handler returned HTTP status " + std::to_string(answer.status));
    }
    if (answer.content_type == "application/problem+json") {
        // Every problem document names the request, so a caller can quote it to an operator.
        auto parsed = sdk::Json::parse(answer.body);
        if (parsed && parsed->isObject() && parsed->find("instance") == nullptr) {
            parsed->set("instance", request_.request_id);
            answer.body = parsed->dump();
        }
    }
    status_ = answer.status;
    // An unread body would be parsed as the next request on this connection.
    if (state_.stopping() || !body_consumed_ || !keep_alive_) close_ = true;

    std::string wire;
    wire.reserve(256 + answer.body.size());
    wire += minor_version_ == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
    wire += std::to_string(answer.status);
    wire += ' ';
    wire += reasonFor(answer.status);
    wire += "\r\nDate: ";
    wire += httpDate();
    const auto header = [&wire](std::string_view name, std::string_view value) {
        wire += "\r\n";
        wire += name;
        wire += ": ";
        wire += value;
    };
    if (close_) {
        header("Connection", "close");
    } else if (minor_version_ == 0) {
        header("Connection", "Keep-Alive");
    }
    bool has_cache_control = false;
    for (const auto& [name, value] : answer.headers) {
        if (!isToken(name) || !isSafeHeaderValue(value) || isFramingHeader(name)) {
            state_.errorLogger().warn("handler header dropped",
                                      {{"request_id", request_.request_id},
                                       {"header", isToken(name) ? name : "(invalid name)"}});
            continue;
        }
        has_cache_control = has_cache_control || common::equalsIgnoreCase(name, "Cache-Control");
        header(name, value);
    }
    header("X-Request-Id", request_.request_id);
    header("X-Content-Type-Options", "nosniff");
    // Answers carry personal data more often than not: no cache keeps them unless the
    // handler says otherwise.
    if (!has_cache_control) header("Cache-Control", "no-store");

    const bool no_body = answer.status < 200 || answer.status == 204 || answer.status == 304;
    if (!no_body) {
        if (!answer.content_type.empty()) header("Content-Type", answer.content_type);
        header("Content-Length", std::to_string(answer.body.size()));
    }
    wire += "\r\n\r\n";
    if (!no_body && request_.method != "HEAD") {
        wire += answer.body;
        bytes_out_ = answer.body.size();
    }
    return wire;
}

}  // namespace relais::http::detail
