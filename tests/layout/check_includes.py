#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Checks who may include what (docs/architecture.md, "Who may include what").

    tests/layout/check_includes.py [--root DIR]

Rules, each about the #include lines of the C++ sources under DIR (default: the repository):

1. Plugins and adapters (plugins/, adapters/) see the SDK only: a `relais/...` header must
   be `relais/sdk/...`; any other quoted include must be a file of the plugin's own folder
   or of a shared plugin library (a folder under plugins/ or adapters/ that builds no
   plugin), never of another plugin and never of the core; `<libxml/...>` and
   `<openssl/...>` are the host's business (the SDK's XML and signing toolkits wrap them).
2. The SDK (core/include/relais/sdk/, core/src/sdk/) includes only the SDK.
3. The core knows no particular plugin: nothing under core/ includes a file of plugins/ or
   adapters/.
4. Core modules are layered as their CMake targets link: a source of module M
   (core/src/M/, core/include/relais/M/) includes `relais/N/...` or another module's
   private `N/...` header only when M links relais_N, directly or through another module.
   The module table is read from core/src/*/CMakeLists.txt (relais_module(... DEPENDS ...)
   and the executable's target_link_libraries), so the rule follows the build.

Tests, test doubles, fuzz targets and benchmarks are not checked: they may reach inside.
Prints one line per forbidden include (file:line: the include, and the rule it breaks) and
exits 1 if there is any, 0 otherwise.
"""

import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
CLOSING = {"<": ">", '"': '"'}
SOURCE_SUFFIXES = (".h", ".hpp", ".cpp", ".cc")
HOST_ONLY_LIBRARIES = ("libxml/", "openssl/")


def sources(root, top):
    base = os.path.join(root, top)
    for directory, _, names in os.walk(base):
        for name in sorted(names):
            if name.endswith(SOURCE_SUFFIXES):
                yield os.path.join(directory, name)


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as stream:
        for number, line in enumerate(stream, 1):
            match = INCLUDE.match(line)
            if match:
                yield number, match.group(1), match.group(2)


def read_cmake(path):
    with open(path, encoding="utf-8", errors="replace") as stream:
        return re.sub(r"#[^\n]*", "", stream.read())


def plugin_folders(root):
    """Folders under plugins/ and adapters/: name -> builds a plugin (add_plugin) or not."""
    folders = {}
    for top in ("plugins", "adapters"):
        base = os.path.join(root, top)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            folder = os.path.join(base, name)
            cmake = os.path.join(folder, "CMakeLists.txt")
            if os.path.isfile(cmake):
                folders[folder] = "add_plugin(" in read_cmake(cmake)
    return folders


def module_table(root):
    """Core module -> the set of core modules it may include (itself, its links, transitively)."""
    direct = {}
    src = os.path.join(root, "core", "src")
    for name in sorted(os.listdir(src)) if os.path.isdir(src) else []:
        cmake = os.path.join(src, name, "CMakeLists.txt")
        if not os.path.isfile(cmake):
            continue
        text = read_cmake(cmake)
        module = re.search(r"relais_module\(\s*(\w+)(.*?)\)", text, re.S)
        links = re.search(r"target_link_libraries\(\s*\w+(.*?)\)", text, re.S)
        body = module.group(2) if module else (links.group(1) if links else "")
        if module:
            body = body.split("DEPENDS", 1)[1] if "DEPENDS" in body else ""
        direct[name] = {dep[len("relais_"):] for dep in re.findall(r"\brelais_\w+", body)}
        direct[name].discard("warnings")
    allowed = {}
    for name in direct:
        seen, pending = {name}, list(direct[name])
        while pending:
            dep = pending.pop()
            if dep not in seen:
                seen.add(dep)
                pending.extend(direct.get(dep, ()))
        allowed[name] = seen | {"sdk"}
    return allowed


def owner_module(root, path):
    rel = os.path.relpath(path, root).split(os.sep)
    if rel[:2] == ["core", "src"] and len(rel) > 3:
        return rel[2]
    if rel[:3] == ["core", "include", "relais"] and len(rel) > 4:
        return rel[3]
    return None


def resolve(path, include, search):
    for directory in [os.path.dirname(path)] + search:
        candidate = os.path.normpath(os.path.join(directory, include))
        if os.path.isfile(candidate):
            return candidate
    return None


def inside(path, folder):
    return os.path.commonpath([os.path.abspath(path), os.path.abspath(folder)]) == \
        os.path.abspath(folder)


def check_plugins(root, problems):
    folders = plugin_folders(root)
    shared = [folder for folder, is_plugin in folders.items() if not is_plugin]
    # A shared library's headers are found through its include directories: its folder and
    # every folder below it.
    shared_dirs = [d for folder in shared for d, _, _ in os.walk(folder)]
    for folder, is_plugin in folders.items():
        own_dirs = [d for d, _, _ in os.walk(folder)]
        for path in sources(root, os.path.relpath(folder, root)):
            for number, kind, include in includes(path):
                where = f"{os.path.relpath(path, root)}:{number}: #include {kind}{include}{CLOSING[kind]}"
                if include.startswith("relais/"):
                    if not include.startswith("relais/sdk/"):
                        problems.append(f"{where}: a plugin or adapter sees relais/sdk only")
                    continue
                if kind == "<":
                    if include.startswith(HOST_ONLY_LIBRARIES):
                        problems.append(f"{where}: use the SDK's toolkit, not the library")
                    continue
                target = resolve(path, include, own_dirs + shared_dirs)
                if target is None:
                    problems.append(f"{where}: not a file of this folder or of a shared "
                                    "plugin library")
                elif inside(target, folder) or any(inside(target, other) for other in shared):
                    continue
                elif any(inside(target, other) for other in folders):
                    problems.append(f"{where}: reaches into another plugin's folder")
                else:
                    problems.append(f"{where}: not a file of this folder or of a shared "
                                    "plugin library")


def check_sdk(root, problems):
    tops = [os.path.join(root, "core", "include", "relais", "sdk"),
            os.path.join(root, "core", "src", "sdk")]
    for top in tops:
        for path in sources(root, os.path.relpath(top, root)):
            for number, kind, include in includes(path):
                where = f"{os.path.relpath(path, root)}:{number}: #include {kind}{include}{CLOSING[kind]}"
                if include.startswith("relais/") and not include.startswith("relais/sdk/"):
                    problems.append(f"{where}: the SDK includes only the SDK")
                elif kind == '"' and not include.startswith("relais/"):
                    target = resolve(path, include, [os.path.join(root, "core", "src")])
                    if target is None or not any(inside(target, sdk) for sdk in tops):
                        problems.append(f"{where}: the SDK includes only the SDK")


def check_core(root, problems):
    allowed = module_table(root)
    core_src = os.path.join(root, "core", "src")
    plugin_tops = [os.path.join(root, "plugins"), os.path.join(root, "adapters")]
    for path in sources(root, "core"):
        module = owner_module(root, path)
        for number, kind, include in includes(path):
            where = f"{os.path.relpath(path, root)}:{number}: #include {kind}{include}{CLOSING[kind]}"
            target = resolve(path, include, [core_src, os.path.join(root, "core", "include")])
            if target is not None and any(inside(target, top) for top in plugin_tops):
                problems.append(f"{where}: the core knows no particular plugin")
                continue
            if module is None or module == "sdk":
                continue
            parts = include.split("/")
            if parts[0] == "relais" and len(parts) > 2:
                used = parts[1]
            elif target is not None and inside(target, core_src):
                used = os.path.relpath(target, core_src).split(os.sep)[0]
            else:
                continue
            if used not in allowed.get(module, {module, "sdk"}):
                problems.append(f"{where}: module '{module}' does not link relais_{used} "
                                f"(core/src/{module}/CMakeLists.txt)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    root = os.path.abspath(parser.parse_args().root)
    problems = []
    check_plugins(root, problems)
    check_sdk(root, problems)
    check_core(root, problems)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} forbidden include(s); the rules are in docs/architecture.md",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
