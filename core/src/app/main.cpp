// SPDX-License-Identifier: AGPL-3.0-or-later
#include "application.h"

int main(int argc, char** argv) {
    relais::app::Application application;
    return application.run(argc, argv);
}
