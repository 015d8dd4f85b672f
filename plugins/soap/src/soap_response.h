// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/xml.h"

#include "soap_envelope.h"

/// @file
/// Reading what a SOAP service answered: the envelope, its fault if any, and whether a
/// fault is worth retrying.

namespace relais::plugins::soap {

/// A SOAP fault, version-neutral.
struct SoapFault {
    /// The fault code as written (`soap:Server`, `env:Sender`), then, for SOAP 1.2, each
    /// `Subcode/Value` in order (`app:DossierVerrouille`). Trimmed. Never empty: a fault
    /// without a code gets `(no fault code)`.
    std::vector<std::string> codes;
    /// `faultstring` (1.1) or the first `Reason/Text` (1.2), trimmed, not yet sanitised.
    std::string reason;
};

/// A response body, read safely.
struct SoapResponse {
    std::unique_ptr<sdk::XmlDocument> doc;  ///< the parsed body, when it parsed
    std::vector<sdk::XmlProblem> problems;  ///< why it did not parse, otherwise
    bool doctype_refused = false;           ///< it had a `<!DOCTYPE` (refused, not read)
    std::optional<SoapVersion> version;     ///< set when the root is a SOAP Envelope
    std::string root_name;                  ///< local name of the root element, when parsed
    std::optional<SoapFault> fault;         ///< the Body's Fault, when there is one
};

/// Parses `body` (see `sdk::parseXmlSafely`) and finds the envelope and its fault. Never fails:
/// what went wrong is in the result.
SoapResponse readSoapResponse(std::string_view body);

/// The part of a fault code after its prefix (`soap:Server.Busy` → `Server.Busy`).
std::string_view localNameOf(std::string_view qualified_name) noexcept;

/// Whether `fault` matches one of `retry_faults`. An entry matches a code (the fault code
/// or a 1.2 subcode) when it equals the code as written, or its local name, or a leading
/// dotted part of the local name (SOAP 1.1 `Server` matches `Server.Database`); or it
/// equals the whole fault string (white space collapsed).
bool faultMatches(const SoapFault& fault, const std::vector<std::string>& retry_faults);

/// `env:Sender/app:Locked: <reason>` with the reason sanitised and cut at `max_reason_bytes`.
std::string describeFault(const SoapFault& fault, std::size_t max_reason_bytes = 200);

/// `text` made safe for a log line or an error message: white space, control characters
/// (C0, C1) and line separators collapsed into single spaces, invalid UTF-8 dropped, cut at
/// `max_bytes` on a character boundary (with an ellipsis when cut).
std::string sanitizeText(std::string_view text, std::size_t max_bytes);

}  // namespace relais::plugins::soap
