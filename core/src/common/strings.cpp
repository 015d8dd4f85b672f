// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/common/strings.h"

#include "relais/sdk/text.h"

namespace relais::common {

// The SDK's ASCII helpers (relais/sdk/text.h): one implementation for the core and plugins.
std::string_view trim(std::string_view text) noexcept { return sdk::text::trim(text); }

std::vector<std::string> splitTrimmed(std::string_view text, char separator) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = text.find(separator, start);
        const auto piece = trim(text.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (!piece.empty()) out.emplace_back(piece);
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

std::string toLower(std::string_view text) { return sdk::text::toLower(text); }

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
    return sdk::text::equalsIgnoreCase(a, b);
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += separator;
        out += parts[i];
    }
    return out;
}

}  // namespace relais::common
