// SPDX-License-Identifier: AGPL-3.0-or-later
// relais-ds-mock: a Démarches Simplifiées GraphQL API v2 stand-in for demos and tests (see
// README.md).

#include <charconv>
#include <csignal>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/Exception.h>
#include <pthread.h>

#include "ds_mock.h"

namespace {

using relais::ds_mock::DsMock;

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

constexpr std::string_view kUsage =
    R"(Usage: relais-ds-mock [--demarche N] [--title T] [--dossier FILE]... [--port N]
                      [--address A] [--token T] [--read-only-token T] [--file-ttl SECONDS]

Answers like Démarches Simplifiées' GraphQL API v2 (POST /api/v2/graphql, bearer token) on
DS's schema: démarche N with the dossiers given (see tests/doubles/ds-mock/README.md).

  --demarche N          the démarche's number (default 1)
  --title T             its title (default "Démarche de démonstration")
  --dossier FILE        a dossier (JSON, a Dossier object); repeatable; a bare name is
                        looked up in the sample folder (personne-physique-tous-champs.json)
  --token T             the read-write token (default ds-token-rw)
  --read-only-token T   the read-only token (default ds-token-ro)
  --file-ttl SECONDS    how long file URLs stay valid (default 300)
  --port N              port to listen on (default 0: any free port)
  --address A           address to listen on (default 127.0.0.1)
  --help                this text

Prints "listening on ADDRESS:PORT" on stdout once it accepts calls; stops on SIGINT or SIGTERM.
)";

int usageError(const std::string& message) {
    std::cerr << "relais-ds-mock: " << message << "\n(see --help)\n";
    return kExitUsage;
}

bool toInt(std::string_view text, int& out) {
    return std::from_chars(text.data(), text.data() + text.size(), out).ptr ==
           text.data() + text.size();
}

relais::sdk::Json readDossier(const std::string& file) {
    if (file.find('/') == std::string::npos) return relais::ds_mock::loadSampleDossier(file);
    auto parsed = relais::sdk::Json::parse([&] {
        std::string text;
        std::FILE* in = std::fopen(file.c_str(), "rb");
        if (in == nullptr) throw std::runtime_error("cannot read " + file);
        char buffer[4096];
        std::size_t n = 0;
        while ((n = std::fread(buffer, 1, sizeof buffer, in)) > 0) text.append(buffer, n);
        std::fclose(in);
        return text;
    }());
    if (!parsed.ok()) throw std::runtime_error(file + ": " + parsed.error().message);
    return std::move(parsed).value();
}

}  // namespace

int main(int argc, char** argv) {
    relais::ds_mock::Options options;
    int demarche = 1;
    std::string title = "Démarche de démonstration";
    std::vector<std::string> dossiers;
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (i + 1 >= args.size() || args[i + 1].empty()) {
            return usageError(std::string(arg) + " needs a value");
        }
        const std::string_view value = args[++i];
        int number = 0;
        if (arg == "--demarche") {
            if (!toInt(value, demarche) || demarche <= 0) return usageError("--demarche: a number");
        } else if (arg == "--title") {
            title = std::string(value);
        } else if (arg == "--dossier") {
            dossiers.emplace_back(value);
        } else if (arg == "--token") {
            options.token = std::string(value);
        } else if (arg == "--read-only-token") {
            options.read_only_token = std::string(value);
        } else if (arg == "--file-ttl") {
            if (!toInt(value, number) || number <= 0) return usageError("--file-ttl: seconds");
            options.file_ttl = std::chrono::seconds(number);
        } else if (arg == "--address") {
            options.address = std::string(value);
        } else if (arg == "--port") {
            if (!toInt(value, number) || number < 0 || number > 65535) {
                return usageError("--port needs a number from 0 to 65535");
            }
            options.port = number;
        } else {
            return usageError("unknown argument '" + std::string(arg) + "'");
        }
    }

    // Blocked in every thread (the server's inherit the mask), then waited for below.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    for (const int stop : {SIGINT, SIGTERM}) sigaddset(&stop_signals, stop);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        const std::string address = options.address;
        DsMock server(options);
        server.addDemarche(demarche, title);
        for (const auto& file : dossiers) {
            const int number = server.addDossier(demarche, readDossier(file));
            std::cerr << "relais-ds-mock: dossier " << number << " (" << file << ")\n";
        }
        std::cout << "listening on " << address << ":" << server.port() << std::endl;
        int received = 0;
        sigwait(&stop_signals, &received);
        std::cerr << "relais-ds-mock: stopping (signal " << received << ")\n";
    } catch (const Poco::Exception& e) {
        std::cerr << "relais-ds-mock: " << e.displayText() << "\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "relais-ds-mock: " << e.what() << "\n";
        return kExitFailure;
    }
    return 0;
}
