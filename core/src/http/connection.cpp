// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/connection.h"

#include <algorithm>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include "relais/metrics/registry.h"

#include "http/connection_limits.h"
#include "http/server_state.h"
#include "http/worker_pool.h"

namespace relais::http::detail {
namespace {

using std::chrono::milliseconds;

// Requests one keep-alive connection may carry before the server closes it, so that
// connections are spread again over time.
constexpr int kMaxKeepAliveRequests = 1000;
// What a lingering close reads away at most, and for how long: enough for a client to
// finish sending and see the answer rather than a reset.
constexpr std::size_t kLingerMaxBytes = std::size_t{1024} * 1024;
constexpr milliseconds kLingerTime{1000};
// Bodies are read into memory as they come; what a declared length makes us reserve at
// once is bounded, so that a lie costs the liar's bytes, not ours.
constexpr std::size_t kMaxReserve = std::size_t{1024} * 1024;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

Connection::Connection(boost::asio::io_context& loop, ConnectionShared& shared, Registry& registry,
                       std::unique_ptr<Transport> transport, std::string address, bool within_limit)
    : loop_(loop),
      shared_(shared),
      registry_(registry),
      transport_(std::move(transport)),
      timer_(loop),
      address_(std::move(address)),
      within_limit_(within_limit) {
    ErrorCode error;
    const auto peer = transport_->socket().remote_endpoint(error);
    remote_ = error ? address_
                    : (peer.address().is_v6() ? "[" + address_ + "]" : address_) + ":" +
                          std::to_string(peer.port());
    registry_.insert(this);
}

Connection::~Connection() {
    registry_.erase(this);
    request_.reset();  // ends the request in flight, if any, before the count goes
    shared_.limits.close(address_);
    try {
        shared_.closed();
    } catch (...) {
        // Only allocation can fail there; the listener then resumes at its next close.
    }
}

void Connection::start() {
    arm(milliseconds(shared_.state.limits().header_timeout_ms));
    transport_->handshake([self = shared_from_this()](const ErrorCode& error) {
        if (self->closed_) return;
        if (error) return self->close();  // a failed or abandoned handshake: nothing to say
        self->read();
    });
}

void Connection::close() noexcept {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    transport_->close();
}

void Connection::read() {
    transport_->read([self = shared_from_this()](const ErrorCode& error, std::string_view data) {
        self->onRead(error, data);
    });
}

void Connection::onRead(const ErrorCode& error, std::string_view data) {
    if (closed_) return;
    if (phase_ == Phase::Lingering) {
        lingered_ += data.size();
        if (error || lingered_ >= kLingerMaxBytes) return close();
        return read();
    }
    if (error) {
        // The client closed or the connection failed. A body cut short is still answered
        // (a client that only shut its sending side reads the 400); otherwise, nothing is
        // left to answer.
        if (phase_ == Phase::Body && error == boost::asio::error::eof) return bodyEnded();
        return close();
    }
    process(data);
}

void Connection::process(std::string_view data) {
    for (;;) {
        switch (phase_) {
            case Phase::Head: {
                const bool was_started = parser_.started();
                data.remove_prefix(parser_.feed(data));
                if (parser_.state() == HeadParser::State::Incomplete) {
                    // The first byte of a request after an idle wait: its head now has
                    // its own deadline.
                    if (!was_started && parser_.started() && !head_deadline_) {
                        head_deadline_ = true;
                        arm(milliseconds(shared_.state.limits().header_timeout_ms));
                    }
                    return read();
                }
                if (!onHead()) {
                    // Answered or awaiting its `100 Continue`: what follows waits its turn.
                    pending_.append(data.data(), data.size());
                    return;
                }
                break;
            }
            case Phase::Body:
                if (!takeBody(data)) return read();
                break;
            case Phase::Handling:
            case Phase::Writing:
                // Pipelined: the next request waits until this one is answered.
                pending_.append(data.data(), data.size());
                return;
            case Phase::Lingering:
                return;
        }
    }
}

bool Connection::onHead() {
    request_ = std::make_unique<RequestHandler>(shared_.state, remote_);
    if (parser_.state() == HeadParser::State::Failed) {
        request_->refuse(makeProblem(parser_.errorStatus(), parser_.errorDetail()), true);
        linger_ = true;  // the rest of the head is probably still coming
        dispatch();
        return false;
    }
    if (!within_limit_) {
        shared_.refused_per_address.increment();
        auto answer = makeProblem(503,
                                  "too many connections from this address; close idle ones "
                                  "or retry later");
        answer.headers.emplace_back("Retry-After", "1");
        request_->refuse(std::move(answer), true);
        linger_ = true;
        dispatch();
        return false;
    }
    request_->prepare(parser_.head(), transport_->peerCertificate());
    if (++requests_ >= kMaxKeepAliveRequests || shared_.state.limits().keep_alive_timeout_ms <= 0) {
        request_->closeAfterResponse();
    }
    switch (request_->body()) {
        case RequestHandler::Body::None:
            dispatch();
            return false;
        case RequestHandler::Body::Chunked:
            chunked_.emplace(request_->bodyLimit());
            break;
        case RequestHandler::Body::Fixed:
            request_->bodyBuffer().reserve(
                std::min(static_cast<std::size_t>(request_->contentLength()), kMaxReserve));
            break;
    }
    phase_ = Phase::Body;
    arm(milliseconds(shared_.state.limits().body_timeout_ms));
    if (!request_->wantsContinue()) return true;
    // The client waits for this before sending its body; nothing is read meanwhile, so
    // that no answer can be written while this is.
    transport_->write(kContinue, [self = shared_from_this()](const ErrorCode& error) {
        if (self->closed_) return;
        if (error) return self->close();
        if (self->pending_.empty()) return self->read();
        std::string early;
        early.swap(self->pending_);
        self->process(early);
    });
    return false;
}

bool Connection::takeBody(std::string_view& data) {
    std::string& body = request_->bodyBuffer();
    if (chunked_) {
        const std::size_t used = chunked_->feed(data, body);
        data.remove_prefix(used);
        switch (chunked_->state()) {
            case common::ChunkedParser::State::Incomplete:
                return false;
            case common::ChunkedParser::State::Complete:
                request_->bodyRead(body.size());
                break;
            case common::ChunkedParser::State::TooLarge:
                request_->bodyFailed(makeProblem(413, "the body exceeds the limit of " +
                                                          std::to_string(request_->bodyLimit()) +
                                                          " bytes"));
                break;
            case common::ChunkedParser::State::Malformed:
                request_->bodyFailed(
                    makeProblem(400, "malformed chunked body: " + chunked_->detail()));
                break;
        }
        chunked_.reset();
    } else {
        const auto expected = static_cast<std::size_t>(request_->contentLength());
        const std::size_t used = std::min(expected - body.size(), data.size());
        body.append(data.data(), used);
        data.remove_prefix(used);
        if (body.size() < expected) return false;
        request_->bodyRead(expected);
    }
    dispatch();
    // What follows the body belongs to the next request: kept until this one is answered.
    if (!data.empty()) pending_.append(data.data(), data.size());
    data = {};
    return true;
}

void Connection::bodyEnded() {
    const std::size_t got = request_->bodyBuffer().size();
    if (chunked_) {
        request_->bodyFailed(
            makeProblem(400, "malformed chunked body: " + std::string(chunked_->endedDetail())));
        chunked_.reset();
    } else {
        request_->bodyFailed(makeProblem(400, "the body ended after " + std::to_string(got) +
                                                  " of the " +
                                                  std::to_string(request_->contentLength()) +
                                                  " bytes announced by Content-Length"));
    }
    dispatch();
}

void Connection::dispatch() {
    phase_ = Phase::Handling;
    disarm();
    if (request_->immediate()) return write(request_->respond());
    auto self = shared_from_this();
    const bool queued = shared_.workers.tryPost([self]() mutable {
        std::string wire = self->request_->respond();
        auto& loop = self->loop_;
        // The reference moves to the loop: the connection must end there, never on a
        // worker (its registry and timer belong to the loop).
        boost::asio::post(loop, [self = std::move(self), wire = std::move(wire)]() mutable {
            self->write(std::move(wire));
        });
    });
    if (queued) return;
    // Every worker busy and the queue full: shed the request now, with a date to retry,
    // rather than let it wait unboundedly or reset it.
    shared_.refused_overloaded.increment();
    auto answer = makeProblem(503, "the server is busy; retry shortly");
    answer.headers.emplace_back("Retry-After", "1");
    request_->refuse(std::move(answer), !request_->bodyConsumed());
    write(request_->respond());
}

void Connection::write(std::string wire) {
    if (closed_) {
        // Closed while the worker handled it (the server is stopping): still counted.
        request_->finish(false);
        request_.reset();
        return;
    }
    if (wire.empty()) {
        request_->finish(false);
        request_.reset();
        return close();
    }
    phase_ = Phase::Writing;
    wire_ = std::move(wire);
    arm(milliseconds(shared_.state.limits().request_timeout_ms));
    transport_->write(
        wire_, [self = shared_from_this()](const ErrorCode& error) { self->afterWrite(error); });
}

void Connection::afterWrite(const ErrorCode& error) {
    request_->finish(!error && !closed_);
    const bool close_now = error || closed_ || request_->closeAfter();
    linger_ = linger_ || !request_->bodyConsumed();
    request_.reset();
    if (wire_.capacity() > kMaxReserve) std::string().swap(wire_);
    wire_.clear();
    if (closed_) return;
    if (error) return close();
    if (close_now) return linger_ ? linger() : close();
    nextRequest();
}

void Connection::nextRequest() {
    phase_ = Phase::Head;
    parser_.reset();
    // The keep-alive wait: a client may stay idle this long before its next request.
    head_deadline_ = false;
    arm(milliseconds(shared_.state.limits().keep_alive_timeout_ms));
    if (pending_.empty()) return read();
    std::string pipelined;
    pipelined.swap(pending_);
    process(pipelined);
}

void Connection::linger() {
    phase_ = Phase::Lingering;
    transport_->shutdownSend();
    arm(kLingerTime);
    read();
}

void Connection::arm(milliseconds timeout) {
    deadline_ = Clock::now() + timeout;
    // Lazily: a wait due before the new deadline is left alone and, when it fires, waits
    // again for the rest. Under load the deadlines only move later (keep-alive, body,
    // answer), so a busy connection touches its timer about once per period, not several
    // times per request.
    if (!timer_waiting_ || timer_.expiry() > deadline_) waitForDeadline();
}

void Connection::disarm() { deadline_ = Clock::time_point::max(); }

void Connection::waitForDeadline() {
    timer_.expires_at(deadline_);  // a pending wait ends with operation_aborted
    timer_waiting_ = true;
    const unsigned generation = ++timer_generation_;
    timer_.async_wait([self = shared_from_this(), generation](const ErrorCode& error) {
        // A wait overtaken by a later one is not a deadline.
        if (generation != self->timer_generation_) return;
        self->timer_waiting_ = false;
        if (error || self->closed_ || self->deadline_ == Clock::time_point::max()) return;
        if (Clock::now() >= self->deadline_) return self->close();
        self->waitForDeadline();  // the deadline moved later meanwhile
    });
}

}  // namespace relais::http::detail
