#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The include-rule check on small made-up trees: each rule catches what it forbids, and a
tree that keeps the rules passes. (The real tree is checked by the CTest test
relais_include_rules and by deploy/dev.sh test.)"""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_includes.py")

# A tree that keeps every rule: a core with two modules (store links config), the SDK, a
# plugin, an adapter and a shared plugin library.
CLEAN_TREE = {
    "core/include/relais/sdk/json.h": '#pragma once\n#include <string>\n',
    "core/include/relais/sdk/host.h": '#pragma once\n#include "relais/sdk/json.h"\n',
    "core/src/sdk/json.cpp":
        '#include "relais/sdk/json.h"\n#include "json_parse.h"\n#include "sdk/json_parse.h"\n',
    "core/src/sdk/json_parse.h": '#pragma once\n',
    "core/src/config/CMakeLists.txt": "relais_module(config SOURCES config.cpp)\n",
    "core/include/relais/config/config.h": '#pragma once\n#include "relais/sdk/json.h"\n',
    "core/src/config/config.cpp": '#include "relais/config/config.h"\n#include "config/reader.h"\n',
    "core/src/config/reader.h": "#pragma once\n",
    "core/src/store/CMakeLists.txt":
        "relais_module(store SOURCES store.cpp\n  DEPENDS relais_config Poco::Data)\n",
    "core/src/store/store.cpp": '#include "relais/config/config.h"\n#include "config/reader.h"\n',
    "core/src/app/CMakeLists.txt":
        "add_executable(relais main.cpp)\ntarget_link_libraries(relais PRIVATE relais_store)\n",
    "core/src/app/main.cpp": '#include "relais/config/config.h"\n',
    "plugins/rest/CMakeLists.txt": "add_plugin(NAME rest KIND connector SOURCES src/rest.cpp)\n",
    "plugins/rest/src/rest.cpp":
        '#include "rest.h"\n#include "relais/sdk/host.h"\n#include <Poco/URI.h>\n'
        '#include "national.h"\n',
    "plugins/rest/src/rest.h": "#pragma once\n",
    "plugins/national-api/CMakeLists.txt": "add_library(national STATIC src/national.cpp)\n",
    "plugins/national-api/src/national.h": '#pragma once\n#include "relais/sdk/json.h"\n',
    "plugins/national-api/src/national.cpp": '#include "national.h"\n',
    "adapters/json/CMakeLists.txt": "add_plugin(NAME json KIND adapter SOURCES src/json.cpp)\n",
    "adapters/json/src/json.cpp": '#include "relais/sdk/json.h"\n#include <string>\n',
    "tests/anything.cpp": '#include "relais/config/config.h"\n#include "config/reader.h"\n',
}


def run(tree):
    with tempfile.TemporaryDirectory() as root:
        for path, text in tree.items():
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as stream:
                stream.write(textwrap.dedent(text))
        result = subprocess.run([sys.executable, SCRIPT, "--root", root],
                                capture_output=True, text=True, check=False)
        return result.returncode, result.stdout


def with_file(path, text):
    tree = dict(CLEAN_TREE)
    tree[path] = text
    return tree


class IncludeRules(unittest.TestCase):
    def assertRefused(self, tree, *expected):
        code, out = run(tree)
        self.assertEqual(code, 1, out)
        for text in expected:
            self.assertIn(text, out)

    def test_accepts_a_tree_that_keeps_the_rules(self):
        code, out = run(CLEAN_TREE)
        self.assertEqual((code, out), (0, ""))

    def test_refuses_a_core_header_in_a_plugin(self):
        self.assertRefused(
            with_file("plugins/rest/src/rest.h", '#include "relais/config/config.h"\n'),
            'plugins/rest/src/rest.h:1: #include "relais/config/config.h"',
            "sees relais/sdk only")

    def test_refuses_a_core_private_header_in_an_adapter(self):
        self.assertRefused(
            with_file("adapters/json/src/json.cpp", '#include "../../../core/src/config/reader.h"\n'),
            "adapters/json/src/json.cpp:1", "not a file of this folder")

    def test_refuses_another_plugins_header(self):
        self.assertRefused(
            with_file("adapters/json/src/json.cpp", '#include "../../../plugins/rest/src/rest.h"\n'),
            "reaches into another plugin's folder")

    def test_refuses_libxml2_and_openssl_in_a_plugin(self):
        self.assertRefused(
            with_file("plugins/rest/src/rest.h", "#include <libxml/tree.h>\n#include <openssl/hmac.h>\n"),
            "rest.h:1: #include <libxml/tree.h>", "rest.h:2: #include <openssl/hmac.h>")

    def test_refuses_a_core_header_in_the_sdk(self):
        self.assertRefused(
            with_file("core/include/relais/sdk/host.h", '#include "relais/config/config.h"\n'),
            "the SDK includes only the SDK")

    def test_refuses_a_core_private_header_in_the_sdk(self):
        self.assertRefused(
            with_file("core/src/sdk/json.cpp", '#include "config/reader.h"\n'),
            'core/src/sdk/json.cpp:1: #include "config/reader.h": the SDK includes only the SDK')

    def test_refuses_a_plugin_header_in_the_core(self):
        self.assertRefused(
            with_file("core/src/app/main.cpp", '#include "../../../plugins/rest/src/rest.h"\n'),
            "the core knows no particular plugin")

    def test_refuses_a_module_it_does_not_link(self):
        self.assertRefused(
            with_file("core/src/config/config.cpp", '#include "relais/store/store.h"\n'),
            "module 'config' does not link relais_store")

    def test_refuses_another_modules_private_header_it_does_not_link(self):
        self.assertRefused(
            with_file("core/src/config/config.cpp", '#include "app/main.h"\n'
                      ) | {"core/src/app/main.h": "#pragma once\n"},
            "module 'config' does not link relais_app")

    def test_follows_links_through_other_modules(self):
        # app links store, store links config: app may include config.
        code, out = run(with_file("core/src/app/main.cpp", '#include "config/reader.h"\n'))
        self.assertEqual((code, out), (0, ""))


if __name__ == "__main__":
    unittest.main()
