// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/host/http_client.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <gtest/gtest.h>

#include "relais/common/errors.h"

#include "http_test_servers.h"

namespace relais::host {
namespace {

using sdk::ErrorCode;
using sdk::HttpRequest;
using test::EchoServer;
using test::RawServer;

HttpRequest get(std::string url) {
    HttpRequest request;
    request.url = std::move(url);
    return request;
}

HttpRequest post(std::string url, std::string body) {
    HttpRequest request;
    request.method = "POST";
    request.url = std::move(url);
    request.body = std::move(body);
    return request;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Answers every request on every connection with "ok" (keep-alive).
void answerAll(Poco::Net::StreamSocket& socket, int /*index*/) {
    while (test::readRequest(socket)) {
        if (!test::writeAll(socket, test::okResponse("ok"))) return;
    }
}

TEST(HttpClient, GetSendsHeadersAndReturnsStatusHeadersAndBody) {
    EchoServer server;
    auto client = makeHttpClient();
    HttpRequest request = get(server.url("/echo?x=1"));
    request.headers = {{"Accept", "application/json"}, {"X-Api-Key", "k1"}, {"X-Api-Key", "k2"}};

    auto response = client->send(request);

    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->reason, "OK");
    EXPECT_EQ(response->header("content-type"), "text/plain");
    const std::string& body = response->body;
    EXPECT_EQ(body.rfind("GET /echo?x=1\n", 0), 0U) << body;
    EXPECT_TRUE(contains(body, "Accept: application/json\n")) << body;
    EXPECT_TRUE(contains(body, "X-Api-Key: k1\nX-Api-Key: k2\n")) << body;
    EXPECT_TRUE(contains(body, "Host: 127.0.0.1:" + std::to_string(server.port()) + "\n")) << body;
    EXPECT_TRUE(contains(body, "User-Agent: relais/")) << body;
    EXPECT_FALSE(contains(body, "Content-Length")) << body;
}

TEST(HttpClient, PostSendsBodyWithContentLengthAndCallerContentType) {
    EchoServer server;
    auto client = makeHttpClient();
    HttpRequest request = post(server.url("/echo"), R"({"a":1})");
    request.headers = {{"Content-Type", "application/json"}, {"User-Agent", "connector/2"}};

    auto response = client->send(request);

    ASSERT_TRUE(response.ok()) << response.error().message;
    const std::string& body = response->body;
    EXPECT_TRUE(contains(body, "Content-Type: application/json\n")) << body;
    EXPECT_TRUE(contains(body, "Content-Length: 7\n")) << body;
    EXPECT_TRUE(contains(body, "User-Agent: connector/2\n")) << body;
    EXPECT_FALSE(contains(body, "User-Agent: relais")) << body;
    EXPECT_EQ(body.substr(body.size() - 8), "\n{\"a\":1}");
}

TEST(HttpClient, EmptyPostCarriesContentLengthZero) {
    EchoServer server;
    auto client = makeHttpClient();
    auto response = client->send(post(server.url("/echo"), ""));
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_TRUE(contains(response->body, "Content-Length: 0\n")) << response->body;
}

TEST(HttpClient, SendsPathAndQueryExactlyAsGivenWithoutFragment) {
    EchoServer server;
    auto client = makeHttpClient();

    auto response = client->send(get(server.url("/echo/a%2Fb?q=%C3%A9&x=a+b#section")));
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->body.rfind("GET /echo/a%2Fb?q=%C3%A9&x=a+b\n", 0), 0U) << response->body;

    auto raw_utf8 = client->send(get(server.url("/echo/\xC3\xA9t\xC3\xA9")));
    ASSERT_TRUE(raw_utf8.ok()) << raw_utf8.error().message;
    EXPECT_EQ(raw_utf8->body.rfind("GET /echo/%C3%A9t%C3%A9\n", 0), 0U) << raw_utf8->body;
}

TEST(HttpClient, UrlWithoutPathRequestsTheRoot) {
    RawServer server([](Poco::Net::StreamSocket& socket, int) {
        auto request = test::readRequest(socket);
        if (!request) return;
        test::writeAll(socket, test::okResponse(request->substr(0, request->find("\r\n"))));
    });
    auto client = makeHttpClient();
    auto response = client->send(get(server.url("?a=b")));
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->body, "GET /?a=b HTTP/1.1");
}

