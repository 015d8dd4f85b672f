// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/request_handler.h"

#include <algorithm>
#include <array>
#include <exception>
#include <istream>
#include <optional>
#include <ostream>
#include <stdexcept>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "relais/common/crypto.h"
#include "relais/common/strings.h"
#include "relais/http/authenticator.h"
#include "relais/http/request.h"
#include "relais/http/router.h"
#include "relais/http/server.h"

#include "http/chunked_body.h"
#include "http/server_state.h"
#include "http/url.h"

namespace relais::http::detail {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kUnmatched = "unmatched";
constexpr std::size_t kMaxRequestIdLength = 128;
constexpr std::size_t kLingerBuffer = std::size_t{16} * 1024;
// After refusing a body without reading it, the server keeps reading (and discarding) for
// a moment before closing, so that a client still sending gets to read the refusal
// instead of a connection reset (the "lingering close" of Apache and nginx).
constexpr std::size_t kLingerMaxBytes = std::size_t{1024} * 1024;
constexpr auto kLingerMaxTime = std::chrono::milliseconds(1000);

// A client-supplied request id is echoed in headers and logs: keep it short and made of
// characters that cannot break either.
std::string sanitiseRequestId(std::string_view given) {
    std::string id;
    for (const char c : given) {
        if (id.size() == kMaxRequestIdLength) break;
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
        if (ok) id += c;
    }
    return id.empty() ? common::uuidV4() : id;
}

bool isToken(std::string_view text) noexcept {
    if (text.empty()) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

bool isSafeHeaderValue(std::string_view value) noexcept {
    return std::none_of(value.begin(), value.end(),
                        [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Headers that frame the message are the server's business: a handler setting them could
// desynchronise the connection.
bool isFramingHeader(std::string_view name) noexcept {
    return common::equalsIgnoreCase(name, "Content-Length") ||
           common::equalsIgnoreCase(name, "Transfer-Encoding") ||
           common::equalsIgnoreCase(name, "Connection") ||
           common::equalsIgnoreCase(name, "X-Request-Id");
}

bool isDigits(std::string_view text) noexcept {
    return !text.empty() && text.size() <= 18 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string reasonFor(int status) {
    return Poco::Net::HTTPResponse::getReasonForStatus(
        static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
}

Response makeProblem(int status, std::string_view detail, std::string_view field = {}) {
    return problem(status, reasonFor(status), detail, field);
}

/// The TLS client certificate of a connection, verified by the handshake against the
/// server's `client-ca` (VERIFY_RELAXED or STRICT); empty fields without one.
struct PeerCertificate {
    std::string sha256;  ///< of the DER form, lowercase hex
    std::string cn;
};

PeerCertificate peerCertificate(Poco::Net::StreamSocket* socket) {
    PeerCertificate peer;
    if (socket == nullptr) return peer;
    auto* secure = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(socket->impl());
    if (secure == nullptr || !secure->havePeerCertificate()) return peer;
    const Poco::Net::X509Certificate certificate = secure->peerCertificate();
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (X509_digest(certificate.certificate(), EVP_sha256(), digest.data(), &length) != 1) {
        return peer;
    }
    peer.sha256 =
        common::toHex(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
    peer.cn = certificate.commonName();
    return peer;
}

/// One request, from the end of its headers to the end of its response. Created by the
/// factory on a connection thread, deleted by Poco once `handleRequest` returned (or
/// threw); counts itself in flight for its whole life.
class RequestHandler final : public Poco::Net::HTTPRequestHandler {
public:
    explicit RequestHandler(ServerState& state) : state_(state), started_(Clock::now()) {
        state_.beginRequest();
    }
    ~RequestHandler() override {
        // The next request on this connection has the keep-alive wait, then its own header
        // deadline.
        if (socket_ != nullptr) {
            const auto& limits = state_.limits();
            state_.guard().arm(*socket_,
                               ConnectionGuard::Clock::now() +
                                   std::chrono::milliseconds(limits.keep_alive_timeout_ms) +
                                   std::chrono::milliseconds(limits.header_timeout_ms));
        }
        state_.endRequest();
    }
    RequestHandler(const RequestHandler&) = delete;
    RequestHandler& operator=(const RequestHandler&) = delete;

    /// The checks before the body. Never throws: an unexpected failure becomes a 500.
    void prepare(const Poco::Net::HTTPServerRequest& request) noexcept;
    const std::optional<Response>& refusal() const noexcept { return refusal_; }

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override;

private:
    void check(const Poco::Net::HTTPServerRequest& request);
    void refuse(Response response, bool close = false) {
        refusal_ = std::move(response);
        close_ = close_ || close;
    }
    std::optional<Response> readBody(Poco::Net::HTTPServerRequest& request);
    std::optional<Response> readFixed(std::istream& in);
    std::optional<Response> readChunked(Poco::Net::HTTPServerRequest& request);
    std::optional<Response> checkBodySignature();
    std::optional<Response> authorize();
    void tellRefusal(const Response& answer) noexcept;
    Response invoke();
    Response internalError(std::string_view what);
    void send(Poco::Net::HTTPServerResponse& response, Response& answer);
    void linger(Poco::Net::HTTPServerRequest& request) noexcept;

    ServerState& state_;
    Clock::time_point started_;
    Request request_;
    std::string raw_path_;
    const Endpoint* route_ = nullptr;
    std::optional<Response> refusal_;
    bool close_ = false;                // close the connection after the response
    bool chunked_ = false;              // `Transfer-Encoding: chunked`
    std::int64_t content_length_ = -1;  // -1: no Content-Length
    bool body_consumed_ = false;        // nothing of the body is left on the connection
    std::size_t body_limit_ = 0;
    std::size_t bytes_in_ = 0;
    std::size_t bytes_out_ = 0;
    Poco::Net::StreamSocket* socket_ = nullptr;  // the connection's, for its deadlines
    std::string signature_header_;               // `X-Relais-Signature`, for `checkBodySignature`
    bool body_signature_pending_ = false;        // the client signed its body
};

void RequestHandler::prepare(const Poco::Net::HTTPServerRequest& request) noexcept {
    try {
        // Poco hands the factory a const request; the socket is only watched from here.
        auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(
            const_cast<Poco::Net::HTTPServerRequest*>(&request));
        if (impl != nullptr) socket_ = &impl->socket();
        check(request);
    } catch (const std::exception& e) {
        refusal_ = internalError(e.what());
        close_ = true;
    } catch (...) {
        refusal_ = internalError("unknown exception");
        close_ = true;
    }
    body_consumed_ = !chunked_ && content_length_ <= 0;
    if (socket_ != nullptr) {
        // Headers are in: the body (if any) has its own deadline; handling has none.
        if (body_consumed_ || refusal_) {
            state_.guard().disarm(*socket_);
        } else {
            state_.guard().arm(*socket_,
                               ConnectionGuard::Clock::now() +
                                   std::chrono::milliseconds(state_.limits().body_timeout_ms));
        }
    }
}

void RequestHandler::check(const Poco::Net::HTTPServerRequest& request) {
    const auto& limits = state_.limits();
    request_.method = request.getMethod();
    request_.request_id = sanitiseRequestId(request.get("X-Request-Id", ""));
    request_.remote_address = request.clientAddress().toString();

    // Headers and framing (RFC 9112 §6). Anything ambiguous is refused and the connection
    // closed: two parties reading a body's length differently is how requests get smuggled.
    if (static_cast<int>(request.size()) > limits.max_header_fields) {
        return refuse(
            makeProblem(431, "the request has " + std::to_string(request.size()) +
                                 " header fields; at most " +
                                 std::to_string(limits.max_header_fields) + " are accepted"),
            true);
    }
    request_.headers.reserve(request.size());
    int content_lengths = 0;
    int transfer_encodings = 0;
    std::string_view content_length;
    for (const auto& [name, value] : request) {
        request_.headers.emplace_back(name, value);
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
        const auto coding = common::trim(request.get("Transfer-Encoding"));
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

    // Target.
    std::string_view raw_path;
    std::string_view raw_query;
    if (!url::splitTarget(request.getURI(), raw_path, raw_query)) {
        return refuse(makeProblem(400, "the request target must be a path starting with '/'"),
                      true);
    }
    raw_path_ = std::string(raw_path);
    auto path = url::decodePath(raw_path);
    if (!path) {
        return refuse(makeProblem(400,
                                  "the path has a malformed percent-escape, a NUL byte or "
                                  "a '.' or '..' segment"));
    }
    request_.path = std::move(*path);
    request_.raw_query = std::string(raw_query);
    auto query = url::parseQuery(raw_query);
    if (!query) return refuse(problemFromError(query.error()));
    request_.query = std::move(query).value();

    // Route.
    auto match = state_.router().match(request_.method, raw_path);
    if (match.kind == Match::Kind::NotFound) {
        return refuse(makeProblem(404, "nothing is served at this path"));
    }
    if (match.kind == Match::Kind::MethodNotAllowed) {
        const auto allowed = common::join(match.allowed_methods, ", ");
        auto answer = makeProblem(
            405, "method " + request_.method + " is not allowed here; allowed: " + allowed);
        answer.headers.emplace_back("Allow", allowed);
        return refuse(std::move(answer));
    }
    route_ = match.route;
    request_.path_params = std::move(match.params);

    // Authentication, rate and rights.
    if (!route_->right.empty()) {
        // Copies: `get` with a default returns a reference to that (temporary) default.
        const std::string authorization = request.get("Authorization", "");
        const std::string client_header = request.get("X-Relais-Client", "");
        signature_header_ = request.get("X-Relais-Signature", "");
        const PeerCertificate certificate = peerCertificate(socket_);
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
                                 "Bearer <key>', sign the query as Publik does, or present a "
                                 "client certificate");
            answer.headers.emplace_back(
                "WWW-Authenticate", presented ? R"(Bearer realm="relais", error="invalid_token")"
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

    // Declared size: refused before a single byte of the body is read.
    body_limit_ = route_->max_body_bytes != 0 ? route_->max_body_bytes : limits.max_body_bytes;
    if (content_length_ > 0 && static_cast<std::uint64_t>(content_length_) > body_limit_) {
        return refuse(makeProblem(413, "the body (" + std::to_string(content_length_) +
                                           " bytes) exceeds the limit of " +
                                           std::to_string(body_limit_) + " bytes"),
                      true);
    }
}

void RequestHandler::handleRequest(Poco::Net::HTTPServerRequest& request,
                                   Poco::Net::HTTPServerResponse& response) {
    Response answer;
    if (refusal_) {
        answer = std::move(*refusal_);
    } else if (auto body_error = readBody(request)) {
        answer = std::move(*body_error);
    } else {
        if (socket_ != nullptr) state_.guard().disarm(*socket_);
        if (auto signature_error = checkBodySignature()) {
            answer = std::move(*signature_error);
        } else {
            answer = invoke();
            if (answer.status == 403 && !answer.audited) tellRefusal(answer);
        }
    }
    try {
        send(response, answer);
    } catch (const std::exception& e) {
        // Nothing more can be said to this client; the request is still counted and logged.
        close_ = true;
        response.setKeepAlive(false);
        state_.errorLogger().warn("response not sent",
                                  {{"request_id", request_.request_id}, {"error", e.what()}});
    }

    ServerState::Outcome outcome;
    outcome.method = request_.method;
    outcome.raw_path = raw_path_;
    outcome.route = route_;
    outcome.status = answer.status;
    outcome.bytes_in = bytes_in_;
    outcome.bytes_out = bytes_out_;
    outcome.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    outcome.client =
        request_.client != nullptr ? std::string_view(request_.client->name()) : std::string_view();
    outcome.request_id = request_.request_id;
    outcome.remote = request_.remote_address;
    state_.record(outcome);

    if (close_ && !body_consumed_) linger(request);
}

std::optional<Response> RequestHandler::readBody(Poco::Net::HTTPServerRequest& request) {
    if (!chunked_ && content_length_ <= 0) return std::nullopt;
    try {
        return chunked_ ? readChunked(request) : readFixed(request.stream());
    } catch (const Poco::TimeoutException&) {
        close_ = true;
        return makeProblem(408, "the body did not arrive in time");
    } catch (const Poco::Exception& e) {
        // Reset or broken connection: the answer will probably not arrive either.
        close_ = true;
        return makeProblem(400, "the body could not be read: " + e.message());
    } catch (const std::exception& e) {
        close_ = true;
        return internalError(e.what());
    }
}

std::optional<Response> RequestHandler::readFixed(std::istream& in) {
    // Make the stream rethrow what its buffer throws (timeouts, resets) instead of only
    // setting badbit, so that each failure gets its own status.
    in.exceptions(std::ios::badbit);
    std::string& body = request_.body;
    const auto expected = static_cast<std::size_t>(content_length_);
    body.resize(expected);
    in.read(body.data(), static_cast<std::streamsize>(expected));
    bytes_in_ = static_cast<std::size_t>(in.gcount());
    if (bytes_in_ < expected) {
        body.clear();
        close_ = true;
        return makeProblem(400, "the body ended after " + std::to_string(bytes_in_) + " of the " +
                                    std::to_string(expected) +
                                    " bytes announced by Content-Length");
    }
    body_consumed_ = true;
    return std::nullopt;
}

std::optional<Response> RequestHandler::readChunked(Poco::Net::HTTPServerRequest& request) {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
    if (impl == nullptr) throw std::logic_error("request does not come from Poco's HTTP server");
    const auto result = readChunkedBody(impl->session(), body_limit_, request_.body);
    bytes_in_ = request_.body.size();
    switch (result.outcome) {
        case ChunkedOutcome::Complete:
            body_consumed_ = true;
            return std::nullopt;
        case ChunkedOutcome::TooLarge:
            request_.body.clear();
            close_ = true;
            return makeProblem(
                413, "the body exceeds the limit of " + std::to_string(body_limit_) + " bytes");
        case ChunkedOutcome::Malformed:
        case ChunkedOutcome::Truncated:
            break;
    }
    request_.body.clear();
    close_ = true;
    return makeProblem(400, "malformed chunked body: " + result.detail);
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

std::optional<Response> RequestHandler::authorize() {
    const Caller& client = *request_.client;
    if (const auto wait = state_.rateLimiter().admit(client); wait > 0) {
        auto answer = makeProblem(429, "client '" + client.name() +
                                           "' sends more requests than its rate allows; "
                                           "retry in " +
                                           std::to_string(wait) + " s");
        answer.headers.emplace_back("Retry-After", std::to_string(wait));
        return answer;
    }
    if (!client.hasRight(route_->right)) {
        auto answer = makeProblem(
            403, "client '" + client.name() + "' lacks the right '" + route_->right + "'");
        tellRefusal(answer);
        return answer;
    }
    return std::nullopt;
}

void RequestHandler::tellRefusal(const Response& answer) noexcept try {
    std::string detail;
    if (auto parsed = sdk::Json::parse(answer.body)) {
        if (const sdk::Json* text = parsed->find("detail"); text != nullptr && text->isString()) {
            detail = text->asString();
        }
    }
    Refusal refusal;
    refusal.client =
        request_.client != nullptr ? std::string_view(request_.client->name()) : std::string_view();
    refusal.route = route_ != nullptr ? std::string_view(route_->name) : kUnmatched;
    refusal.method = request_.method;
    refusal.path = request_.path;
    refusal.detail = detail;
    refusal.request_id = request_.request_id;
    state_.refused(refusal);
} catch (...) {
    // Out of memory while describing it: the 403 still goes out; the pipeline logs what the
    // observer could not record, here there is nothing left to log with.
}

Response RequestHandler::invoke() {
    try {
        return route_->handler(request_);
    } catch (const std::exception& e) {
        return internalError(e.what());
    } catch (...) {
        return internalError("unknown exception");
    }
}

Response RequestHandler::internalError(std::string_view what) {
    // The exception text may hold anything (paths, SQL, personal data): it goes to the log,
    // under the request id that the caller sees, and never into the response.
    state_.errorLogger().error(
        "request failed with an exception",
        {{"request_id", request_.request_id},
         {"route", route_ != nullptr ? route_->name : std::string(kUnmatched)},
         {"method", request_.method},
         {"error", std::string(what)}});
    return makeProblem(500,
                       "the request could not be handled because of an internal error; "
                       "the operator can find it in the logs under this request id");
}

void RequestHandler::send(Poco::Net::HTTPServerResponse& response, Response& answer) {
    if (answer.status < 100 || answer.status > 999) {
        answer = internalError("handler returned HTTP status " + std::to_string(answer.status));
    }
    if (answer.content_type == "application/problem+json") {
        // Every problem document names the request, so a caller can quote it to an operator.
        auto parsed = sdk::Json::parse(answer.body);
        if (parsed && parsed->isObject() && parsed->find("instance") == nullptr) {
            parsed->set("instance", request_.request_id);
            answer.body = parsed->dump();
        }
    }
    // An unread body would be parsed as the next request on this connection.
    if (state_.stopping() || !body_consumed_) close_ = true;

    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status),
                                reasonFor(answer.status));
    bool has_cache_control = false;
    for (const auto& [name, value] : answer.headers) {
        if (!isToken(name) || !isSafeHeaderValue(value) || isFramingHeader(name)) {
            state_.errorLogger().warn("handler header dropped",
                                      {{"request_id", request_.request_id},
                                       {"header", isToken(name) ? name : "(invalid name)"}});
            continue;
        }
        has_cache_control = has_cache_control || common::equalsIgnoreCase(name, "Cache-Control");
        response.add(name, value);
    }
    response.set("X-Request-Id", request_.request_id);
    response.set("X-Content-Type-Options", "nosniff");
    // Answers carry personal data more often than not: no cache keeps them unless the
    // handler says otherwise.
    if (!has_cache_control) response.set("Cache-Control", "no-store");
    if (close_) response.setKeepAlive(false);

    const bool no_body = answer.status < 200 || answer.status == 204 || answer.status == 304 ||
                         request_.method == "HEAD";
    if (!no_body) {
        if (!answer.content_type.empty()) response.setContentType(answer.content_type);
        response.setContentLength64(static_cast<Poco::Int64>(answer.body.size()));
    }
    std::ostream& out = response.send();
    if (!no_body) {
        out.write(answer.body.data(), static_cast<std::streamsize>(answer.body.size()));
        bytes_out_ = answer.body.size();
    }
    out.flush();
    if (!out) {
        // The client went away: nothing more to say to it, and nothing to keep alive.
        response.setKeepAlive(false);
        close_ = true;
    }
}

void RequestHandler::linger(Poco::Net::HTTPServerRequest& request) noexcept {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
    if (impl == nullptr) return;
    try {
        Poco::Net::StreamSocket& socket = impl->socket();
        socket.shutdownSend();
        socket.setReceiveTimeout(Poco::Timespan(0, 200'000));
        std::array<char, kLingerBuffer> buffer{};
        std::size_t discarded = 0;
        const auto deadline = Clock::now() + kLingerMaxTime;
        while (discarded < kLingerMaxBytes && Clock::now() < deadline) {
            const int n = socket.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
            if (n <= 0) break;
            discarded += static_cast<std::size_t>(n);
        }
    } catch (...) {
        // Timeout, reset, or already closed: the connection is being dropped anyway.
    }
}

}  // namespace

Poco::Net::HTTPRequestHandler* HandlerFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest& request) {
    auto handler = std::make_unique<RequestHandler>(state_);
    handler->prepare(request);
    if (handler->refusal()) {
        request.response().setStatus(
            static_cast<Poco::Net::HTTPResponse::HTTPStatus>(handler->refusal()->status));
    }
    return handler.release();
}

}  // namespace relais::http::detail
