// SPDX-License-Identifier: AGPL-3.0-or-later
// The real `relais serve` under the connections a hostile or broken client opens: thousands
// of idle ones, slow request heads, too many from one address, stalled TLS handshakes. The
// sockets are driven by poll(2) from one thread, not a thread each.

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relais/common/strings.h"
#include "relais/sdk/json.h"

#include "support/daemon.h"
#include "support/http_call.h"
#include "support/mock_http_server.h"
#include "support/raw_http.h"
#include "support/temp_dir.h"
#include "support/test_pki.h"
#include "support/wait.h"

namespace relais::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const std::string kPortalKey = "portal-key-0123456789abcdef";
const std::string kAdminKey = "admin-key-0123456789abcdef0";
constexpr std::string_view kHealthz = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
/// How long a `/healthz` on an open connection may take (median of `kProbes`).
constexpr double kPromptMillis = 100;
constexpr int kProbes = 5;

double millisSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
    if (values.empty()) return std::numeric_limits<double>::infinity();
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

/// A TCP socket the test owns. Closed abortively (RST), so that thousands of them leave no
/// TIME_WAIT behind for the next test.
class Socket {
public:
    explicit Socket(int fd) : fd_(fd) {}
    Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Socket& operator=(Socket&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() {
        if (fd_ < 0) return;
        const linger abort{1, 0};
        (void)::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
        ::close(fd_);
    }
    int fd() const noexcept { return fd_; }

private:
    int fd_;
};

/// Starts a non-blocking connection to 127.0.0.1:`port` from `source` (any address of the
/// loopback network: the daemon sees it as another client).
Socket startConnect(int port, const std::string& source) {
    Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket.fd() < 0) throw std::runtime_error("socket: " + std::to_string(errno));
    // The port is picked at connect, per destination: 10,000 binds do not exhaust the range.
    const int one = 1;
    (void)::setsockopt(socket.fd(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    if (::bind(socket.fd(), reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0) {
        throw std::runtime_error("bind " + source + ": " + std::to_string(errno));
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0 &&
        errno != EINPROGRESS) {
        throw std::runtime_error("connect: " + std::to_string(errno));
    }
    return socket;
}

/// Opens `count` connections, `batch` at a time (so that the listen backlog never has to
/// hold more), the i-th from `source(i)`; returns them once established. A connection that
/// fails or is not established by `deadline` fails the test.
std::vector<Socket> openConnections(int port, std::size_t count,
                                    const std::function<std::string(std::size_t)>& source,
                                    Clock::time_point deadline, std::size_t batch = 1000) {
    std::vector<Socket> sockets;
    sockets.reserve(count);
    std::size_t failed = 0;
    while (sockets.size() < count && failed == 0) {
        const std::size_t first = sockets.size();
        for (std::size_t i = first; i < std::min(count, first + batch); ++i) {
            sockets.push_back(startConnect(port, source(i)));
        }
        std::vector<pollfd> pending;
        for (std::size_t i = first; i < sockets.size(); ++i) {
            pending.push_back({sockets[i].fd(), POLLOUT, 0});
        }
        while (!pending.empty() && Clock::now() < deadline) {
            if (::poll(pending.data(), pending.size(), 100) < 0 && errno != EINTR) break;
            std::vector<pollfd> still;
            for (const pollfd& one : pending) {
                if (one.revents == 0) {
                    still.push_back({one.fd, POLLOUT, 0});
                    continue;
                }
                int error = 0;
                socklen_t size = sizeof error;
                ::getsockopt(one.fd, SOL_SOCKET, SO_ERROR, &error, &size);
                if (error != 0 || (one.revents & POLLOUT) == 0) ++failed;
            }
            pending = std::move(still);
        }
        failed += pending.size();
    }
    EXPECT_EQ(failed, 0U) << "connections not established (of " << sockets.size() << ")";
    return sockets;
}

std::function<std::string(std::size_t)> from(const std::string& address) {
    return [address](std::size_t) { return address; };
}

void sendAll(int fd, std::string_view data) {
    // Small writes on a fresh connection fit in the socket buffer at once.
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    EXPECT_EQ(sent, static_cast<ssize_t>(data.size())) << "send failed: errno " << errno;
}

enum class End { Open, Eof, Reset };

/// Appends what `fd` has to read to `into` without blocking; says whether the peer ended the
/// connection.
End readAvailable(int fd, std::string& into) {
    std::array<char, 16384> chunk{};
    for (;;) {
        const ssize_t n = ::recv(fd, chunk.data(), chunk.size(), 0);
        if (n > 0) {
            into.append(chunk.data(), static_cast<std::size_t>(n));
        } else if (n == 0) {
            return End::Eof;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return End::Open;
        } else if (errno != EINTR) {
            return End::Reset;
        }
    }
}

/// One response from the front of `buffer` once its head and its Content-Length body have
/// arrived (removed from `buffer`).
std::optional<RawResponse> takeResponse(std::string& buffer) {
    const auto head_end = buffer.find("\r\n\r\n");
    if (head_end == std::string::npos) return std::nullopt;
    RawResponse response;
    response.head = buffer.substr(0, head_end);
    const std::string length = response.header("Content-Length");
    const std::size_t body_size = length.empty() ? 0 : std::stoul(length);
    if (buffer.size() < head_end + 4 + body_size) return std::nullopt;
    response.body = buffer.substr(head_end + 4, body_size);
    buffer.erase(0, head_end + 4 + body_size);
    if (response.head.compare(0, 5, "HTTP/") == 0 && response.head.size() >= 12) {
        response.status = std::stoi(response.head.substr(9, 3));
    }
    return response;
}

/// What happened on one connection of `exchangeAll`.
struct Exchange {
    std::string received;  ///< what came after the response (or all of it, until complete)
    std::optional<RawResponse> response;
    End end = End::Open;  ///< how the server left the connection
};

/// Reads each socket's response into `exchanges` (one per socket, continued where a
/// previous call left it); with `until_closed`, also waits for the server to end each
/// connection. Stops at `deadline`.
void readResponses(const std::vector<Socket>& sockets, std::vector<Exchange>& exchanges,
                   bool until_closed, Clock::time_point deadline) {
    const auto done = [until_closed](const Exchange& exchange) {
        return exchange.end != End::Open || (exchange.response.has_value() && !until_closed);
    };
    for (;;) {
        std::vector<pollfd> fds;
        std::vector<Exchange*> active;
        for (std::size_t i = 0; i < sockets.size(); ++i) {
            if (done(exchanges[i])) continue;
            fds.push_back({sockets[i].fd(), POLLIN, 0});
            active.push_back(&exchanges[i]);
        }
        if (active.empty() || Clock::now() >= deadline) return;
        if (::poll(fds.data(), fds.size(), 100) < 0 && errno != EINTR) return;
        for (std::size_t k = 0; k < active.size(); ++k) {
            if (fds[k].revents == 0) continue;
            active[k]->end = readAvailable(fds[k].fd, active[k]->received);
            if (!active[k]->response) active[k]->response = takeResponse(active[k]->received);
        }
    }
}

/// Sends `request` on every socket, then `readResponses`.
std::vector<Exchange> exchangeAll(const std::vector<Socket>& sockets, std::string_view request,
                                  bool until_closed, Clock::time_point deadline) {
    std::vector<Exchange> exchanges(sockets.size());
    for (const Socket& socket : sockets) sendAll(socket.fd(), request);
    readResponses(sockets, exchanges, until_closed, deadline);
    return exchanges;
}

/// The `status` member of a problem document; 0 when `body` is not one.
int problemStatus(const std::string& body) {
    const auto parsed = sdk::Json::parse(body);
    const sdk::Json* status = parsed ? parsed.value().find("status") : nullptr;
    return status != nullptr && status->isNumber() ? static_cast<int>(status->asInt()) : 0;
}

std::size_t countStatus(const std::vector<Exchange>& exchanges, int status) {
    return static_cast<std::size_t>(
        std::count_if(exchanges.begin(), exchanges.end(), [status](const Exchange& exchange) {
            return exchange.response && exchange.response->status == status;
        }));
}

/// A connection left to the server's deadlines, and when the server ended it.
struct Held {
    Socket socket;
    Clock::time_point opened;
    std::optional<Clock::duration> ended_after;  ///< from `opened`
};

/// Reads (and drops) what each connection receives until the server ends every one (EOF or
/// reset) or `deadline` passes; runs `tick` about every 50 ms.
void watchUntilEnded(std::vector<Held>& held, Clock::time_point deadline,
                     const std::function<void()>& tick = {}) {
    std::string ignored;
    for (;;) {
        std::vector<pollfd> fds;
        std::vector<Held*> open;
        for (Held& one : held) {
            if (one.ended_after) continue;
            fds.push_back({one.socket.fd(), POLLIN, 0});
            open.push_back(&one);
        }
        if (open.empty() || Clock::now() >= deadline) return;
        if (tick) tick();
        if (::poll(fds.data(), fds.size(), 50) < 0 && errno != EINTR) return;
        for (std::size_t k = 0; k < fds.size(); ++k) {
            ignored.clear();
            if (fds[k].revents != 0 && readAvailable(fds[k].fd, ignored) != End::Open) {
                open[k]->ended_after = Clock::now() - open[k]->opened;
            }
        }
    }
}

/// Checks that the server ended every connection of `held`, none sooner than `not_before`
/// after it opened (a deadline cut, not a refusal).
void expectAllEndedAfter(const std::vector<Held>& held, Clock::duration not_before,
                         const std::string& what) {
    std::size_t still_open = 0;
    std::size_t too_soon = 0;
    for (const Held& one : held) {
        if (!one.ended_after) {
            ++still_open;
        } else if (*one.ended_after < not_before) {
            ++too_soon;
        }
    }
    EXPECT_EQ(still_open, 0U) << what << " still open past the deadline and its margin";
    EXPECT_EQ(too_soon, 0U) << what << " ended before the deadline";
}

/// Milliseconds `GET /healthz` takes on a connection already established (the connect is
/// not counted: a loaded test machine can delay it); infinity without a 200 within 2 s.
double healthzMillis(int port) {
    try {
        RawConnection connection(port);
        const auto start = Clock::now();
        connection.send(kHealthz);
        const RawResponse response = connection.readResponse(2s);
        const double elapsed = millisSince(start);
        EXPECT_EQ(response.status, 200) << response.head;
        return response.status == 200 ? elapsed : std::numeric_limits<double>::infinity();
    } catch (const Poco::Exception& error) {
        ADD_FAILURE() << "/healthz: " << error.displayText();
        return std::numeric_limits<double>::infinity();
    }
}

/// The median of `kProbes` `healthzMillis` in a row.
double medianHealthzMillis(int port) {
    std::vector<double> times;
    for (int i = 0; i < kProbes; ++i) times.push_back(healthzMillis(port));
    return median(times);
}

/// Raises this process's soft limit on open files to its hard limit; fails the test
/// (returning false) when the hard limit is below `needed`.
bool raiseFileLimit(rlim_t needed) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) {
        ADD_FAILURE() << "the hard limit on open files is " << limit.rlim_max
                      << "; this test needs at least " << needed
                      << " (raise it: ulimit -Hn, LimitNOFILE=, docker --ulimit nofile=)";
        return false;
    }
    limit.rlim_cur = limit.rlim_max;
    return ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

/// How many files the process `pid` has open (its /proc/<pid>/fd entries).
/// The sockets `pid` holds. Sockets, not every descriptor: the daemon opens and closes files
/// of its own (store, logs) while the test counts.
std::size_t openSockets(pid_t pid) {
    std::error_code error;
    std::size_t count = 0;
    for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", error);
         !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
        std::error_code unreadable;
        const auto target = std::filesystem::read_symlink(it->path(), unreadable);
        if (!unreadable && target.native().rfind("socket:", 0) == 0) ++count;
    }
    return count;
}

// ---- TLS ----

using SslContext = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using SslConnection = std::unique_ptr<SSL, decltype(&SSL_free)>;

/// A TLS client context that trusts `ca` only.
SslContext clientContext(const std::string& ca) {
    SslContext context(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    EXPECT_EQ(SSL_CTX_load_verify_locations(context.get(), ca.c_str(), nullptr), 1);
    return context;
}

/// The first half of the ClientHello a client of `context` sends.
std::string halfAClientHello(SSL_CTX* context) {
    SslConnection ssl(SSL_new(context), &SSL_free);
    BIO* const written = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl.get(), BIO_new(BIO_s_mem()), written);  // ssl owns both
    (void)SSL_connect(ssl.get());                           // wants to read the ServerHello
    char* data = nullptr;
    const long size = BIO_get_mem_data(written, &data);
    EXPECT_GT(size, 100) << "no ClientHello";
    return std::string(data, static_cast<std::size_t>(std::max(size, 0L) / 2));
}

/// One HTTPS `GET /healthz` driven without blocking: handshake, request, response.
struct TlsExchange {
    SslConnection ssl{nullptr, &SSL_free};
    std::size_t sent = 0;
    std::string received;
    std::optional<RawResponse> response;
    bool failed = false;

