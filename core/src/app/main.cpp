// SPDX-License-Identifier: AGPL-3.0-or-later
#include <csignal>

#include "application.h"

int main(int argc, char** argv) {
    // A peer that hangs up while the server writes must cost one request, not the process:
    // Poco and OpenSSL write without MSG_NOSIGNAL.
    std::signal(SIGPIPE, SIG_IGN);
    relais::app::Application application;
    return application.run(argc, argv);
}
