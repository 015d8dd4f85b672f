// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/logger.h"

/// @file
/// JSON log lines. One `Sink` per process writes whole lines with one `write(2)` each, so
/// lines from concurrent threads never interleave; `Logger`s bound to a name (`core`,
/// `http.access`, a plugin instance) filter by level and hand lines to the sink.

namespace relais::log {

/// `trace`…`off` → level; empty optional for anything else.
std::optional<sdk::LogLevel> parseLevel(std::string_view name) noexcept;
std::string_view toString(sdk::LogLevel level) noexcept;

/// Where log lines go: standard error or an append-only file.
///
/// Secret values registered with `addSecret` are replaced by `***` in every later line,
/// whatever field they appear in: a defence in depth, not a licence to log secrets.
///
/// Thread-safety: all methods are thread-safe. `mutex_` guards the descriptor,
/// `secrets_mutex_` the secret list.
class Sink {
public:
    /// `path` empty: standard error. Otherwise the file is opened in append mode (created
    /// 0640); throws `ConfigError` if it cannot be.
    explicit Sink(std::string path = {});
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;
    ~Sink();

    /// Writes `{"ts":…,"level":…,"logger":…,"msg":…, <fields>}`. Never throws.
    void write(sdk::LogLevel level, std::string_view logger, std::string_view message,
               const std::vector<sdk::LogField>& fields) noexcept;

    /// Masks `value` from now on. Values shorter than 4 bytes are ignored (they would
    /// mask ordinary text and protect nothing).
    void addSecret(std::string_view value);

    /// Reopens the file (after log rotation). No-op on standard error.
    void reopen();

    /// `text` with every registered secret replaced by `***`.
    std::string mask(std::string_view text) const;

private:
    void writeLine(std::string_view line) noexcept;

    std::string path_;
    std::mutex mutex_;
    int fd_ = 2;
    mutable std::shared_mutex secrets_mutex_;
    std::vector<std::string> secrets_;
};

/// A named logger with its own level.
class Logger final : public sdk::Logger {
public:
    Logger(Sink& sink, std::string name, sdk::LogLevel level) noexcept
        : sink_(sink), name_(std::move(name)), level_(level) {}

    bool enabled(sdk::LogLevel level) const noexcept override {
        return level >= level_ && level != sdk::LogLevel::Off;
    }
    void log(sdk::LogLevel level, std::string_view message,
             const std::vector<sdk::LogField>& fields) noexcept override {
        if (enabled(level)) sink_.write(level, name_, message, fields);
    }
    const std::string& name() const noexcept { return name_; }

private:
    Sink& sink_;
    std::string name_;
    sdk::LogLevel level_;
};

}  // namespace relais::log
