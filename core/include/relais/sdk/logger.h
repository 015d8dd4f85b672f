// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "relais/sdk/visibility.h"

namespace relais::sdk {

enum class LogLevel { Trace = 0, Debug = 1, Info = 2, Warn = 3, Error = 4, Off = 5 };

/// A structured field of a log line (`dossier_id`, `job_id`…).
struct LogField {
    std::string key;
    std::string value;
};

/// A logger bound to one plugin instance: every line it writes carries the instance name and
/// honours the instance's configured level. Lines are JSON; known secret values are masked
/// before anything is written, but plugins must still never log a secret on purpose.
///
/// Lifetime: owned by the host, valid until the instance is destroyed. Thread-safe.
class RELAIS_SDK_API Logger {
public:
    virtual ~Logger();

    /// Whether a line at `level` would be written (check before building costly fields).
    virtual bool enabled(LogLevel level) const noexcept = 0;

    /// Writes one line. Never throws; a failing sink drops the line.
    virtual void log(LogLevel level, std::string_view message,
                     const std::vector<LogField>& fields) noexcept = 0;

    void debug(std::string_view message, const std::vector<LogField>& fields = {}) noexcept {
        log(LogLevel::Debug, message, fields);
    }
    void info(std::string_view message, const std::vector<LogField>& fields = {}) noexcept {
        log(LogLevel::Info, message, fields);
    }
    void warn(std::string_view message, const std::vector<LogField>& fields = {}) noexcept {
        log(LogLevel::Warn, message, fields);
    }
    void error(std::string_view message, const std::vector<LogField>& fields = {}) noexcept {
        log(LogLevel::Error, message, fields);
    }
};

}  // namespace relais::sdk
