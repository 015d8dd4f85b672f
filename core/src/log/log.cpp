// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/log/log.h"

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "relais/common/errors.h"
#include "relais/sdk/json.h"
#include "relais/sdk/time.h"

namespace relais::log {
namespace {

constexpr std::array<std::string_view, 6> kLevelNames = {"trace", "debug", "info",
                                                         "warn",  "error", "off"};

std::string nowUtc() {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    return sdk::Timestamp{micros, 0}.toUtcString();
}

}  // namespace

std::optional<sdk::LogLevel> parseLevel(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
        if (kLevelNames[i] == name) return static_cast<sdk::LogLevel>(i);
    }
    return std::nullopt;
}

std::string_view toString(sdk::LogLevel level) noexcept {
    return kLevelNames[static_cast<std::size_t>(level)];
}

Sink::Sink(std::string path) : path_(std::move(path)) {
    if (!path_.empty()) reopen();
}

Sink::~Sink() {
    if (fd_ > 2) ::close(fd_);
}

void Sink::reopen() {
    if (path_.empty()) return;
    const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        throw ConfigError("cannot open log file '" + path_ + "': " + std::strerror(errno));
    }
    std::lock_guard lock(mutex_);
    if (fd_ > 2) ::close(fd_);
    fd_ = fd;
}

void Sink::addSecret(std::string_view value) {
    if (value.size() < 4) return;
    std::unique_lock lock(secrets_mutex_);
    for (const auto& s : secrets_) {
        if (s == value) return;
    }
    secrets_.emplace_back(value);
}

std::string Sink::mask(std::string_view text) const {
    std::string out(text);
    std::shared_lock lock(secrets_mutex_);
    for (const auto& secret : secrets_) {
        for (auto pos = out.find(secret); pos != std::string::npos;
             pos = out.find(secret, pos + 3)) {
            out.replace(pos, secret.size(), "***");
        }
    }
    return out;
}

void Sink::write(sdk::LogLevel level, std::string_view logger, std::string_view message,
                 const std::vector<sdk::LogField>& fields) noexcept {
    try {
        std::string line;
        line.reserve(128 + message.size());
        line += "{\"ts\":\"";
        line += nowUtc();
        line += "\",\"level\":\"";
        line += toString(level);
        line += "\",\"logger\":";
        sdk::appendJsonString(line, logger);
        line += ",\"msg\":";
        sdk::appendJsonString(line, mask(message));
        for (const auto& field : fields) {
            line += ',';
            sdk::appendJsonString(line, field.key);
            line += ':';
            sdk::appendJsonString(line, mask(field.value));
        }
        line += "}\n";
        writeLine(line);
    } catch (...) {
        // Logging must never take the process down; a line lost to bad_alloc is acceptable.
    }
}

void Sink::writeLine(std::string_view line) noexcept {
    std::lock_guard lock(mutex_);
    std::size_t written = 0;
    while (written < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        written += static_cast<std::size_t>(n);
    }
}

}  // namespace relais::log
