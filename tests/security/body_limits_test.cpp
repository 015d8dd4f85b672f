// SPDX-License-Identifier: AGPL-3.0-or-later
// Oversized, deeply nested, truncated and compressed bodies against the real daemon's
// inbound routes: each refused with a 4xx problem, nothing stored, the daemon still serving.
//
// Already covered elsewhere, not repeated here:
// - tests/integration/daemon_test.cpp: RefusesAnOversizedBodyWith413 (a Content-Length body
//   over max-body sent whole), BadDossiersGetAProblemNamingTheField (JSON cut short);
// - tests/integration/pipeline_test.cpp: RefusesBadDossiersBeforeStoringAnything;
// - tests/core/http/server_test.cpp (the HTTP server alone): chunk framing errors, ambiguous
//   framing, 100-continue, slow clients, header floods, per-route limits.

#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/daemon.h"
#include "support/http_call.h"
#include "support/raw_http.h"
#include "support/temp_dir.h"

namespace relais::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kPortalKey = "limits-portal-key-0123456789";  // NOLINT(cert-err58-cpp)
const std::string kAdminKey = "limits-admin-key-0123456789";    // NOLINT(cert-err58-cpp)
const std::string kAppKey = "limits-app-key-0123456789";        // NOLINT(cert-err58-cpp)
constexpr std::size_t kMaxBody = 64 * 1024;
const std::string kInbound = "/v1/adapters/portail/inbound";  // NOLINT(cert-err58-cpp)

/// A dossier the json adapter accepts, with `extra` members appended to its object.
std::string dossier(const std::string& key, const std::string& extra = "") {
    return R"({"numero_dossier":")" + key + R"(","demandeur":{"nom":"Martin"})" + extra + "}";
}

/// `depth` nested arrays: `[[…[]…]]`.
std::string nestedArrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

class BodyLimitsTest : public ::testing::Test {
protected:
    void start(const std::string& limits = "<limits max-body=\"64KiB\"/>") {
        const std::string key = dir_.write("attributes.key", std::string(64, 'c') + "\n");
        ::chmod(key.c_str(), 0600);
        std::string base = baseConfigElements(dir_);
        base.replace(base.find("port=\"0\"/>"), 10, "port=\"0\">" + limits + "</server>");
        daemon_ = std::make_unique<Daemon>(
            dir_,
            wrapConfig(base +
                       "<adapters><adapter name=\"portail\" plugin=\"json\">"
                       "<param name=\"source-key\">numero_dossier</param>"
                       "<param name=\"procedure\">restauration-scolaire</param>"
                       "</adapter></adapters>\n"
                       "<connectors><inbox name=\"logiciel\"/></connectors>\n"
                       "<clients>\n" +
                       clientElement("portail", kPortalKey, "dossiers:submit") +
                       clientElement("exploitation", kAdminKey, "admin dossiers:read") +
                       clientElement("logiciel", kAppKey, "inbox:read attributes:write") +
                       "</clients>\n"
                       "<routes><route name=\"r\" procedure=\"restauration-scolaire\" "
                       "connector=\"logiciel\"/></routes>\n"
                       "<attributes current-key=\"k1\"><key id=\"k1\" file=\"" +
                       key + "\"/><attribute name=\"email\" validity=\"365d\"/></attributes>\n"));
    }
    HttpResult submit(const std::string& body,
                      const std::string& content_type = "application/json") {
        return httpCall(daemon_->port(), "POST", kInbound, {bearer(kPortalKey)}, body,
                        content_type);
    }
    std::string head(const std::string& framing) const {
        return "POST " + kInbound + " HTTP/1.1\r\nHost: relais\r\nAuthorization: Bearer " +
               kPortalKey + "\r\nContent-Type: application/json\r\n" + framing + "\r\n";
    }
    /// Jobs the store holds: one per stored dossier (one route).
    std::size_t storedDossiers() {
        const auto jobs = httpCall(daemon_->port(), "GET", "/v1/jobs", {bearer(kAdminKey)});
        EXPECT_EQ(jobs.status, 200) << jobs.body;
        return jobs.json().find("jobs") != nullptr ? jobs.json().find("jobs")->size() : 0;
    }
    void expectStillServing() {
        EXPECT_EQ(httpCall(daemon_->port(), "GET", "/healthz").status, 200);
        EXPECT_EQ(submit(dossier("RS-AFTER")).status, 202);
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
};

void expectProblem(const RawResponse& response, int status) {
    EXPECT_EQ(response.status, status) << response.head << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/problem+json") << response.head;
}

TEST_F(BodyLimitsTest, ABodyOfExactlyTheLimitIsAcceptedAndOneByteMoreRefused) {
    start();
    const std::string base = dossier("RS-EDGE");
    const std::string padding = R"(,"p":")";
    std::string exact = dossier(
        "RS-EDGE", padding + std::string(kMaxBody - base.size() - padding.size() - 1, 'x') + "\"");
    ASSERT_EQ(exact.size(), kMaxBody);
    EXPECT_EQ(submit(exact).status, 202);
    exact.insert(exact.size() - 2, "x");
    const auto over = submit(exact);
    EXPECT_EQ(over.status, 413) << over.body;
    EXPECT_EQ(storedDossiers(), 1U);
}

TEST_F(BodyLimitsTest, AHugeContentLengthIsRefusedBeforeTheBodyIsSent) {
    start();
    RawConnection connection(daemon_->port());
    connection.send(head("Content-Length: 10000000000\r\n"));
    const auto started = Clock::now();
    const auto response = connection.readResponse(10s);
    EXPECT_LT(Clock::now() - started, 10s);
    expectProblem(response, 413);
    EXPECT_TRUE(response.connection_closed);
    EXPECT_EQ(storedDossiers(), 0U);
    expectStillServing();
}

