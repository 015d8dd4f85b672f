// SPDX-License-Identifier: AGPL-3.0-or-later
#include <algorithm>
#include <string>

#include "relais/common/strings.h"

#include "http/request_handler.h"
#include "http/server_state.h"

namespace relais::http::detail {
namespace {

bool isDigits(std::string_view text) noexcept {
    return !text.empty() && text.size() <= 18 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

void RequestHandler::checkFraming(const RequestHead& head) {
    const auto& limits = state_.limits();
    // Headers and framing (RFC 9112 §6). Anything ambiguous is refused and the connection
    // closed: two parties reading a body's length differently is how requests get smuggled.
    if (static_cast<int>(head.fields.size()) > limits.max_header_fields) {
        return refuse(
            makeProblem(431, "the request has " + std::to_string(head.fields.size()) +
                                 " header fields; at most " +
                                 std::to_string(limits.max_header_fields) + " are accepted"),
            true);
    }
    int content_lengths = 0;
    int transfer_encodings = 0;
    std::string_view content_length;
    for (const auto& [name, value] : head.fields) {
        if (common::equalsIgnoreCase(name, "Content-Length")) {
            ++content_lengths;
            content_length = value;
        } else if (common::equalsIgnoreCase(name, "Transfer-Encoding")) {
            ++transfer_encodings;
        }
    }
    if (transfer_encodings > 1) {
        return refuse(makeProblem(400, "the request has more than one Transfer-Encoding"), true);
    }
    if (transfer_encodings == 1) {
        // A view into the head's own field (which outlives it), never into a copy.
        const auto coding = common::trim(*head.find("Transfer-Encoding"));
        if (!common::equalsIgnoreCase(coding, "chunked")) {
            return refuse(makeProblem(501, "Transfer-Encoding '" + std::string(coding) +
                                               "' is not supported; use chunked or "
                                               "Content-Length"),
                          true);
        }
        if (content_lengths > 0) {
            return refuse(makeProblem(400,
                                      "a request may not have both Content-Length and "
                                      "Transfer-Encoding"),
                          true);
        }
        chunked_ = true;
    } else if (content_lengths > 1) {
        return refuse(makeProblem(400, "the request has more than one Content-Length"), true);
    } else if (content_lengths == 1) {
        const auto text = common::trim(content_length);
        if (!isDigits(text)) {
            return refuse(makeProblem(400, "Content-Length is not a number of bytes"), true);
        }
        content_length_ = std::stoll(std::string(text));
    }
}

}  // namespace relais::http::detail