TEST(HttpClient, ErrorStatusesAreSuccessfulResults) {
    EchoServer server;
    auto client = makeHttpClient();
    for (const int code : {404, 422, 503}) {
        auto response = client->send(get(server.url("/status?code=" + std::to_string(code))));
        ASSERT_TRUE(response.ok()) << response.error().message;
        EXPECT_EQ(response->status, code);
        EXPECT_EQ(response->body, "status " + std::to_string(code));
    }
    EXPECT_EQ(server.acceptedConnections(), 1);
}

TEST(HttpClient, HeadReadsNoBodyAndKeepsTheConnection) {
    EchoServer server;
    auto client = makeHttpClient();
    HttpRequest head = get(server.url("/bytes?n=10"));
    head.method = "HEAD";

    auto response = client->send(head);
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("Content-Length"), "10");
    EXPECT_TRUE(response->body.empty());

    auto next = client->send(get(server.url("/bytes?n=3")));
    ASSERT_TRUE(next.ok()) << next.error().message;
    EXPECT_EQ(next->body, "xxx");
    EXPECT_EQ(server.acceptedConnections(), 1);
}

TEST(HttpClient, ReusesOneKeepAliveConnectionForSequentialRequests) {
    EchoServer server;
    auto client = makeHttpClient();
    for (int i = 0; i < 10; ++i) {
        auto response =
            client->send(i % 2 == 0 ? get(server.url("/echo")) : post(server.url("/echo"), "body"));
        ASSERT_TRUE(response.ok()) << response.error().message;
        EXPECT_EQ(response->status, 200);
    }
    EXPECT_EQ(server.acceptedConnections(), 1);
}

TEST(HttpClient, ChunkedResponsesAreReadWholeAndKeepTheConnection) {
    EchoServer server;
    auto client = makeHttpClient();
    for (int i = 0; i < 3; ++i) {
        auto response = client->send(get(server.url("/bytes?n=100000&chunked=1")));
        ASSERT_TRUE(response.ok()) << response.error().message;
        EXPECT_EQ(response->body, std::string(100000, 'x'));
        EXPECT_EQ(response->header("Transfer-Encoding"), "chunked");
    }
    EXPECT_EQ(server.acceptedConnections(), 1);
}

