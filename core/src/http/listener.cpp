// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/listener.h"

#include <chrono>
#include <exception>
#include <future>
#include <utility>

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <pthread.h>

#include "http/connection_limits.h"

namespace relais::http::detail {
namespace {

namespace asio = boost::asio;

// Out of file descriptors (or kernel memory): accepting again at once would spin; the
// connections that close meanwhile free what the next accept needs.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);

/// Runs `work` on `context`'s thread and waits for it.
template <typename Work>
void runOn(asio::io_context& context, Work work) {
    std::promise<void> done;
    asio::post(context, [&] {
        work();
        done.set_value();
    });
    done.get_future().wait();
}

}  // namespace

Listener::Listener(ConnectionShared& shared, asio::ssl::context* tls, int loops)
    : shared_(shared), tls_(tls) {
    for (int i = 0; i < std::max(1, loops); ++i) loops_.push_back(std::make_unique<Loop>());
}

Listener::~Listener() {
    stop();
    // The acceptor and its timer belong to the first loop's context; the contexts go last,
    // destroying the handlers (and connections) that never ran.
    acceptor_.reset();
    retry_.reset();
    loops_.clear();
}

void Listener::start(const std::string& address, int port) {
    auto& first = loops_.front()->context;
    Tcp::endpoint endpoint;
    try {
        // Host names are resolved once, here, as the previous server did.
        const Poco::Net::SocketAddress resolved(address, static_cast<Poco::UInt16>(port));
        endpoint = Tcp::endpoint(asio::ip::make_address(resolved.host().toString()),
                                 static_cast<unsigned short>(port));
    } catch (const std::exception& e) {
        throw Poco::IOException("cannot listen on " + address + ": " + e.what());
    }
    acceptor_ = std::make_unique<Tcp::acceptor>(first);
    retry_ = std::make_unique<asio::steady_timer>(first);
    ErrorCode error;
    acceptor_->open(endpoint.protocol(), error);
    if (!error) acceptor_->set_option(Tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor_->bind(endpoint, error);
    if (!error) acceptor_->listen(asio::socket_base::max_listen_connections, error);
    if (error) {
        acceptor_.reset();
        throw Poco::IOException("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                                error.message());
    }
    port_ = acceptor_->local_endpoint().port();
    accepting_ = true;
    accept();
    for (auto& loop : loops_) {
        work_.push_back(asio::make_work_guard(loop->context));
        loop->thread = std::thread([&context = loop->context] {
            pthread_setname_np(pthread_self(), "relais-io");
            // Handlers catch what they can; an escaping exception must not end the loop
            // (and every connection on it) silently.
            for (;;) {
                try {
                    context.run();
                    return;
                } catch (const std::exception&) {
                    continue;
                }
            }
        });
    }
}

void Listener::accept() {
    Loop& loop = *loops_[next_loop_];
    next_loop_ = (next_loop_ + 1) % loops_.size();
    acceptor_->async_accept(loop.context,
                            [this, &loop](const ErrorCode& error, Tcp::socket socket) {
                                onAccept(loop, error, std::move(socket));
                            });
}

void Listener::onAccept(Loop& loop, const ErrorCode& error, Tcp::socket socket) {
    if (!accepting_ || error == asio::error::operation_aborted) return;
    if (error) {
        retry_->expires_after(kAcceptRetry);
        retry_->async_wait([this](const ErrorCode& waited) {
            if (!waited && accepting_) accept();
        });
        return;
    }
    ErrorCode peer_error;
    const auto peer = socket.remote_endpoint(peer_error);
    if (peer_error) {
        accept();  // gone already
        return;
    }
    std::string address = peer.address().to_string();
    const bool within_limit = shared_.limits.open(address);
    asio::post(loop.context, [this, &loop, socket = std::move(socket), address = std::move(address),
                              within_limit]() mutable {
        auto connection = std::make_shared<Connection>(loop.context, shared_, loop.connections,
                                                       makeTransport(std::move(socket), tls_),
                                                       std::move(address), within_limit);
        connection->start();
    });
    if (!shared_.limits.full()) return accept();
    // At the limit: new connections wait in the kernel's backlog until one closes. Checked
    // again after pausing, so that a close in between is not missed.
    paused_ = true;
    if (!shared_.limits.full() && paused_.exchange(false)) accept();
}

void Listener::connectionClosed() {
    if (!accepting_ || !paused_ || shared_.limits.full()) return;
    if (!paused_.exchange(false)) return;
    asio::post(loops_.front()->context, [this] {
        if (accepting_) accept();
    });
}

void Listener::stopAccepting() {
    if (!accepting_.exchange(false)) return;
    runOn(loops_.front()->context, [this] {
        ErrorCode ignored;
        acceptor_->close(ignored);
        retry_->cancel();
    });
}

void Listener::stop() {
    stopAccepting();
    for (auto& loop : loops_) {
        if (!loop->thread.joinable()) continue;
        runOn(loop->context, [&loop = *loop] {
            // Copied: closing a connection may end it, and it leaves the registry.
            std::vector<Connection*> open(loop.connections.begin(), loop.connections.end());
            for (Connection* connection : open) connection->close();
        });
    }
    work_.clear();
    for (auto& loop : loops_) {
        if (!loop->thread.joinable()) continue;
        loop->context.stop();
        loop->thread.join();
    }
}

}  // namespace relais::http::detail