    /// Advances as far as it can; the poll events it waits for, 0 when finished.
    short step() {
        for (;;) {
            int result = 0;
            if (SSL_is_init_finished(ssl.get()) == 0) {
                result = SSL_connect(ssl.get());
            } else if (sent < kHealthz.size()) {
                result = SSL_write(ssl.get(), kHealthz.data() + sent,
                                   static_cast<int>(kHealthz.size() - sent));
                if (result > 0) sent += static_cast<std::size_t>(result);
            } else {
                std::array<char, 4096> chunk{};
                result = SSL_read(ssl.get(), chunk.data(), static_cast<int>(chunk.size()));
                if (result > 0) {
                    received.append(chunk.data(), static_cast<std::size_t>(result));
                    response = takeResponse(received);
                    if (response) return 0;
                }
            }
            if (result > 0) continue;
            const int error = SSL_get_error(ssl.get(), result);
            if (error == SSL_ERROR_WANT_READ) return POLLIN;
            if (error == SSL_ERROR_WANT_WRITE) return POLLOUT;
            failed = true;
            return 0;
        }
    }
};

/// `GET /healthz` over TLS on every socket at once (full handshakes, concurrently); the
/// statuses, 0 where no response came by `deadline`.
std::vector<int> concurrentHttpsHealthz(const std::vector<Socket>& sockets, SSL_CTX* context,
                                        Clock::time_point deadline) {
    std::vector<TlsExchange> exchanges(sockets.size());
    std::vector<short> wanted(sockets.size(), POLLOUT);
    for (std::size_t i = 0; i < sockets.size(); ++i) {
        exchanges[i].ssl.reset(SSL_new(context));
        SSL_set_fd(exchanges[i].ssl.get(), sockets[i].fd());
    }
    for (;;) {
        std::vector<pollfd> fds;
        std::vector<std::size_t> active;
        for (std::size_t i = 0; i < sockets.size(); ++i) {
            if (wanted[i] == 0) continue;
            fds.push_back({sockets[i].fd(), wanted[i], 0});
            active.push_back(i);
        }
        if (active.empty() || Clock::now() >= deadline) break;
        if (::poll(fds.data(), fds.size(), 100) < 0 && errno != EINTR) break;
        for (std::size_t k = 0; k < active.size(); ++k) {
            if (fds[k].revents != 0) wanted[active[k]] = exchanges[active[k]].step();
        }
    }
    std::vector<int> statuses;
    for (const TlsExchange& exchange : exchanges) {
        statuses.push_back(exchange.response ? exchange.response->status : 0);
    }
    return statuses;
}

/// Milliseconds a new HTTPS connection takes to get `/healthz` (handshake included) from
/// a Poco client trusting `ca`; infinity without a 200 within 3 s.
double httpsHealthzMillis(int port, const Poco::Net::Context::Ptr& context) {
    try {
        const auto start = Clock::now();
        Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port),
                                              context);
        session.setTimeout(Poco::Timespan(3, 0));
        Poco::Net::HTTPRequest request("GET", "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
        Poco::Net::HTTPResponse response;
        session.sendRequest(request);
        // The whole body read: the answer is complete.
        session.receiveResponse(response).ignore(std::numeric_limits<std::streamsize>::max());
        const double elapsed = millisSince(start);
        EXPECT_EQ(response.getStatus(), Poco::Net::HTTPResponse::HTTP_OK);
        return response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK
                   ? elapsed
                   : std::numeric_limits<double>::infinity();
    } catch (const Poco::Exception& error) {
        ADD_FAILURE() << "HTTPS /healthz: " << error.displayText();
        return std::numeric_limits<double>::infinity();
    }
}