TEST(HttpClient, ConcurrentRequestsFromEightThreadsAllSucceed) {
    EchoServer server;
    auto client = makeHttpClient();
    constexpr int kThreads = 8;
    constexpr int kRequests = 10;
    std::vector<int> successes(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kRequests; ++i) {
                const std::string payload =
                    "thread " + std::to_string(t) + " #" + std::to_string(i);
                auto response = client->send(post(server.url("/echo"), payload));
                if (response.ok() && response->status == 200 &&
                    response->body.size() >= payload.size() &&
                    response->body.substr(response->body.size() - payload.size()) == payload) {
                    ++successes[static_cast<std::size_t>(t)];
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (int t = 0; t < kThreads; ++t) {
        EXPECT_EQ(successes[static_cast<std::size_t>(t)], kRequests) << "thread " << t;
    }
    // Never more connections than requests in flight: the pool is shared.
    EXPECT_GE(server.acceptedConnections(), 1);
    EXPECT_LE(server.acceptedConnections(), kThreads);
}

TEST(HttpClient, RefusedConnectionIsUnavailableNamingHostAndPort) {
    std::uint16_t port = 0;
    {
        Poco::Net::ServerSocket bound(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = bound.address().port();
    }  // closed: nothing listens on the port any more
    auto client = makeHttpClient();

    auto response =
        client->send(get("http://127.0.0.1:" + std::to_string(port) + "/secret-path?token=secret"));

    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable);
    EXPECT_TRUE(contains(response.error().message, "127.0.0.1:" + std::to_string(port)))
        << response.error().message;
    EXPECT_FALSE(contains(response.error().message, "secret")) << response.error().message;
}

TEST(HttpClient, SlowServerIsTimeoutWithinTheDeadline) {
    RawServer server([&server](Poco::Net::StreamSocket& socket, int) {
        if (test::readRequest(socket)) server.waitForStop(std::chrono::seconds(60));
    });
    auto client = makeHttpClient();
    HttpRequest request = get(server.url("/slow"));
    request.timeout_ms = 300;

    const auto start = std::chrono::steady_clock::now();
    auto response = client->send(request);
    const auto elapsed = std::chrono::steady_clock::now() - start;

    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Timeout);
    EXPECT_TRUE(contains(response.error().message, "127.0.0.1:" + std::to_string(server.port())))
        << response.error().message;
    EXPECT_GE(elapsed, std::chrono::milliseconds(250));
    EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(HttpClient, DripFedResponseIsTimeoutWithinTheDeadline) {
    // Each byte arrives well within the per-read timeout; only an overall deadline stops it.
    RawServer server([&server](Poco::Net::StreamSocket& socket, int) {
        if (!test::readRequest(socket)) return;
        test::writeAll(socket, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        for (int i = 0; i < 1000; ++i) {
            if (server.waitForStop(std::chrono::milliseconds(50))) return;
            if (!test::writeAll(socket, "x")) return;
        }
    });
    auto client = makeHttpClient();
    HttpRequest request = get(server.url("/drip"));
    request.timeout_ms = 400;

    const auto start = std::chrono::steady_clock::now();
    auto response = client->send(request);
    const auto elapsed = std::chrono::steady_clock::now() - start;

    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Timeout);
    EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST(HttpClient, ResponseOverTheLimitIsTooLarge) {
    EchoServer server;
    auto client = makeHttpClient();
    for (const std::string chunked : {"0", "1"}) {
        HttpRequest request = get(server.url("/bytes?n=2000&chunked=" + chunked));
        request.max_response_bytes = 1999;
        auto response = client->send(request);
        ASSERT_FALSE(response.ok()) << "chunked=" << chunked;
        EXPECT_EQ(response.error().code, ErrorCode::TooLarge) << response.error().message;

        request.max_response_bytes = 2000;
        auto exact = client->send(request);
        ASSERT_TRUE(exact.ok()) << exact.error().message;
        EXPECT_EQ(exact->body.size(), 2000U);
    }
}

TEST(HttpClient, UnframedResponseOverTheLimitIsTooLarge) {
    RawServer server([](Poco::Net::StreamSocket& socket, int) {
        if (!test::readRequest(socket)) return;
        test::writeAll(socket,
                       "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(5000, 'y'));
    });
    auto client = makeHttpClient();
    HttpRequest request = get(server.url("/"));
    request.max_response_bytes = 4096;
    auto response = client->send(request);
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::TooLarge);
}

TEST(HttpClient, BodyReadUntilCloseIsReturnedAndTheConnectionNotReused) {
    RawServer server([](Poco::Net::StreamSocket& socket, int) {
        if (!test::readRequest(socket)) return;
        test::writeAll(socket, "HTTP/1.1 200 OK\r\n\r\nuntil close");
    });
    auto client = makeHttpClient();
    for (int i = 0; i < 2; ++i) {
        auto response = client->send(get(server.url("/")));
        ASSERT_TRUE(response.ok()) << response.error().message;
        EXPECT_EQ(response->body, "until close");
    }
    EXPECT_EQ(server.acceptedConnections(), 2);
}

TEST(HttpClient, ServerConnectionCloseIsHonoured) {
    RawServer server([](Poco::Net::StreamSocket& socket, int) {
        if (!test::readRequest(socket)) return;
        test::writeAll(socket,
                       "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    });
    auto client = makeHttpClient();
    for (int i = 0; i < 3; ++i) {
        auto response = client->send(get(server.url("/")));
        ASSERT_TRUE(response.ok()) << response.error().message;
        EXPECT_EQ(response->body, "ok");
    }
    EXPECT_EQ(server.acceptedConnections(), 3);
}

TEST(HttpClient, TruncatedBodyIsUnavailable) {
    RawServer server([](Poco::Net::StreamSocket& socket, int) {
        if (!test::readRequest(socket)) return;
        test::writeAll(socket, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
    });
    auto client = makeHttpClient();
    auto response = client->send(get(server.url("/")));
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable);
    EXPECT_TRUE(contains(response.error().message, "10 of 100")) << response.error().message;
}

TEST(HttpClient, TruncatedChunkedBodyIsUnavailable) {
    RawServer server([](Poco::Net::StreamSocket& socket, int) {
        if (!test::readRequest(socket)) return;
        test::writeAll(socket,
                       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n0123456789");
    });
    auto client = makeHttpClient();
    auto response = client->send(get(server.url("/")));
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable) << response.error().message;
}

TEST(HttpClient, GarbageResponseIsUnavailable) {
    RawServer server([](Poco::Net::StreamSocket& socket, int) {
        if (!test::readRequest(socket)) return;
        test::writeAll(socket, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
    });
    auto client = makeHttpClient();
    auto response = client->send(get(server.url("/")));
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable);
    EXPECT_TRUE(contains(response.error().message, "invalid HTTP response"))
        << response.error().message;
}

TEST(HttpClient, ResponseHeadersKeepTheirOrder) {
    RawServer server([](Poco::Net::StreamSocket& socket, int) {
        if (!test::readRequest(socket)) return;
        test::writeAll(socket,
                       "HTTP/1.1 201 Created\r\nX-Zeta: 1\r\nSet-Cookie: a=1\r\nX-Alpha: 2\r\n"
                       "Set-Cookie: b=2\r\nContent-Length: 0\r\n\r\n");
    });
    auto client = makeHttpClient();
    auto response = client->send(post(server.url("/"), "x"));
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->status, 201);
    EXPECT_EQ(response->reason, "Created");
    const sdk::HttpHeaders expected = {{"X-Zeta", "1"},
                                       {"Set-Cookie", "a=1"},
                                       {"Set-Cookie", "b=2"},
                                       {"X-Alpha", "2"},
                                       {"Content-Length", "0"}};
    EXPECT_EQ(response->headers, expected);
}

// The first connection answers one request, then takes the next one and closes without
// answering, as a server does when it drops an idle keep-alive connection at the moment
// the request arrives. Later connections answer everything.
void closeSecondRequest(Poco::Net::StreamSocket& socket, int index) {
    if (index > 0) return answerAll(socket, index);
    if (!test::readRequest(socket)) return;
    if (!test::writeAll(socket, test::okResponse("first"))) return;
    (void)test::readRequest(socket);
}

TEST(HttpClient, StalePooledConnectionIsRetriedOnceForIdempotentMethods) {
    for (const std::string method : {"GET", "PUT", "DELETE"}) {
        RawServer server(&closeSecondRequest);
        auto client = makeHttpClient();
        ASSERT_TRUE(client->send(get(server.url("/"))).ok());

        HttpRequest request = get(server.url("/"));
        request.method = method;
        request.body = method == "PUT" ? "payload" : "";
        auto response = client->send(request);

        ASSERT_TRUE(response.ok()) << method << ": " << response.error().message;
        EXPECT_EQ(response->body, "ok");
        EXPECT_EQ(server.acceptedConnections(), 2) << method;
    }
}

TEST(HttpClient, StalePooledConnectionIsNotRetriedForPostOnceSent) {
    RawServer server(&closeSecondRequest);
    auto client = makeHttpClient();
    ASSERT_TRUE(client->send(get(server.url("/"))).ok());

    auto response = client->send(post(server.url("/"), "not twice"));

    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::Unavailable);
    EXPECT_TRUE(contains(response.error().message, "127.0.0.1:" + std::to_string(server.port())))
        << response.error().message;
    EXPECT_EQ(server.acceptedConnections(), 1);
}

TEST(HttpClient, IdleConnectionClosedByTheServerIsNotUsedAgain) {
    // The server answers one request per connection, then closes it and says so.
    RawServer server([&server](Poco::Net::StreamSocket& socket, int) {
        if (!test::readRequest(socket)) return;
        test::writeAll(socket, test::okResponse("ok"));
        socket.close();
        server.signal();
    });
    auto client = makeHttpClient();
    for (int i = 0; i < 3; ++i) {
        // POST: not retried if sent on the closed connection, so it must not be.
        auto response = client->send(post(server.url("/"), "once"));
        ASSERT_TRUE(response.ok()) << i << ": " << response.error().message;
        ASSERT_TRUE(server.waitForEvents(i + 1, std::chrono::seconds(10)));
    }
    EXPECT_EQ(server.acceptedConnections(), 3);
}

TEST(HttpClient, IdleConnectionsExpireAfterTheIdleTimeout) {
    RawServer server(&answerAll);
    HttpClientOptions options;
    options.idle_timeout_ms = 20;
    auto client = makeHttpClient(options);

    ASSERT_TRUE(client->send(get(server.url("/"))).ok());
    // Let the idle timeout pass: the elapsed time is what is tested.
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    ASSERT_TRUE(client->send(get(server.url("/"))).ok());
    ASSERT_TRUE(client->send(get(server.url("/"))).ok());

    EXPECT_EQ(server.acceptedConnections(), 2);
}

TEST(HttpClient, NoPoolingWhenMaxIdleIsZero) {
    RawServer server(&answerAll);
    HttpClientOptions options;
    options.max_idle_per_endpoint = 0;
    auto client = makeHttpClient(options);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->send(get(server.url("/"))).ok());
    EXPECT_EQ(server.acceptedConnections(), 3);
}

TEST(HttpClient, CallerConnectionCloseIsNotPooled) {
    RawServer server(&answerAll);
    auto client = makeHttpClient();
    for (int i = 0; i < 2; ++i) {
        HttpRequest request = get(server.url("/"));
        request.headers = {{"Connection", "close"}};
        ASSERT_TRUE(client->send(request).ok());
    }
    EXPECT_EQ(server.acceptedConnections(), 2);
}

TEST(HttpClient, InvalidUrlsAreInvalidArgument) {
    auto client = makeHttpClient();
    const std::vector<std::string> urls = {
        "",
        "example.org/path",
        "ftp://example.org/file",
        "file:///etc/passwd",
        "http://",
        "http:///path",
        "http://:8080/",
        "http://example.org:0/",
        "http://example.org:65536/",
        "http://example.org:80a/",
        "http://user:secret@example.org/",
        "http://exa mple.org/",
        "http://example.org/a b",
        "http://example.org/\r\nX-Injected: 1",
        "http://[::1/",
        "http://[not-v6]/",
        "http://exam%70le.org/",
        "mailto:someone@example.org",
    };
    for (const auto& url : urls) {
        auto response = client->send(get(url));
        ASSERT_FALSE(response.ok()) << url;
        EXPECT_EQ(response.error().code, ErrorCode::InvalidArgument) << url;
        EXPECT_EQ(response.error().field, "url") << url;
        EXPECT_FALSE(contains(response.error().message, "secret")) << response.error().message;
    }
}

TEST(HttpClient, AcceptsIpv6LiteralsAndUpperCaseSchemes) {
    // Nothing listens on these ports: parsing succeeded if the failure is a connection one.
    auto client = makeHttpClient();
    for (const std::string url : {"HTTP://127.0.0.1:1/", "http://[::1]:1/x"}) {
        auto response = client->send(get(url));
        ASSERT_FALSE(response.ok()) << url;
        EXPECT_EQ(response.error().code, ErrorCode::Unavailable) << response.error().message;
    }
}

TEST(HttpClient, UnsafeRequestsAreInvalidArgumentNamingTheField) {
    EchoServer server;
    auto client = makeHttpClient();
    struct Case {
        HttpRequest request;
        std::string field;
    };
    std::vector<Case> cases;
    auto with_header = [&](std::string name, std::string value) {
        HttpRequest request = get(server.url("/echo"));
        request.headers = {{"Accept", "*/*"}, {std::move(name), std::move(value)}};
        return request;
    };
    cases.push_back({with_header("X-Token", "abc\r\nX-Injected: 1"), "headers[1]"});
    cases.push_back({with_header("X-Token", std::string("a\0b", 3)), "headers[1]"});
    cases.push_back({with_header("Bad Name", "v"), "headers[1]"});
    cases.push_back({with_header("", "v"), "headers[1]"});
    cases.push_back({with_header("Content-Length", "5"), "headers[1]"});
    cases.push_back({with_header("transfer-encoding", "chunked"), "headers[1]"});
    cases.push_back({with_header("Host", "evil.example"), "headers[1]"});
    HttpRequest bad_method = get(server.url("/echo"));
    bad_method.method = "GE T";
    cases.push_back({bad_method, "method"});
    HttpRequest no_timeout = get(server.url("/echo"));
    no_timeout.timeout_ms = 0;
    cases.push_back({no_timeout, "timeout_ms"});
    HttpRequest no_connect_timeout = get(server.url("/echo"));
    no_connect_timeout.connect_timeout_ms = -1;
    cases.push_back({no_connect_timeout, "connect_timeout_ms"});

    for (const auto& c : cases) {
        auto response = client->send(c.request);
        ASSERT_FALSE(response.ok()) << c.field;
        EXPECT_EQ(response.error().code, ErrorCode::InvalidArgument) << response.error().message;
        EXPECT_EQ(response.error().field, c.field) << response.error().message;
        EXPECT_FALSE(contains(response.error().message, "Injected")) << response.error().message;
    }
    EXPECT_EQ(server.acceptedConnections(), 0);
}

TEST(HttpClient, RejectsBadOptions) {
    HttpClientOptions negative;
    negative.max_idle_per_endpoint = -1;
    EXPECT_THROW((void)makeHttpClient(negative), ConfigError);
    HttpClientOptions zero_timeout;
    zero_timeout.idle_timeout_ms = 0;
    EXPECT_THROW((void)makeHttpClient(zero_timeout), ConfigError);
}

}  // namespace
}  // namespace relais::host
