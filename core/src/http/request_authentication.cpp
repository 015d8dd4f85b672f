// SPDX-License-Identifier: AGPL-3.0-or-later
#include <string>
#include <utility>

#include "relais/http/authenticator.h"

#include "http/request_handler.h"
#include "http/server_state.h"

namespace relais::http::detail {

void RequestHandler::authenticate(const RequestHead& head, const PeerCertificate& certificate) {
    const std::string authorization = head.get("Authorization");
    const std::string client_header = head.get("X-Relais-Client");
    signature_header_ = head.get("X-Relais-Signature");
    Credentials credentials;
    credentials.authorization = authorization;
    credentials.raw_query = request_.raw_query;
    credentials.client_header = client_header;
    credentials.signature_header = signature_header_;
    credentials.certificate_sha256 = certificate.sha256;
    credentials.certificate_cn = certificate.cn;
    auto authentication = state_.authenticator().authenticate(credentials);
    if (authentication.client == nullptr) {
        const bool presented = !authentication.failure.empty();
        auto answer = makeProblem(
            401, presented ? authentication.failure
                           : "this endpoint needs credentials: send 'Authorization: "
                             "Bearer <key>' (or Basic, the key as password), sign the query "
                             "as Publik does, or present a "
                             "client certificate");
        answer.headers.emplace_back("WWW-Authenticate",
                                    presented ? R"(Bearer realm="relais", error="invalid_token")"
                                              : "Bearer realm=\"relais\"");
        return refuse(std::move(answer));
    }
    request_.client = authentication.client;
    body_signature_pending_ = authentication.body_signature_pending;
    // A signed body proves the client only once read: its rate and rights wait until
    // then, so that an unproven name neither spends its rate nor learns its rights.
    if (!body_signature_pending_) {
        if (auto refused = authorize()) return refuse(std::move(*refused));
    }
}

std::optional<Response> RequestHandler::checkBodySignature() {
    if (!body_signature_pending_) return std::nullopt;
    auto verified =
        state_.authenticator().verifyBody(*request_.client, signature_header_, request_.body);
    if (verified) return authorize();
    auto answer = makeProblem(401, verified.error().message);
    answer.headers.emplace_back("WWW-Authenticate",
                                R"(Bearer realm="relais", error="invalid_token")");
    // Not the client's request after all: counted and logged without its name.
    request_.client = nullptr;
    return answer;
}

}  // namespace relais::http::detail