/// A config whose portal `portail` takes the benchmark dossier, with `server` inside
/// `<server>` (limits, TLS). With `app`, the dossier goes to it in sync mode (the request
/// waits for the application); else to a drop folder.
std::string connectionsConfig(const TempDir& dir, const std::string& server,
                              const MockHttpServer* app = nullptr) {
    std::string base = baseConfigElements(dir);
    const std::string empty_server = "port=\"0\"/>";
    base.replace(base.find(empty_server), empty_server.size(),
                 "port=\"0\">" + server + "</server>");
    const std::string connector =
        app == nullptr
            ? "<connector name=\"sortie\" plugin=\"filedrop\"><param name=\"directory\">" +
                  dir.file("outbox") + "</param></connector>"
            : "<connector name=\"sortie\" plugin=\"rest\"><param name=\"url\">" + app->url("/api") +
                  "</param><param name=\"timeout\">20s</param></connector>";
    const std::string mode = app == nullptr ? ""
                                            : " mode=\"sync\" mapping=\"" RELAIS_SOURCE_DIR
                                              "/mappings/examples/cantine-backoffice.xml\"";
    return wrapConfig(
        base +
        "<adapters><adapter name=\"portail\" plugin=\"json\"><param "
        "name=\"source-key\">numero_dossier</param><param "
        "name=\"procedure\">restauration-scolaire</param></adapter></adapters>\n<connectors>" +
        connector + "</connectors>\n<clients>\n" +
        clientElement("portail", kPortalKey, "dossiers:submit dossiers:read") +
        clientElement("exploitation", kAdminKey, "admin") +
        "</clients>\n<routes><route name=\"r\" procedure=\"restauration-scolaire\" "
        "connector=\"sortie\"" +
        mode + "/></routes>\n");
}

