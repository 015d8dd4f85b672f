// SPDX-License-Identifier: AGPL-3.0-or-later
#include "mdel_settings.h"

#include <filesystem>

#include "relais/sdk/text.h"

#include "files.h"

namespace relais::adapters::mdel {
namespace {

using sdk::ErrorCode;

sdk::Error invalid(const std::string& key, const std::string& what) {
    return sdk::fail(ErrorCode::InvalidArgument, key + ": " + what, key);
}

// A directory the adapter writes to: made when `create` (sub-folders of the archive), then
// checked.
sdk::Result<void> checkDirectory(const std::string& key, const std::string& directory,
                                 bool create) {
    if (directory.empty()) return invalid(key, "must name a directory");
    if (create) {
        std::error_code ec;
        std::filesystem::create_directories(directory, ec);
    }
    if (auto why = unusableDirectory(directory); !why.empty()) return invalid(key, why);
    return sdk::ok();
}

}  // namespace

std::string MdelSettings::procedureFor(const std::string& flow_type) const {
    if (!procedure.empty()) return procedure;
    for (const auto& [flow, code] : procedures) {
        if (flow == flow_type) return code;
    }
    return flow_type;
}

sdk::Result<MdelSettings> settingsFrom(const sdk::Settings& settings) {
    MdelSettings out;
    out.inbox = settings.string("inbox");
    out.outbox = settings.string("outbox");
    out.archive = settings.string("archive");
    out.errors = settings.string("errors");
    if (out.errors.empty()) out.errors = out.archive + "/errors";
    out.duplicates = out.archive + "/duplicates";
    for (const auto& [key, directory] : {std::pair<std::string, std::string>{"inbox", out.inbox},
                                         {"outbox", out.outbox},
                                         {"archive", out.archive}}) {
        if (auto checked = checkDirectory(key, directory, false); !checked) {
            return std::move(checked).error();
        }
    }
    for (const auto& [key, directory] : {std::pair<std::string, std::string>{"errors", out.errors},
                                         {"archive", out.duplicates},
                                         {"archive", MessageIndex(out.archive).directory()}}) {
        if (auto checked = checkDirectory(key, directory, true); !checked) {
            return std::move(checked).error();
        }
    }

    out.procedure = settings.string("procedure");
    for (const auto& entry : settings.list("procedures")) {
        const auto colon = entry.find(':');
        const std::string flow(
            sdk::text::trim(colon == std::string::npos ? entry : entry.substr(0, colon)));
        const std::string code(
            sdk::text::trim(colon == std::string::npos ? "" : entry.substr(colon + 1)));
        if (flow.empty() || code.empty()) {
            return invalid("procedures", "'" + entry + "' is not 'FLOW:procedure' (DAUA:travaux)");
        }
        out.procedures.emplace_back(flow, code);
    }
    const std::string zone = settings.string("time-zone", "Europe/Paris");
    auto loaded = sdk::TimeZone::load(zone);
    if (!loaded) return invalid("time-zone", "'" + zone + "' is not a zone of the tz database");
    out.time_zone = std::move(loaded).value();

    const std::int64_t batch = settings.integer("batch", 50);
    if (batch < 1 || batch > 1000) return invalid("batch", "must be between 1 and 1000");
    out.batch = static_cast<std::size_t>(batch);
    const std::int64_t max_bytes = settings.integer("max-uncompressed-bytes", 268'435'456);
    if (max_bytes < 1024) return invalid("max-uncompressed-bytes", "must be at least 1024");
    out.max_uncompressed = static_cast<std::uint64_t>(max_bytes);

    auto codes = stateCodesFrom(settings.list("status-codes"));
    if (!codes) return std::move(codes).error();
    out.state_codes = std::move(codes).value();
    out.sender_id = std::string(sdk::text::trim(settings.string("sender-id")));
    if (sdk::text::hasControlCharacter(out.sender_id)) {
        return invalid("sender-id", "must not hold a control character");
    }
    auto timeout = sdk::timeoutMs(settings, "document-timeout", 30'000, 600'000);
    if (!timeout) return std::move(timeout).error();
    out.document_timeout_ms = *timeout;
    return out;
}

}  // namespace relais::adapters::mdel
