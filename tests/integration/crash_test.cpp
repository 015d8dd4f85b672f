// SPDX-License-Identifier: AGPL-3.0-or-later
// Crash test: relais is killed with SIGKILL while it stores and delivers dossiers. Every
// dossier it answered 202 for must reach the application after a restart, and no dossier
// may reach it twice under two different idempotency keys (a repeat with the same key is the
// at-least-once delivery the key exists for).

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "relais/sdk/json.h"

#include "support/daemon.h"
#include "support/http_call.h"
#include "support/mock_http_server.h"
#include "support/temp_dir.h"

namespace relais::test {
namespace {

using namespace std::chrono_literals;

const std::string kPortalKey = "portal-key-0123456789abcdef";
constexpr int kDossiers = 2000;
constexpr int kClients = 16;

std::string crashConfig(const TempDir& dir, const MockHttpServer& app) {
    return wrapConfig(baseConfigElements(dir) +
                      "<delivery workers=\"4\" idle-poll=\"20ms\" lease=\"60s\"/>\n"
                      "<adapters><adapter name=\"portail\" plugin=\"json\">"
                      "<param name=\"source-key\">numero</param>"
                      "<param name=\"procedure\">crash</param>"
                      "</adapter></adapters>\n"
                      "<connectors><connector name=\"application\" plugin=\"rest\">"
                      "<param name=\"url\">" +
                      app.url("/dossiers") +
                      "</param>"
                      "<param name=\"business-id\">json:id</param>"
                      "<retry initial=\"20ms\" max=\"100ms\"/>"
                      "</connector></connectors>\n<clients>\n" +
                      clientElement("portail", kPortalKey, "dossiers:submit") +
                      "</clients>\n<routes><route name=\"r\" procedure=\"crash\" "
                      "connector=\"application\"/></routes>\n");
}

TEST(CrashTest, EveryAcknowledgedDossierIsDeliveredOnceAfterAKill) {
    TempDir dir;
    // The application: records which idempotency keys it saw for each dossier, and takes a
    // little time so that deliveries are in flight when relais dies.
    std::mutex mutex;
    std::map<std::string, std::set<std::string>> keys_by_dossier;  // guarded by mutex
    MockHttpServer app([&](const ReceivedRequest& request) {
        const auto body = sdk::Json::parse(request.body);
        const std::string numero = body ? body->find("numero")->asString() : "?";
        {
            std::lock_guard lock(mutex);
            keys_by_dossier[numero].insert(request.header("Idempotency-Key"));
        }
        std::this_thread::sleep_for(1ms);
        return MockResponse{201, "application/json", "{\"id\":\"APP-" + numero + "\"}", {}};
    });

    auto daemon = std::make_unique<Daemon>(dir, crashConfig(dir, app));
    const int port = daemon->port();

    std::mutex accepted_mutex;
    std::set<std::string> accepted;  // guarded by accepted_mutex
    std::atomic<int> next{0};
    std::atomic<int> answered{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&] {
            for (int i = next.fetch_add(1); i < kDossiers; i = next.fetch_add(1)) {
                const std::string numero = "CR-" + std::to_string(i);
                try {
                    const auto result =
                        httpCall(port, "POST", "/v1/adapters/portail/inbound", {bearer(kPortalKey)},
                                 "{\"numero\":\"" + numero + "\"}");
                    if (result.status == 202) {
                        std::lock_guard lock(accepted_mutex);
                        accepted.insert(numero);
                    }
                    answered.fetch_add(1);
                } catch (const std::exception&) {
                    // relais is dead: this one was never acknowledged.
                }
            }
        });
    }
    // Kill in the middle: some dossiers stored and delivered, some stored and in flight,
    // some never answered.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (answered.load() < kDossiers / 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
    }
    daemon->kill();
    for (auto& client : clients) client.join();
    ASSERT_GT(accepted.size(), 0U);

    // Restart on the same store: the jobs the dead process held are taken up again.
    daemon = std::make_unique<Daemon>(dir, crashConfig(dir, app));
    const auto drained = std::chrono::steady_clock::now() + 90s;
    std::set<std::string> missing;
    do {
        missing.clear();
        {
            std::lock_guard lock(mutex);
            for (const auto& numero : accepted) {
                if (keys_by_dossier.count(numero) == 0) missing.insert(numero);
            }
        }
        if (missing.empty()) break;
        std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < drained);
    EXPECT_TRUE(missing.empty()) << missing.size()
                                 << " acknowledged dossiers never delivered, e.g. "
                                 << *missing.begin();

    std::lock_guard lock(mutex);
    for (const auto& [numero, keys] : keys_by_dossier) {
        EXPECT_EQ(keys.size(), 1U) << numero << " delivered under " << keys.size() << " keys";
    }
    std::cout << "crash test: " << accepted.size() << " dossiers acknowledged before the kill, "
              << keys_by_dossier.size() << " delivered in all\n";
}

}  // namespace
}  // namespace relais::test
