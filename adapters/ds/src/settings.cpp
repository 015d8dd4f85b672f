// SPDX-License-Identifier: AGPL-3.0-or-later
#include "settings.h"

#include <algorithm>
#include <optional>

#include "relais/sdk/http_helpers.h"
#include "relais/sdk/text.h"

#include "field_error.h"

namespace relais::adapters::ds {

std::optional<std::int64_t> parseNumber(std::string_view text) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 2'147'483'647) return std::nullopt;
    return value;
}

bool DsSettings::hasDemarche(std::int64_t number) const {
    return std::find(demarches.begin(), demarches.end(), number) != demarches.end();
}

std::string DsSettings::procedureOf(std::int64_t number) const {
    const auto found = procedure_codes.find(number);
    return found != procedure_codes.end() ? found->second : "ds-" + std::to_string(number);
}

sdk::Result<DsSettings> settingsFrom(const sdk::Settings& settings) {
    DsSettings out;
    out.endpoint = settings.string("endpoint", out.endpoint);
    if (out.endpoint.empty()) return invalidField("endpoint", "must not be empty");
    out.token_reference = settings.string("token");
    if (out.token_reference.empty()) return invalidField("token", "must name a secret reference");
    out.instructeur_id = std::string(sdk::text::trim(settings.string("instructeur-id")));
    if (sdk::text::hasControlCharacter(out.instructeur_id)) {
        return invalidField("instructeur-id", "must not hold control characters");
    }

    for (const std::string& entry : settings.list("demarches")) {
        const auto number = parseNumber(entry);
        if (!number) return invalidField("demarches", "'" + entry + "' is not a démarche number");
        if (out.hasDemarche(*number)) return invalidField("demarches", "'" + entry + "' is twice");
        out.demarches.push_back(*number);
    }
    if (out.demarches.empty()) return invalidField("demarches", "must list at least one démarche");

    for (const std::string& entry : settings.list("procedure")) {
        const auto colon = entry.find(':');
        const auto number =
            colon == std::string::npos ? std::nullopt : parseNumber(entry.substr(0, colon));
        const std::string code =
            colon == std::string::npos ? "" : std::string(sdk::text::trim(entry.substr(colon + 1)));
        if (!number || code.empty() || sdk::text::hasControlCharacter(code)) {
            return invalidField("procedure", "'" + entry + "' is not '<démarche number>:<code>'");
        }
        if (!out.hasDemarche(*number)) {
            return invalidField("procedure", "'" + entry + "' names a démarche not in 'demarches'");
        }
        if (!out.procedure_codes.emplace(*number, code).second) {
            return invalidField("procedure", "démarche " + std::to_string(*number) + " is twice");
        }
    }

    const std::int64_t page_size = settings.integer("page-size", kMaxPageSize);
    if (page_size < 1 || page_size > kMaxPageSize) {
        return invalidField("page-size", "must be 1 to " + std::to_string(kMaxPageSize) + ", not " +
                                             std::to_string(page_size));
    }
    out.page_size = static_cast<int>(page_size);
    out.disable_notification = settings.boolean("disable-notification", false);

    auto timeout = sdk::timeoutMs(settings, "timeout", 30'000, 600'000);
    if (!timeout) return std::move(timeout).error();
    out.timeout_ms = *timeout;
    auto tls = sdk::http::readTlsFiles(settings);
    if (!tls) return std::move(tls).error();
    out.tls = std::move(tls).value();
    return out;
}

}  // namespace relais::adapters::ds
