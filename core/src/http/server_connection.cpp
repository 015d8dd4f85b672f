// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/server_connection.h"

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <Poco/Delegate.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Timestamp.h>
#include <sys/socket.h>

#include "relais/common/crypto.h"
#include "relais/http/request.h"

#include "http/connection_guard.h"
#include "http/lingering_close.h"
#include "http/request_handler.h"
#include "http/server_state.h"

namespace relais::http::detail {
namespace {

using Clock = std::chrono::steady_clock;

/// The status and detail for what Poco's request parser refused (messages of Poco 1.11's
/// HTTPRequest::read and MessageHeader::read).
std::pair<int, std::string> classify(const Poco::Net::MessageException& error) {
    const std::string& what = error.message();
    const auto mentions = [&what](std::string_view text) {
        return what.find(text) != std::string::npos;
    };
    if (mentions("header fields") || mentions("Field")) {
        return {431,
                "the request headers are too large: at most 100 fields, each name at most 256 "
                "bytes and each value at most 8 KiB"};
    }
    if (mentions("URI")) return {414, "the request target is longer than 16 KiB"};
    return {400, "the request line or headers are malformed (" + what + ")"};
}

}  // namespace

ServerConnection::ServerConnection(const Poco::Net::StreamSocket& socket,
                                   Poco::Net::HTTPServerParams::Ptr params,
                                   Poco::SharedPtr<HandlerFactory> factory, ServerState& state,
                                   std::chrono::milliseconds header_timeout)
    : Poco::Net::TCPServerConnection(socket),
      params_(std::move(params)),
      factory_(std::move(factory)),
      state_(state),
      header_timeout_(header_timeout) {
    factory_->stopEvent() += Poco::delegate(this, &ServerConnection::onServerStopped);
}

ServerConnection::~ServerConnection() {
    try {
        factory_->stopEvent() -= Poco::delegate(this, &ServerConnection::onServerStopped);
    } catch (...) {
        // Unregistering only fails on allocation; the connection is going away either way.
    }
}

void ServerConnection::run() {
    // Forgotten however the connection ends, so that the guard holds no closed socket.
    struct Forget {
        ConnectionGuard& guard;
        const Poco::Net::StreamSocket& socket;
        ~Forget() { guard.forget(socket); }
    } forget{state_.guard(), socket()};
    state_.guard().arm(socket(), ConnectionGuard::Clock::now() + header_timeout_);
    serveRequests();
}

void ServerConnection::serveRequests() {
    // Poco's HTTPServerConnection::run (1.11), with the refusal of unparsable heads.
    Poco::Net::HTTPServerSession session(socket(), params_);
    while (!stopped_ && session.hasMoreRequests()) {
        const auto started = Clock::now();
        try {
            const std::lock_guard lock(request_mutex_);
            if (stopped_) break;
            Poco::Net::HTTPServerResponseImpl response(session);
            std::unique_ptr<Poco::Net::HTTPServerRequestImpl> request;
            try {
                // Reads the request line and headers.
                request =
                    std::make_unique<Poco::Net::HTTPServerRequestImpl>(response, session, params_);
            } catch (const Poco::Net::NoMessageException&) {
                break;  // the client closed an idle keep-alive connection
            } catch (const Poco::Net::MessageException& e) {
                refuseHead(e, std::chrono::duration<double>(Clock::now() - started).count());
                break;
            }
            response.setDate(Poco::Timestamp());
            response.setVersion(request->getVersion());
            response.setKeepAlive(params_->getKeepAlive() && request->getKeepAlive() &&
                                  session.canKeepAlive());
            std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(
                factory_->createRequestHandler(*request));
            // A refused request already has its error status: no `100 Continue` for a body
            // that will not be read.
            if (request->getExpectContinue() &&
                response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) {
                response.sendContinue();
            }
            handler->handleRequest(*request, response);
            session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() &&
                                 session.canKeepAlive());
        } catch (const Poco::Exception&) {
            // The request handler answers every error it can; what reaches here is the
            // connection failing (reset, deadline, TLS alert): nothing is left to answer.
            break;
        }
    }
}

void ServerConnection::refuseHead(const Poco::Net::MessageException& error,
                                  double seconds) noexcept {
    try {
        const auto [status, detail] = classify(error);
        Response answer = problem(status, reasonFor(status), detail);
        const std::string request_id = common::uuidV4();
        if (auto document = sdk::Json::parse(answer.body); document && document->isObject()) {
            document->set("instance", request_id);
            answer.body.clear();
            document->dumpTo(answer.body);
        }
        std::string wire = "HTTP/1.1 " + std::to_string(status) + " " + reasonFor(status) +
                           "\r\nContent-Type: application/problem+json\r\nContent-Length: " +
                           std::to_string(answer.body.size()) + "\r\nX-Request-Id: " + request_id +
                           "\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store"
                           "\r\nConnection: close\r\n\r\n" +
                           answer.body;
        std::size_t sent = 0;
        while (sent < wire.size()) {
            const int n =
                socket().sendBytes(wire.data() + sent, static_cast<int>(wire.size() - sent));
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }

        ServerState::Outcome outcome;
        outcome.status = status;
        outcome.bytes_out = sent;
        outcome.seconds = seconds;
        outcome.request_id = request_id;
        const std::string remote = socket().peerAddress().toString();
        outcome.remote = remote;
        state_.record(outcome);

        // The rest of the head is still coming: read it away for a bounded time, so that
        // the client sees the answer rather than a connection reset.
        discardIncoming(socket(), Poco::Timespan(0, 100'000));
    } catch (...) {
        // The client went away or the socket failed: the connection ends either way.
    }
}

void ServerConnection::onServerStopped(const void*, const bool& abort) {
    stopped_ = true;
    if (abort) {
        shutSocket();
    } else {
        // Once the request in progress (if any) is answered.
        const std::lock_guard lock(request_mutex_);
        shutSocket();
    }
}

void ServerConnection::shutSocket() noexcept {
    // The kernel socket, not Poco's: with TLS, Poco's shutdown would write a close_notify
    // through OpenSSL from this (stopping) thread while the connection thread may be inside
    // SSL_read on the same connection.
    ::shutdown(socket().impl()->sockfd(), SHUT_RDWR);
}

ServerConnectionFactory::ServerConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                                                 Poco::SharedPtr<HandlerFactory> factory,
                                                 ServerState& state,
                                                 std::chrono::milliseconds header_timeout)
    : params_(std::move(params)),
      factory_(std::move(factory)),
      state_(state),
      header_timeout_(header_timeout) {}

Poco::Net::TCPServerConnection* ServerConnectionFactory::createConnection(
    const Poco::Net::StreamSocket& socket) {
    return new ServerConnection(socket, params_, factory_, state_, header_timeout_);
}

}  // namespace relais::http::detail
