// SPDX-License-Identifier: AGPL-3.0-or-later
// relais-mock-national-api: API Particulier / API Entreprise / FranceConnect stand-in for
// the demo and for tests (see README.md).

#include <charconv>
#include <csignal>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/Exception.h>
#include <pthread.h>

#include "mock_national_api.h"

namespace {

using relais::mock_api::MockNationalApi;

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

constexpr std::string_view kUsage =
    R"(Usage: relais-mock-national-api --cases DIR [--cases DIR…] [--port N] [--address A] [--verbose]

Answers API Particulier, API Entreprise and FranceConnect-mode calls from mock cases, as
the upstream sandbox does (see tests/doubles/mock-national-api/README.md).

  --cases DIR    a folder laid out like tests/fixtures/national-apis: the *.json cases under
                 api-particulier/payloads/<operation>/, api-entreprise/payloads/<operation>/
                 and franceconnect/. Repeatable; earlier folders match first.
  --port N       port to listen on (default 0: any free port)
  --address A    address to listen on (default 127.0.0.1)
  --verbose      one line per call on stderr: method, path, status, answering case
  --help         this text

Prints "listening on ADDRESS:PORT" on stdout once it accepts calls; stops on SIGINT or
SIGTERM. GET /_stats answers {"requests": N}, the number of API calls so far.
Example:
  relais-mock-national-api --cases tests/fixtures/national-apis --port 8089
)";

int usageError(const std::string& message) {
    std::cerr << "relais-mock-national-api: " << message << "\n(see --help)\n";
    return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
    MockNationalApi::Options options;
    bool verbose = false;
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const auto value = [&]() -> const std::string_view* {
            return i + 1 < args.size() ? &args[++i] : nullptr;
        };
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (arg == "--verbose") {
            verbose = true;
        } else if (arg == "--cases") {
            const auto* dir = value();
            if (dir == nullptr || dir->empty()) return usageError("--cases needs a directory");
            options.case_directories.emplace_back(*dir);
        } else if (arg == "--address") {
            const auto* address = value();
            if (address == nullptr || address->empty()) {
                return usageError("--address needs an address");
            }
            options.address = std::string(*address);
        } else if (arg == "--port") {
            const auto* text = value();
            int port = -1;
            if (text == nullptr ||
                std::from_chars(text->data(), text->data() + text->size(), port).ptr !=
                    text->data() + text->size() ||
                port < 0 || port > 65535) {
                return usageError("--port needs a number from 0 to 65535");
            }
            options.port = port;
        } else {
            return usageError("unknown argument '" + std::string(arg) + "'");
        }
    }
    if (options.case_directories.empty()) return usageError("--cases DIR is required");
    if (verbose) {
        options.log = [](const relais::mock_api::RequestLogLine& line) {
            // One write per line so that concurrent calls do not interleave.
            std::cerr << (line.method + " " + line.path + " " + std::to_string(line.status) + " " +
                          line.why + "\n")
                      << std::flush;
        };
    }

    // Block the stop signals before any server thread exists (threads inherit the mask),
    // then wait for one of them on the main thread.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    // A client that hangs up mid-answer must not kill the server.
    std::signal(SIGPIPE, SIG_IGN);

    try {
        MockNationalApi server(options);
        const auto& book = server.cases();
        std::cerr << "relais-mock-national-api: " << book.caseCount() << " cases for "
                  << book.operations().size() << " operations, " << book.tokenCount()
                  << " FranceConnect tokens\n";
        const bool ipv6 = server.address().find(':') != std::string::npos;
        std::cout << "listening on " << (ipv6 ? "[" : "") << server.address() << (ipv6 ? "]" : "")
                  << ":" << server.port() << std::endl;
        int received = 0;
        sigwait(&stop_signals, &received);
        std::cerr << "relais-mock-national-api: stopping (signal " << received << ")\n";
    } catch (const Poco::Exception& e) {
        std::cerr << "relais-mock-national-api: " << e.displayText() << "\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "relais-mock-national-api: " << e.what() << "\n";
        return kExitFailure;
    }
    return 0;
}
