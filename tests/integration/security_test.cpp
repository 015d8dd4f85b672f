// SPDX-License-Identifier: AGPL-3.0-or-later
// Who gets in, over the real `relais serve`: Publik query signatures and HMAC body
// signatures computed at run time by the openssl CLI (an implementation independent of
// relais's), nonces remembered in the store, rates, and the rights matrix: every route
// refuses a client without its right with a 403 problem and an audit entry, which the data
// protection officer reads back from `GET /v1/audit`.

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "relais/common/crypto.h"

#include "support/daemon.h"
#include "support/http_call.h"
#include "support/temp_dir.h"

namespace relais::test {
namespace {

const std::string kPublikSecret = "publik-secret-4e2b9c71d0a3f658";
const std::string kHmacSecret = "hmac-secret-9a41c7e2b05d3f86a1";
const std::string kReaderKey = "reader-key-0123456789abcdef";
const std::string kNobodyKey = "nobody-key-0123456789abcdef";
const std::string kAdminKey = "admin-key-0123456789abcdef0";
const std::string kDpoKey = "dpo-key-0123456789abcdef012";
const std::string kLimitedKey = "limited-key-0123456789abcdef";
const std::string kOtherKey = "other-key-0123456789abcdef01";

std::string config(const TempDir& dir) {
    const std::string publik = dir.write("secrets/publik", kPublikSecret + "\n");
    const std::string hmac = dir.write("secrets/hmac", kHmacSecret + "\n");
    return wrapConfig(
        baseConfigElements(dir) +
        "<adapters><adapter name=\"portail\" plugin=\"json\">"
        "<param name=\"source-key\">numero_dossier</param>"
        "<param name=\"procedure\">restauration-scolaire</param>"
        "</adapter></adapters>\n"
        "<connectors><connector name=\"fichiers\" plugin=\"filedrop\">"
        "<param name=\"directory\">" +
        dir.file("outbox") +
        "</param></connector></connectors>\n"
        "<clients>\n"
        "<client name=\"wcs\"><rights>dossiers:submit dossiers:read</rights>"
        "<procedures>restauration-scolaire</procedures><instances>portail</instances>"
        "<publik orig=\"demarches.ville.test\" secret=\"file:" +
        publik +
        "\"/></client>\n"
        "<client name=\"metier\"><rights>dossiers:submit</rights><procedures>*</procedures>"
        "<instances>*</instances><hmac secret=\"file:" +
        hmac + "\"/></client>\n" + clientElement("lecteur", kReaderKey, "dossiers:read") +
        clientElement("rien", kNobodyKey, "", "", "") +
        clientElement("exploitation", kAdminKey, "admin") +
        clientElement("dpd", kDpoKey, "audit:read") +
        clientElement("autre", kOtherKey, "dossiers:submit", "*", "fichiers") +
        "<client name=\"limite\" key-sha256=\"" + common::sha256Hex(kLimitedKey) +
        "\"><rights>dossiers:read</rights><rate-limit rate=\"1/h\" burst=\"2\"/></client>\n"
        "</clients>\n"
        "<routes><route procedure=\"restauration-scolaire\" connector=\"fichiers\"/></routes>\n");
}

/// Runs a shell command; fails the test when it does not exit 0.
void run(const std::string& command) {
    const int status = std::system(command.c_str());  // NOLINT(concurrency-mt-unsafe)
    ASSERT_EQ(status, 0) << command;
}

/// HMAC of `data` under `key` computed by `openssl dgst`, base64 (`openssl base64`) or
/// lowercase hex.
std::string opensslHmac(const TempDir& dir, const std::string& digest, const std::string& key,
                        const std::string& data, bool base64) {
    const std::string in = dir.write("hmac/in", data);
    const std::string bin = dir.file("hmac/out.bin");
    const std::string out = dir.file("hmac/out.txt");
    run("openssl dgst -" + digest + " -hmac '" + key + "' -binary -out '" + bin + "' '" + in + "'");
    if (base64) {
        run("openssl base64 -A -in '" + bin + "' -out '" + out + "'");
    } else {
        run("od -An -v -tx1 '" + bin + "' | tr -d ' \\n' > '" + out + "'");
    }
    std::string text = readFileOrFail(out);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

/// Publik's `timestamp=` value for `seconds` before now, colons percent-encoded.
std::string publikTimestamp(std::time_t seconds_ago = 0) {
    const std::time_t at = std::time(nullptr) - seconds_ago;
    std::tm utc{};
    gmtime_r(&at, &utc);
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y-%m-%dT%H%%3A%M%%3A%SZ", &utc);
    return text.data();
}

/// Base64 as Publik puts it in a URL: `+` and `=` percent-encoded, `/` kept.
std::string urlQuote(const std::string& base64) {
    std::string out;
    for (const char c : base64) {
        if (c == '+') {
            out += "%2B";
        } else if (c == '=') {
            out += "%3D";
        } else {
            out += c;
        }
    }
    return out;
}

class SecurityTest : public ::testing::Test {
protected:
    void SetUp() override { daemon_ = std::make_unique<Daemon>(dir_, config(dir_)); }

    /// The query of a request signed as w.c.s. signs it, `seconds_ago` in the past.
    std::string publikQuery(std::time_t seconds_ago = 0) {
        const std::string nonce = common::uuidV4();
        const std::string query =
            "orig=demarches.ville.test&algo=sha256&timestamp=" + publikTimestamp(seconds_ago) +
            "&nonce=" + nonce;
        return query +
               "&signature=" + urlQuote(opensslHmac(dir_, "sha256", kPublikSecret, query, true));
    }

    HttpResult call(const std::string& method, const std::string& target, const std::string& key,
                    const std::string& body = {}) {
        std::vector<std::pair<std::string, std::string>> headers;
        if (!key.empty()) headers.push_back(bearer(key));
        return httpCall(daemon_->port(), method, target, headers, body);
    }

    /// The audit entries of `client`, newest first, as the DPO reads them.
    std::vector<sdk::Json> auditOf(const std::string& client) {
        const auto answer = call("GET", "/v1/audit?limit=1000&client=" + client, kDpoKey);
        EXPECT_EQ(answer.status, 200) << answer.body;
        const sdk::Json body = answer.json();
        std::vector<sdk::Json> entries;
        if (const sdk::Json* list = body.find("entries"); list != nullptr) {
            for (std::size_t i = 0; i < list->size(); ++i) entries.push_back(*list->at(i));
        }
        return entries;
    }

    TempDir dir_;
    std::unique_ptr<Daemon> daemon_;
};

std::string dossier(const std::string& number) {
    return R"({"numero_dossier": ")" + number + R"(", "demandeur": {"nom": "Martin"}})";
}

TEST_F(SecurityTest, DossierSignedAsPublikSignsIsAcceptedOnce) {
    const std::string target = "/v1/adapters/portail/inbound?" + publikQuery();
    const auto accepted = call("POST", target, "", dossier("RS-1"));
    ASSERT_EQ(accepted.status, 202) << accepted.body;

    // The same request again: its nonce is in the store.
    const auto replayed = call("POST", target, "", dossier("RS-1"));
    EXPECT_EQ(replayed.status, 401) << replayed.body;
    EXPECT_EQ(replayed.content_type, "application/problem+json");
    EXPECT_NE(replayed.body.find("already used"), std::string::npos) << replayed.body;
}

TEST_F(SecurityTest, PublikSignatureFiveMinutesOldIsRefused) {
    const auto stale =
        call("POST", "/v1/adapters/portail/inbound?" + publikQuery(300), "", dossier("RS-2"));
    EXPECT_EQ(stale.status, 401) << stale.body;
    EXPECT_NE(stale.body.find("timestamp"), std::string::npos) << stale.body;
    EXPECT_NE(stale.header("WWW-Authenticate").find("invalid_token"), std::string::npos);
}

TEST_F(SecurityTest, PublikSignatureUnderAnotherSecretIsRefused) {
    const std::string query =
        "orig=demarches.ville.test&algo=sha256&timestamp=" + publikTimestamp() +
        "&nonce=" + common::uuidV4();
    const std::string forged =
        query + "&signature=" + urlQuote(opensslHmac(dir_, "sha256", "guessed", query, true));
    EXPECT_EQ(call("GET", "/v1/dossiers/x?" + forged, "").status, 401);
}

TEST_F(SecurityTest, BodySignedWithHmacIsAcceptedOnce) {
    const std::string body = dossier("RS-3");
    const std::string t = std::to_string(std::time(nullptr));
    const std::string signature =
        "t=" + t + ",v1=" + opensslHmac(dir_, "sha256", kHmacSecret, t + "." + body, false);
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"X-Relais-Client", "metier"}, {"X-Relais-Signature", signature}};
    const auto accepted =
        httpCall(daemon_->port(), "POST", "/v1/adapters/portail/inbound", headers, body);
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const auto replayed =
        httpCall(daemon_->port(), "POST", "/v1/adapters/portail/inbound", headers, body);
    EXPECT_EQ(replayed.status, 401) << replayed.body;
    const auto altered =
        httpCall(daemon_->port(), "POST", "/v1/adapters/portail/inbound", headers, dossier("RS-4"));
    EXPECT_EQ(altered.status, 401) << altered.body;
}

TEST_F(SecurityTest, ClientOverItsRateGets429WithRetryAfter) {
    EXPECT_EQ(call("GET", "/v1/dossiers/x", kLimitedKey).status, 404);
    EXPECT_EQ(call("GET", "/v1/dossiers/x", kLimitedKey).status, 404);
    const auto limited = call("GET", "/v1/dossiers/x", kLimitedKey);
    EXPECT_EQ(limited.status, 429) << limited.body;
    EXPECT_EQ(limited.content_type, "application/problem+json");
    // 1/h: the next token is an hour away.
    EXPECT_EQ(limited.header("Retry-After"), "3600");
}

// Every route but /healthz, with the right it needs.
struct Guarded {
    const char* method;
    const char* target;
    const char* right;
};

constexpr Guarded kRoutes[] = {
    {"POST", "/v1/adapters/portail/inbound", "dossiers:submit"},
    {"GET", "/v1/dossiers/d1", "dossiers:read"},
    {"GET", "/v1/dossiers/d1/events", "dossiers:read"},
    {"POST", "/v1/dossiers/d1/redeliver", "jobs:admin"},
    {"GET", "/v1/inbox/i1", "inbox:read"},
    {"POST", "/v1/inbox/i1/ack", "inbox:read"},
    {"GET", "/v1/jobs", "jobs:admin"},
    {"GET", "/v1/jobs/j1", "jobs:admin"},
    {"POST", "/v1/jobs/j1/replay", "jobs:admin"},
    {"GET", "/v1/prefill/restauration-scolaire", "prefill:read"},
    {"PUT", "/v1/subjects/s1/attributes", "attributes:write"},
    {"POST", "/v1/subjects", "attributes:write"},
    {"GET", "/v1/subjects/s1/access-log", "subjects:access-log"},
    {"GET", "/v1/subjects/s1/export", "subjects:admin"},
    {"DELETE", "/v1/subjects/s1", "subjects:admin"},
    {"GET", "/v1/audit", "audit:read"},
    {"GET", "/v1/connectors", "connectors:read"},
    {"GET", "/readyz", "metrics:read"},
    {"GET", "/metrics", "metrics:read"},
};

TEST_F(SecurityTest, EveryRouteRefusesAClientWithoutItsRightAndAuditsIt) {
    for (const Guarded& route : kRoutes) {
        SCOPED_TRACE(std::string(route.method) + " " + route.target);
        const auto refused = call(route.method, route.target, kNobodyKey, "{}");
        EXPECT_EQ(refused.status, 403) << refused.body;
        EXPECT_EQ(refused.content_type, "application/problem+json");
        EXPECT_NE(refused.body.find(route.right), std::string::npos) << refused.body;
        // Without credentials it is a 401, never the data.
        EXPECT_EQ(call(route.method, route.target, "", "{}").status, 401);
    }
    const auto entries = auditOf("rien");
    ASSERT_EQ(entries.size(), std::size(kRoutes));
    for (const sdk::Json& entry : entries) {
        EXPECT_EQ(entry.find("action")->asString().rfind("http.", 0), 0U);
        EXPECT_EQ(entry.find("outcome")->asString().rfind("refused: ", 0), 0U);
    }
}

TEST_F(SecurityTest, AdminRightsDoNotOpenPersonalData) {
    // The operator runs relais; reading citizens' data is another matter.
    for (const char* target : {"/v1/dossiers/d1", "/v1/prefill/restauration-scolaire",
                               "/v1/subjects/s1/export", "/v1/subjects/s1/access-log"}) {
        SCOPED_TRACE(target);
        EXPECT_EQ(call("GET", target, kAdminKey).status, 403);
    }
    EXPECT_EQ(call("GET", "/v1/jobs", kAdminKey).status, 200);
    EXPECT_EQ(auditOf("exploitation").size(), 4U);
}

TEST_F(SecurityTest, HandlerRefusalsAreAuditedToo) {
    // `autre` may submit dossiers, but not through the `portail` adapter: the handler
    // refuses, beyond the route's right.
    const auto refused = call("POST", "/v1/adapters/portail/inbound", kOtherKey, dossier("RS-5"));
    EXPECT_EQ(refused.status, 403) << refused.body;
    const auto entries = auditOf("autre");
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].find("action")->asString(), "http.adapter_inbound");
    EXPECT_NE(entries[0].find("outcome")->asString().find("may not use adapter 'portail'"),
              std::string::npos);
    // The DPO's reads are on the trail as well (this one after its answer: the earlier one).
    const auto reads = auditOf("dpd");
    ASSERT_EQ(reads.size(), 1U);
    EXPECT_EQ(reads[0].find("action")->asString(), "audit.read");
}

}  // namespace
}  // namespace relais::test
