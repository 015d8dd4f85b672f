// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http_test_servers.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/NumberParser.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>

namespace relais::test {
namespace {

class EchoHandler final : public Poco::Net::HTTPRequestHandler {
public:
    explicit EchoHandler(EchoServer& server) : server_(server) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        std::string body;
        Poco::StreamCopier::copyToString(request.stream(), body);
        const Poco::URI uri(request.getURI());
        auto param = [&](const std::string& name, int fallback) {
            for (const auto& [key, value] : uri.getQueryParameters()) {
                if (key == name) return Poco::NumberParser::parse(value);
            }
            return fallback;
        };
        const std::string& path = uri.getPath();
        response.setContentType("text/plain");

        if (path.rfind("/echo", 0) == 0) {
            std::string out = request.getMethod() + " " + request.getURI() + "\n";
            for (const auto& [name, value] : request) out += name + ": " + value + "\n";
            out += "\n" + body;
            response.sendBuffer(out.data(), out.size());
        } else if (path == "/delay") {
            server_.waitForStop(param("ms", 0));
            response.sendBuffer("late", 4);
        } else if (path == "/bytes") {
            const std::string out(static_cast<std::size_t>(param("n", 0)), 'x');
            if (param("chunked", 0) == 1) {
                response.setChunkedTransferEncoding(true);
                response.send() << out;
            } else {
                response.sendBuffer(out.data(), out.size());
            }
        } else if (path == "/status") {
            const int code = param("code", 200);
            response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(code));
            const std::string out = "status " + std::to_string(code);
            response.sendBuffer(out.data(), out.size());
        } else {
            response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            response.sendBuffer("no route", 8);
        }
    }

private:
    EchoServer& server_;
};

}  // namespace

class EchoServer::Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(EchoServer& server) : server_(server) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& /*request*/) override {
        return new EchoHandler(server_);
    }

private:
    EchoServer& server_;
};

EchoServer::EchoServer(Poco::Net::Context::Ptr tls) : tls_(!tls.isNull()), threads_(2, 32) {
    const Poco::Net::SocketAddress address("127.0.0.1", 0);
    Poco::Net::ServerSocket socket = tls_ ? Poco::Net::SecureServerSocket(address, 64, tls)
                                          : Poco::Net::ServerSocket(address, 64);
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(1000);
    params->setKeepAliveTimeout(Poco::Timespan(30, 0));
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), threads_, socket, params);
    server_->start();
}

EchoServer::~EchoServer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stopped_.notify_all();
    server_->stopAll(true);
    threads_.joinAll();
}

std::string EchoServer::url(std::string_view path) const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
           std::string(path);
}

int EchoServer::acceptedConnections() const { return server_->totalConnections(); }

bool EchoServer::waitForStop(int ms) {
    std::unique_lock lock(mutex_);
    return stopped_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

RawServer::RawServer(Script script)
    : script_(std::move(script)), listener_(Poco::Net::SocketAddress("127.0.0.1", 0), 64) {
    port_ = listener_.address().port();
    acceptor_ = std::thread([this] { acceptLoop(); });
}

RawServer::~RawServer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        // Wakes scripts blocked in a read.
        for (auto& socket : connections_) {
            try {
                socket.shutdown();
            } catch (const Poco::Exception&) {
            }
        }
    }
    changed_.notify_all();
    acceptor_.join();
    std::vector<std::thread> workers;
    {
        std::lock_guard lock(mutex_);
        workers.swap(workers_);
    }
    for (auto& worker : workers) worker.join();
}

std::string RawServer::url(std::string_view path, bool https) const {
    return std::string(https ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
           std::string(path);
}

void RawServer::acceptLoop() {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        // Bounded wait so that the loop sees `stopping_`.
        if (!listener_.poll(Poco::Timespan(0, 20'000), Poco::Net::Socket::SELECT_READ)) continue;
        Poco::Net::StreamSocket socket;
        try {
            socket = listener_.acceptConnection();
        } catch (const Poco::Exception&) {
            continue;
        }
        const int index = accepted_.fetch_add(1);
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        connections_.push_back(socket);
        workers_.emplace_back([this, socket, index]() mutable {
            try {
                script_(socket, index);
            } catch (const Poco::Exception&) {
                // The client went away: nothing to do.
            }
            try {
                socket.close();
            } catch (const Poco::Exception&) {
            }
        });
    }
}

void RawServer::signal() {
    {
        std::lock_guard lock(mutex_);
        ++events_;
    }
    changed_.notify_all();
}

bool RawServer::waitForEvents(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return events_ >= count; });
}

bool RawServer::waitForStop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return stopping_; });
}

std::optional<std::string> readRequest(Poco::Net::StreamSocket& socket) {
    socket.setReceiveTimeout(Poco::Timespan(10, 0));
    std::string data;
    char buffer[4096];
    std::size_t head_end = std::string::npos;
    try {
        while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
            const int n = socket.receiveBytes(buffer, sizeof buffer);
            if (n <= 0) return std::nullopt;
            data.append(buffer, static_cast<std::size_t>(n));
        }
        std::size_t length = 0;
        std::string lower = data.substr(0, head_end);
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (const auto at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
            length = std::stoul(lower.substr(at + 17));
        }
        while (data.size() < head_end + 4 + length) {
            const int n = socket.receiveBytes(buffer, sizeof buffer);
            if (n <= 0) return std::nullopt;
            data.append(buffer, static_cast<std::size_t>(n));
        }
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
    return data;
}

bool writeAll(Poco::Net::StreamSocket& socket, std::string_view data) {
    try {
        while (!data.empty()) {
            const int n = socket.sendBytes(data.data(), static_cast<int>(data.size()));
            if (n <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    } catch (const Poco::Exception&) {
        return false;
    }
}

std::string okResponse(std::string_view body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

Poco::Net::Context::Ptr serverContext(const std::string& cert, const std::string& key,
                                      const std::string& client_ca) {
    Poco::Net::Context::Params params;
    params.certificateFile = cert;
    params.privateKeyFile = key;
    params.caLocation = client_ca;
    params.verificationMode =
        client_ca.empty() ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_STRICT;
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    // A client certificate names no host; and no interactive handler on failure.
    context->enableExtendedCertificateVerification(false);
    context->setInvalidCertificateHandler(new Poco::Net::RejectCertificateHandler(true));
    return context;
}

}  // namespace relais::test
