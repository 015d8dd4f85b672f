// SPDX-License-Identifier: AGPL-3.0-or-later
#include "server_fixture.h"

#include <stdexcept>

#include "relais/common/crypto.h"
#include "relais/http/request.h"

namespace relais::http::test {
namespace {

config::ClientConfig clientConfig(std::string name, const std::string& key,
                                  std::vector<std::string> client_rights) {
    config::ClientConfig config;
    config.name = std::move(name);
    config.key_sha256 = common::sha256Hex(key);
    config.rights = std::move(client_rights);
    config.procedures = {"*"};
    config.instances = {"*"};
    return config;
}

Endpoint route(std::string method, std::string pattern, std::string name, std::string right,
               Handler handler) {
    Endpoint r;
    r.method = std::move(method);
    r.pattern = std::move(pattern);
    r.name = std::move(name);
    r.right = std::move(right);
    r.handler = std::move(handler);
    return r;
}

}  // namespace

config::LimitsConfig testLimits() {
    config::LimitsConfig limits;
    limits.max_body_bytes = 1024;
    limits.max_header_fields = 20;
    limits.request_timeout_ms = 30'000;
    limits.keep_alive_timeout_ms = 60'000;
    limits.max_threads = 8;
    limits.max_queued = 64;
    return limits;
}

ServerFixture::ServerFixture()
    : log_path_(dir_.file("relais.log")), sink_(std::make_unique<log::Sink>(log_path_)) {
    authenticator_ = std::make_unique<Authenticator>(std::vector<config::ClientConfig>{
        clientConfig("portal", "portal-key", {"dossiers:submit", "dossiers:read"}),
        clientConfig("ops", "ops-key", {"admin"})});

    router_.add(route("GET", "/healthz", "healthz", "", [](Request&) {
        sdk::Json body = sdk::Json::object();
        body.set("status", "ok");
        return jsonResponse(200, body);
    }));
    router_.add(
        route("GET", "/v1/dossiers/{id}", "dossier_get", "dossiers:read", [](Request& request) {
            sdk::Json body = sdk::Json::object();
            body.set("id", request.param("id"));
            body.set("x", request.queryParam("x"));
            body.set("path", request.path);
            body.set("raw_query", request.raw_query);
            body.set("client", request.client->name());
            return jsonResponse(200, body);
        }));
    router_.add(route("POST", "/v1/echo", "echo", "dossiers:submit", [](Request& request) {
        Response response;
        response.content_type = "text/plain";
        response.body = request.body;
        return response;
    }));
    Endpoint big = route("POST", "/v1/big", "big", "dossiers:submit", [](Request& request) {
        sdk::Json body = sdk::Json::object();
        body.set("size", static_cast<std::int64_t>(request.body.size()));
        return jsonResponse(200, body);
    });
    big.max_body_bytes = 4096;
    router_.add(std::move(big));
    router_.add(route("GET", "/v1/jobs/dead", "jobs_dead", "jobs:admin",
                      [](Request&) { return jsonResponse(200, sdk::Json::array()); }));
    router_.add(route("GET", "/v1/boom", "boom", "dossiers:read", [](Request&) -> Response {
        throw std::runtime_error("database password hunter2 rejected at /var/lib/relais/db");
    }));
    router_.add(route("GET", "/v1/missing", "missing", "", [](Request&) {
        return problemFromError(sdk::fail(sdk::ErrorCode::NotFound, "no dossier 'x'", "id"));
    }));
    router_.add(route("GET", "/v1/nocontent", "nocontent", "", [](Request&) {
        Response response;
        response.status = 204;
        return response;
    }));
    router_.add(route("GET", "/v1/headers", "headers", "", [](Request&) {
        Response response;
        response.body = "{}";
        response.headers = {{"X-Ok", "1"},
                            {"X-Bad", "a\r\nSet-Cookie: stolen=1"},
                            {"Bad Name", "x"},
                            {"Content-Length", "999"},
                            {"Cache-Control", "max-age=60"}};
        return response;
    }));
    router_.add(route("GET", "/v1/block", "block", "", [this](Request&) {
        std::unique_lock lock(block_mutex_);
        entered_ = true;
        block_cv_.notify_all();
        block_cv_.wait(lock, [this] { return released_; });
        return jsonResponse(200, sdk::Json::object());
    }));
}

ServerFixture::~ServerFixture() {
    release();
    stop();
}

void ServerFixture::start(const config::LimitsConfig& limits, bool access_log,
                          const config::TlsConfig& tls) {
    config::ServerConfig config;
    config.address = "127.0.0.1";
    config.port = 0;
    config.limits = limits;
    config.tls = tls;
    server_ =
        std::make_unique<Server>(config, router_, *authenticator_, metrics_, *sink_, access_log);
    if (refusals_) server_->setRefusalObserver(refusals_);
    server_->start();
    port_ = server_->port();
    ASSERT_GT(port_, 0);
}

void ServerFixture::stop() {
    if (server_) server_->stop();
}

std::string ServerFixture::logText() { return relais::test::readFileOrFail(log_path_); }

std::vector<sdk::Json> ServerFixture::logLines(std::string_view logger) {
    std::vector<sdk::Json> lines;
    const auto text = logText();
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        auto parsed = sdk::Json::parse(std::string_view(text).substr(start, end - start));
        EXPECT_TRUE(parsed.ok()) << "log line is not JSON: " << text.substr(start, end - start);
        if (parsed && parsed->find("logger") != nullptr &&
            parsed->find("logger")->asString() == logger) {
            lines.push_back(std::move(parsed).value());
        }
        start = end + 1;
    }
    return lines;
}

bool ServerFixture::waitEntered(std::chrono::milliseconds timeout) {
    std::unique_lock lock(block_mutex_);
    return block_cv_.wait_for(lock, timeout, [this] { return entered_; });
}

void ServerFixture::release() {
    std::lock_guard lock(block_mutex_);
    released_ = true;
    block_cv_.notify_all();
}

}  // namespace relais::http::test