/// The benchmark dossier under the portal's number `number`.
std::string dossier(const std::string& number) {
    std::string body = readSourceFile("tests/fixtures/bench/dossier.json");
    body.replace(body.find("RS-2026-004217"), 14, number);
    return body;
}

/// The portal's POST of the dossier numbered `number`, as raw HTTP.
std::string submission(const std::string& number) {
    const std::string body = dossier(number);
    return "POST /v1/adapters/portail/inbound HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
           kPortalKey +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

/// A business application that holds every request until `release` (or its own end), then
/// answers 201 with an id.
class HoldingApplication {
public:
    HoldingApplication()
        : released_(promise_.get_future().share()),
          server_([released = released_](const ReceivedRequest&) {
              (void)released.wait_for(20s);
              return MockResponse{201, "application/json", "{\"id\":\"BO-1\"}", {}};
          }) {}
    ~HoldingApplication() { release(); }  // before `server_` waits for its handlers
    HoldingApplication(const HoldingApplication&) = delete;
    HoldingApplication& operator=(const HoldingApplication&) = delete;

    void release() {
        if (!std::exchange(release_done_, true)) promise_.set_value();
    }
    MockHttpServer& server() { return server_; }

private:
    std::promise<void> promise_;
    std::shared_future<void> released_;
    bool release_done_ = false;
    MockHttpServer server_;
};

class ConnectionsTest : public ::testing::Test {
protected:
    void start(const std::string& server, const MockHttpServer* app = nullptr) {
        daemon_ = std::make_unique<Daemon>(dir_, connectionsConfig(dir_, server, app));
    }
    int port() const { return daemon_->port(); }
    /// Submits the benchmark dossier numbered `number` as the portal does; the status, or 0
    /// when the connection failed.
    int submitDossier(const std::string& number) {
        try {
            const HttpResult result = httpCall(port(), "POST", "/v1/adapters/portail/inbound",
                                               {bearer(kPortalKey)}, dossier(number));
            EXPECT_EQ(result.status, 202) << result.body;
            return result.status;
        } catch (const Poco::Exception& error) {
            ADD_FAILURE() << "submitting a dossier: " << error.displayText();
            return 0;
        }
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
};

/// What a client measures while the test holds other connections open.
struct Probe {
    double healthz_median_ms = std::numeric_limits<double>::infinity();
    int dossier_status = 0;
};

TEST_F(ConnectionsTest, TenThousandIdleConnectionsLeaveHealthzPromptAndDossiersAccepted) {
    constexpr std::size_t kIdle = 10'000;
    constexpr std::size_t kPerAddress = 400;  // under the default per-address limit (512)
    // The idle connections send nothing: neither deadline may cut them during the test.
    start("<limits max-connections=\"12000\" header-timeout=\"60s\" keep-alive-timeout=\"60s\"/>");
    // Raised after the daemon started: it must raise its own limit (it does not inherit this).
    ASSERT_TRUE(raiseFileLimit(kIdle + 1000));

    const auto idle = openConnections(
        port(), kIdle,
        [](std::size_t i) { return "127.0.0." + std::to_string(2 + i / kPerAddress); },
        Clock::now() + 30s);
    ASSERT_EQ(idle.size(), kIdle);
    EXPECT_TRUE(waitUntil(
        "the daemon holding the 10,000 idle connections",
        [&] { return openSockets(daemon_->pid()) >= kIdle; }, 20s))
        << "the daemon holds " << openSockets(daemon_->pid()) << " sockets";

    EXPECT_LT(medianHealthzMillis(port()), kPromptMillis);
    EXPECT_EQ(submitDossier("RS-IDLE-1"), 202);
    // None of the idle connections was dropped to make room.
    EXPECT_GE(openSockets(daemon_->pid()), kIdle);
    std::vector<pollfd> fds;
    for (const Socket& socket : idle) fds.push_back({socket.fd(), POLLIN, 0});
    EXPECT_EQ(::poll(fds.data(), fds.size(), 0), 0) << "idle connections ended by the server";
}

TEST_F(ConnectionsTest, SlowHeaderClientsAreCutAtTheHeaderDeadlineWithoutDelayingOthers) {
    constexpr std::size_t kSlow = 500;
    start("<limits header-timeout=\"3s\"/>");
    const auto opened = Clock::now();
    std::vector<Held> slow;
    for (Socket& socket : openConnections(port(), kSlow, from("127.0.0.2"), opened + 10s)) {
        sendAll(socket.fd(), "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ");
        slow.push_back({std::move(socket), opened, std::nullopt});
    }
    ASSERT_EQ(slow.size(), kSlow);

    Probe probe;
    std::thread prober([&] {
        probe.healthz_median_ms = medianHealthzMillis(port());
        probe.dossier_status = submitDossier("RS-SLOW-1");
    });
    // One more header byte a second to every connection still open.
    auto next_byte = opened + 1s;
    watchUntilEnded(slow, opened + 8s, [&] {
        if (Clock::now() < next_byte) return;
        next_byte += 1s;
        for (const Held& one : slow) {
            if (!one.ended_after) (void)::send(one.socket.fd(), "a", 1, MSG_NOSIGNAL);
        }
    });
    prober.join();

    expectAllEndedAfter(slow, 2500ms, "slow clients (header deadline 3 s)");
    EXPECT_LT(probe.healthz_median_ms, kPromptMillis);
    EXPECT_EQ(probe.dossier_status, 202);
}

TEST_F(ConnectionsTest, ConnectionsPastThePerAddressLimitGetA503AndAreClosedCleanly) {
    constexpr std::size_t kLimit = 100;
    constexpr std::size_t kClients = 1000;
    start("<limits max-connections-per-address=\"100\"/>");
    const auto deadline = Clock::now() + 20s;

    // The first hundred are served and kept alive.
    const auto kept = openConnections(port(), kLimit, from("127.0.0.1"), deadline);
    ASSERT_EQ(kept.size(), kLimit);
    const auto served = exchangeAll(kept, kHealthz, false, deadline);
    std::size_t kept_alive = 0;
    for (const Exchange& exchange : served) {
        if (exchange.response && exchange.response->status == 200 && exchange.end == End::Open &&
            exchange.response->header("Connection") != "close") {
            ++kept_alive;
        }
    }
    ASSERT_EQ(kept_alive, kLimit) << "of the connections within the limit";

    // Every other one gets an answer saying why, then an orderly close.
    const auto refused = openConnections(port(), kClients - kLimit, from("127.0.0.1"), deadline);
    std::size_t answered = 0;
    std::size_t reset = 0;
    std::size_t silent = 0;
    for (const Exchange& exchange : exchangeAll(refused, kHealthz, true, deadline)) {
        if (exchange.end == End::Reset) ++reset;
        if (!exchange.response) {
            ++silent;
            continue;
        }
        const RawResponse& response = *exchange.response;
        const bool clean = response.status == 503 && !response.header("Retry-After").empty() &&
                           common::equalsIgnoreCase(response.header("Connection"), "close") &&
                           response.header("Content-Type") == "application/problem+json" &&
                           problemStatus(response.body) == 503 && exchange.end == End::Eof;
        if (clean) {
            ++answered;
        } else if (answered + reset + silent == 0) {
            ADD_FAILURE() << "first unclean refusal: " << response.head << "\r\n\r\n"
                          << response.body;
        }
    }
    EXPECT_EQ(answered, kClients - kLimit) << reset << " reset, " << silent << " without answer";

    // Another address is not concerned; the first hundred are still served.
    const auto other = openConnections(port(), 1, from("127.0.0.2"), deadline);
    EXPECT_EQ(countStatus(exchangeAll(other, kHealthz, false, deadline), 200), 1U);
    EXPECT_EQ(countStatus(exchangeAll(kept, kHealthz, false, deadline), 200), kLimit);
}

TEST_F(ConnectionsTest, StalledTlsHandshakesAreCutAtTheHeaderDeadlineWhileOthersAreServed) {
    constexpr std::size_t kStalled = 300;
    constexpr std::size_t kFull = 100;
    Poco::Net::initializeSSL();
    TestPki pki;
    // A connection that sends nothing waits under the keep-alive deadline or the header
    // one, as the server sees it: both are 2 s here.
    start("<tls certificate=\"" + pki.server_cert + "\" key=\"" + pki.server_key +
          "\"/><limits header-timeout=\"2s\" keep-alive-timeout=\"2s\"/>");
    const SslContext context = clientContext(pki.ca_cert);
    const std::string half_hello = halfAClientHello(context.get());

    // Half of them send nothing, the other half half a ClientHello.
    const auto opened = Clock::now();
    std::vector<Held> stalled;
    for (Socket& socket : openConnections(port(), kStalled, from("127.0.0.3"), opened + 10s)) {
        if (stalled.size() % 2 == 1) sendAll(socket.fd(), half_hello);
        stalled.push_back({std::move(socket), opened, std::nullopt});
    }
    ASSERT_EQ(stalled.size(), kStalled);

    std::vector<int> full_statuses;
    std::thread full_handshakes([&] {
        const auto full = openConnections(port(), kFull, from("127.0.0.4"), opened + 10s);
        full_statuses = concurrentHttpsHealthz(full, context.get(), opened + 10s);
    });
    double https_median_ms = std::numeric_limits<double>::infinity();
    std::thread prober([&] {
        Poco::Net::Context::Params params;
        params.caLocation = pki.ca_cert;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
        params.loadDefaultCAs = false;
        const Poco::Net::Context::Ptr poco_context =
            new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        std::vector<double> times;
        for (int i = 0; i < kProbes; ++i) times.push_back(httpsHealthzMillis(port(), poco_context));
        https_median_ms = median(times);
    });
    watchUntilEnded(stalled, opened + 6s);
    full_handshakes.join();
    prober.join();

    expectAllEndedAfter(stalled, 1500ms, "stalled TLS handshakes (deadline 2 s)");
    EXPECT_EQ(std::count(full_statuses.begin(), full_statuses.end(), 200),
              static_cast<std::ptrdiff_t>(kFull));
    // A handshake costs the server a fraction of a millisecond of crypto (OpenSSL is not
    // instrumented under the sanitizers); the rest is the wait behind other connections.
    EXPECT_LT(https_median_ms, 2 * kPromptMillis);
}

TEST_F(ConnectionsTest, BusyWorkersAndAFullQueueAnswer503WhileHealthAndReadinessAreAnswered) {
    // Each submission on the sync route holds its worker while the application holds it.
    HoldingApplication app;
    start("<limits max-threads=\"2\" max-queued=\"2\"/>", &app.server());
    const auto deadline = Clock::now() + 20s;

    // Two submissions take the two workers...
    const auto held = openConnections(port(), 2, from("127.0.0.1"), deadline);
    for (std::size_t i = 0; i < held.size(); ++i) {
        sendAll(held[i].fd(), submission("RS-HELD-" + std::to_string(i)));
    }
    ASSERT_TRUE(app.server().waitForCount(2, 15s)) << "the workers never called the application";
    // ...two of the next six wait in the queue, the other four find it full.
    const auto more = openConnections(port(), 6, from("127.0.0.1"), deadline);
    for (std::size_t i = 0; i < more.size(); ++i) {
        sendAll(more[i].fd(), submission("RS-MORE-" + std::to_string(i)));
    }
    std::vector<Exchange> more_answers(more.size());
    readResponses(more, more_answers, false, Clock::now() + 3s);
    EXPECT_EQ(countStatus(more_answers, 503), 4U);
    for (const Exchange& answer : more_answers) {
        if (!answer.response) continue;
        EXPECT_EQ(answer.response->status, 503) << answer.response->head;
        EXPECT_FALSE(answer.response->header("Retry-After").empty()) << answer.response->head;
    }
    EXPECT_EQ(app.server().count(), 2U);

    // Health and readiness are answered even so.
    EXPECT_LT(medianHealthzMillis(port()), kPromptMillis);
    try {
        const auto ready = httpCall(port(), "GET", "/readyz", {bearer(kAdminKey)});
        EXPECT_EQ(ready.status, 200) << ready.body;
    } catch (const Poco::Exception& error) {
        ADD_FAILURE() << "/readyz: " << error.displayText();
    }

    // Released, the held and the queued submissions are delivered.
    app.release();
    std::vector<Exchange> held_answers(held.size());
    readResponses(held, held_answers, false, Clock::now() + 15s);
    EXPECT_EQ(countStatus(held_answers, 201), 2U);
    readResponses(more, more_answers, false, Clock::now() + 15s);
    EXPECT_EQ(countStatus(more_answers, 201), 2U);
}

}  // namespace
}  // namespace relais::test
