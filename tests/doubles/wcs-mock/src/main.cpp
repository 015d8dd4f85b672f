// SPDX-License-Identifier: AGPL-3.0-or-later
// relais-wcs-mock: a Publik w.c.s. stand-in for demos and tests (see README.md).

#include <charconv>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Poco/Exception.h>
#include <pthread.h>

#include "wcs_mock.h"

namespace {

using relais::wcs_mock::WcsMock;

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

constexpr std::string_view kUsage =
    R"(Usage: relais-wcs-mock --forms FILE --orig NAME --secret-file FILE [--port N] [--address A]
                       [--send-to URL --send-orig NAME --send-secret-file FILE]

Answers like a Publik w.c.s. site: GET /api/forms/<slug>/<id>/, POST …/jump/trigger/<id>/
(only the triggers of the dossier's current status) and …/hooks/<id>/, every call checked
against the Publik signature (see tests/doubles/wcs-mock/README.md).

  --forms FILE        the forms and their workflows (JSON, see the README)
  --orig NAME         the caller allowed to sign (relais's orig); repeatable with
  --secret-file FILE  the shared secret of the preceding --orig (first line of the file)
  --dossier SLUG      create one dossier of form SLUG in its first status; repeatable
  --send-to URL       where POST /__send/<slug>/<id> posts that dossier as the workflow's
                      "send the form" webservice call (relais's inbound URL), signed as
  --send-orig NAME    this orig (the <publik orig> of relais's client for w.c.s.) with
  --send-secret-file FILE  this key (first line of the file)
  --port N            port to listen on (default 0: any free port)
  --address A         address to listen on (default 127.0.0.1)
  --help              this text

Demo helpers, not w.c.s. and not signed: POST /__send/<slug>/<id> (makes the call above and
answers what the target said), GET /__formdata/<slug>/<id> (the dossier's export: status,
workflow data).

Prints "listening on ADDRESS:PORT" on stdout once it accepts calls; stops on SIGINT or SIGTERM.
)";

int usageError(const std::string& message) {
    std::cerr << "relais-wcs-mock: " << message << "\n(see --help)\n";
    return kExitUsage;
}

bool readFile(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream text;
    text << in.rdbuf();
    out = text.str();
    return true;
}

// What the demo's dossiers hold: a child's canteen registration, as the fields with a
// variable name of tests/doubles/wcs-mock/forms/cantine.json's form would export.
relais::sdk::Json sampleFields() {
    auto fields = relais::sdk::Json::parse(
        R"({"nom_enfant": "Exemple", "prenom_enfant": "Lou", "date_naissance": "2018-04-02",)"
        R"( "ecole": "Jules Ferry", "ecole_raw": "12"})");
    return fields ? std::move(fields).value() : relais::sdk::Json::object();
}

relais::sdk::Json sampleUser() {
    auto user = relais::sdk::Json::parse(
        R"({"id": 5, "name": "Camille Exemple", "email": "camille@example.org",)"
        R"( "NameID": ["a1b2c3d4e5"]})");
    return user ? std::move(user).value() : relais::sdk::Json();
}

}  // namespace

int main(int argc, char** argv) {
    WcsMock::Options options;
    std::string forms_file;
    std::string pending_orig;
    std::vector<std::string> dossiers;
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const std::string_view* value = i + 1 < args.size() ? &args[i + 1] : nullptr;
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (value == nullptr || value->empty()) {
            return usageError(std::string(arg) + " needs a value");
        }
        ++i;
        if (arg == "--forms") {
            forms_file = std::string(*value);
        } else if (arg == "--orig") {
            pending_orig = std::string(*value);
        } else if (arg == "--secret-file") {
            if (pending_orig.empty()) return usageError("--secret-file follows an --orig");
            std::string secret;
            if (!readFile(std::string(*value), secret)) {
                return usageError("cannot read " + std::string(*value));
            }
            secret = secret.substr(0, secret.find('\n'));
            options.secrets[pending_orig] = secret;
            pending_orig.clear();
        } else if (arg == "--send-to") {
            options.send.url = std::string(*value);
        } else if (arg == "--send-orig") {
            options.send.orig = std::string(*value);
        } else if (arg == "--send-secret-file") {
            std::string secret;
            if (!readFile(std::string(*value), secret)) {
                return usageError("cannot read " + std::string(*value));
            }
            options.send.secret = secret.substr(0, secret.find('\n'));
        } else if (arg == "--dossier") {
            dossiers.emplace_back(*value);
        } else if (arg == "--address") {
            options.address = std::string(*value);
        } else if (arg == "--port") {
            int port = -1;
            if (std::from_chars(value->data(), value->data() + value->size(), port).ptr !=
                    value->data() + value->size() ||
                port < 0 || port > 65535) {
                return usageError("--port needs a number from 0 to 65535");
            }
            options.port = port;
        } else {
            return usageError("unknown argument '" + std::string(arg) + "'");
        }
    }
    if (forms_file.empty()) return usageError("--forms FILE is required");
    if (options.secrets.empty()) return usageError("--orig NAME --secret-file FILE is required");
    if (!options.send.url.empty() && (options.send.orig.empty() || options.send.secret.empty())) {
        return usageError("--send-to needs --send-orig and --send-secret-file");
    }
    std::string text;
    if (!readFile(forms_file, text)) return usageError("cannot read " + forms_file);
    auto forms = relais::wcs_mock::parseForms(text);
    if (!forms) {
        std::cerr << "relais-wcs-mock: " << forms_file << ": " << forms.error().message << "\n";
        return kExitFailure;
    }

    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        WcsMock server(options);
        for (auto& form : *forms) server.addForm(std::move(form));
        for (const auto& slug : dossiers) {
            const int id =
                server.createFormdata(slug, sampleFields(), sampleUser(), "2026-11-30T10:12:44");
            std::cerr << "relais-wcs-mock: dossier " << slug << ":" << id << "\n";
        }
        std::cout << "listening on " << options.address << ":" << server.port() << std::endl;
        int received = 0;
        sigwait(&stop_signals, &received);
        std::cerr << "relais-wcs-mock: stopping (signal " << received << ")\n";
    } catch (const Poco::Exception& e) {
        std::cerr << "relais-wcs-mock: " << e.displayText() << "\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "relais-wcs-mock: " << e.what() << "\n";
        return kExitFailure;
    }
    return 0;
}