TEST_F(BodyLimitsTest, AChunkedBodyGrowingPastTheLimitIsRefused) {
    start();
    // Every chunk is small and well-formed; only their sum is too large.
    std::string request = head("Transfer-Encoding: chunked\r\n");
    const std::string chunk = std::string(1000, ' ');
    request += "1\r\n{\r\n";
    for (std::size_t sent = 0; sent <= kMaxBody; sent += chunk.size()) {
        request += "3e8\r\n" + chunk + "\r\n";
    }
    request += "1\r\n}\r\n0\r\n\r\n";
    const auto response = rawExchange(daemon_->port(), request, 10s);
    expectProblem(response, 413);
    EXPECT_EQ(storedDossiers(), 0U);
    expectStillServing();
}

TEST_F(BodyLimitsTest, TruncatedBodiesAreRefusedAndNothingIsStored) {
    start();
    const std::string body = dossier("RS-TRUNCATED");
    {
        // Content-Length promises more than arrives before the client stops sending.
        RawConnection connection(daemon_->port());
        connection.send(head("Content-Length: " + std::to_string(body.size() + 100) + "\r\n") +
                        body);
        connection.shutdownSend();
        expectProblem(connection.readResponse(10s), 400);
    }
    {
        // A chunked body whose last chunk and terminator never come.
        RawConnection connection(daemon_->port());
        connection.send(head("Transfer-Encoding: chunked\r\n") + "400\r\n" + body);
        connection.shutdownSend();
        const auto response = connection.readResponse(10s);
        expectProblem(response, 400);
        EXPECT_TRUE(response.connection_closed);
    }
    {
        // The connection dropped mid-body without an answer possible: nothing half-stored.
        RawConnection connection(daemon_->port());
        connection.send(head("Content-Length: " + std::to_string(body.size()) + "\r\n") +
                        body.substr(0, body.size() / 2));
    }
    EXPECT_EQ(storedDossiers(), 0U);
    expectStillServing();
}

TEST_F(BodyLimitsTest, NestingIsAcceptedUpToTheLimitAndRefusedBeyond) {
    start();
    // The dossier object is level 1: 63 arrays inside it make 64, the default limit.
    EXPECT_EQ(submit(dossier("RS-DEEP-64", ",\"d\":" + nestedArrays(63))).status, 202);
    const auto deeper = submit(dossier("RS-DEEP-65", ",\"d\":" + nestedArrays(64)));
    EXPECT_EQ(deeper.status, 400) << deeper.body;
    EXPECT_NE(deeper.body.find("nesting"), std::string::npos) << deeper.body;
    EXPECT_EQ(storedDossiers(), 1U);
}

TEST_F(BodyLimitsTest, TheConfiguredNestingLimitApplies) {
    start("<limits max-body=\"64KiB\" max-json-depth=\"8\"/>");
    EXPECT_EQ(submit(dossier("RS-DEEP-8", ",\"d\":" + nestedArrays(7))).status, 202);
    const auto deeper = submit(dossier("RS-DEEP-9", ",\"d\":" + nestedArrays(8)));
    EXPECT_EQ(deeper.status, 400) << deeper.body;
    EXPECT_NE(deeper.body.find("max-json-depth"), std::string::npos) << deeper.body;
    EXPECT_EQ(storedDossiers(), 1U);
}

TEST_F(BodyLimitsTest, DeepNestingCannotExhaustTheStackOfAnyJsonRoute) {
    start();
    // Within max-body, deep enough to overflow a recursive parser without a depth limit.
    const std::string arrays = nestedArrays(30'000);
    std::string objects;
    for (int i = 0; i < 10'000; ++i) objects += "{\"a\":";
    objects += "0" + std::string(10'000, '}');
    for (const std::string* body : {&arrays, static_cast<const std::string*>(&objects)}) {
        const auto inbound = submit(*body);
        EXPECT_EQ(inbound.status, 400) << inbound.body.substr(0, 300);
        EXPECT_EQ(inbound.content_type, "application/problem+json");
        const auto ack =
            httpCall(daemon_->port(), "POST", "/v1/inbox/logiciel/ack", {bearer(kAppKey)}, *body);
        EXPECT_EQ(ack.status, 400) << ack.body.substr(0, 300);
        const auto subject =
            httpCall(daemon_->port(), "POST", "/v1/subjects", {bearer(kAppKey)}, *body);
        EXPECT_EQ(subject.status, 400) << subject.body.substr(0, 300);
    }
    EXPECT_EQ(storedDossiers(), 0U);
    expectStillServing();
}

TEST_F(BodyLimitsTest, CompressedBodiesAreNotInflated) {
    start();
    // A gzip "bomb" header on a small body: relais never decompresses request bodies, so the
    // bytes are judged as they are (not JSON) instead of growing past every limit.
    const std::string gzip_magic("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
    const auto response =
        rawExchange(daemon_->port(), head("Content-Encoding: gzip\r\nContent-Length: " +
                                          std::to_string(gzip_magic.size() + 4) + "\r\n") +
                                         gzip_magic + "abcd");
    EXPECT_GE(response.status, 400) << response.head;
    EXPECT_LT(response.status, 500) << response.head;
    EXPECT_EQ(storedDossiers(), 0U);
}

}  // namespace
}  // namespace relais::test
