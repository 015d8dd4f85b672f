// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"

/// @file
/// The `url` template of the REST connector: literal text with `{name}` placeholders in the
/// path and query, each replaced by a value of the delivery percent-encoded by
/// `sdk::url::percentEncode`.

namespace relais::plugins::rest {

/// The values a template can use. `business_id` is the id the application gave on an
/// earlier delivery of the same dossier (empty when unknown).
struct UrlValues {
    std::string dossier_id;
    std::string source_key;
    std::string procedure;
    std::string route;
    std::string business_id;
};

/// A parsed URL template. Immutable once parsed; safe to share between threads.
class UrlTemplate {
public:
    /// Parses `text`. `InvalidArgument` (field `url`, or `field`) for an unknown placeholder,
    /// an unclosed `{`, a stray `}`, or a placeholder before the path (in the scheme or the
    /// host: a dossier's value must never choose where the data goes).
    static sdk::Result<UrlTemplate> parse(std::string_view text, const std::string& field = "url");

    UrlTemplate() = default;

    /// The URL with every placeholder replaced by its percent-encoded value.
    /// `InvalidArgument` naming the placeholder when its value is empty (a URL such as
    /// `/dossiers//documents` would address something else).
    sdk::Result<std::string> expand(const UrlValues& values) const;

    /// Whether `{name}` appears in the template.
    bool uses(std::string_view name) const noexcept;

    const std::string& text() const noexcept { return text_; }

private:
    enum class Kind { Literal, DossierId, SourceKey, Procedure, Route, BusinessId };
    struct Part {
        Kind kind = Kind::Literal;
        std::string text;  ///< the literal, or the placeholder's name
    };

    std::string text_;
    std::vector<Part> parts_;
};

/// `url` without its query and fragment, for messages: the query may carry identifiers an
/// operator does not need in a dead-letter reason.
std::string urlForMessages(std::string_view url);

}  // namespace relais::plugins::rest
