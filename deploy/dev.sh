#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# The README's two commands, on a fresh Debian 12 machine:
#
#   deploy/dev.sh run    install what is missing, build, and run relais on the demo
#                        config (config/relais.xml, embedded SQLite under var/)
#   deploy/dev.sh test   install what is missing, check the style and the include rules
#                        (tests/layout), then build and run every test with ctest twice:
#                        -Werror with ASan+UBSan, -Werror with TSan;
#                        then build the libFuzzer targets (clang) and run each briefly
#
# Packages come from Debian only (apt-get update once, then apt-get install), and only
# the missing ones are installed, so both commands are cheap to repeat.
#
# Environment: RELAIS_PORT (run: listen port, default 8080), JOBS (parallel build jobs,
# default: number of CPUs), BUILD_DIR (default build for run, build-test for test),
# FUZZ_SECONDS (test: fuzzing time per target, default 20).

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${JOBS:-$(nproc)}"

# What building and running relais needs; tzdata: the zone files that sdk::TimeZone reads
# (portal adapters' time-zone settings).
RUN_PACKAGES=(
  build-essential cmake pkg-config ca-certificates
  libpoco-dev libboost-dev libxml2-dev libssl-dev libpq-dev libsqlite3-dev tzdata
)
# What the test suite needs on top: GoogleTest, the openssl CLI (test certificates and
# signatures), curl, clang-format (style check), python3 (include rules), clang and its
# libFuzzer runtime (fuzzers), Google Benchmark (bench/micro, smoke-run by ctest).
TEST_PACKAGES=(
  googletest libgtest-dev libgmock-dev openssl curl clang-format python3 clang
  libclang-rt-14-dev libbenchmark-dev
)

say() { printf '\033[1m[relais]\033[0m %s\n' "$*" >&2; }

install_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      say "missing packages: ${missing[*]} (run as root or install sudo)"
      exit 1
    fi
  fi
  say "installing from Debian: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

# A random API key in a file, created once (mode 0600).
ensure_key() {
  local file="$1"
  if [ ! -s "$file" ]; then
    umask 077
    od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$file"
    umask 022
    say "created API key $file"
  fi
}

cmd_run() {
  install_packages "${RUN_PACKAGES[@]}"
  local build="${BUILD_DIR:-build}"
  # A build directory that already exists keeps its configuration (a developer's Debug
  # build-dev with its tests is built as it is, not turned into RelWithDebInfo).
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELAIS_BUILD_TESTS=OFF >/dev/null
  fi
  cmake --build "$build" -j "$JOBS"

  mkdir -p var
  ensure_key var/portal.key
  ensure_key var/business.key
  ensure_key var/admin.key
  ensure_key var/api-particulier.token
  ensure_key var/wcs-publik.key
  [ -s var/attributes-demo-1.key ] || "$build/bin/relais" keygen var/attributes-demo-1.key >&2
  local port="${RELAIS_PORT:-8080}"
  local ready=var/ready.json
  rm -f "$ready"
  # The config names ../build/plugins; another build directory gets a copy naming its own
  # (in var/, a sibling of config/, so that every other relative path stays the same).
  local config=config/relais.xml
  if [ "$build" != build ]; then
    config="var/relais-$(basename "$build").xml"
    sed "s#\.\./build/plugins#$(cd "$build" && pwd)/plugins#" config/relais.xml >"$config"
  fi

  # The demo's national API: the sandbox cases of API Particulier and API Entreprise.
  "$build/bin/relais-mock-national-api" --cases tests/fixtures/national-apis \
    --port 8090 >var/mock-national-api.log 2>&1 &
  MOCK_PID=$!
  # The demo's Publik w.c.s.: the canteen form's workflow, one dossier (cantine-inscription:1)
  # that it posts to relais on POST /__send/cantine-inscription/1, signed as "wcs.demo";
  # it accepts relais's calls signed as "relais.demo" (config/relais.xml, adapter demarches).
  "$build/bin/relais-wcs-mock" --forms tests/doubles/wcs-mock/forms/cantine.json \
    --orig relais.demo --secret-file var/wcs-publik.key --dossier cantine-inscription \
    --port 8091 --send-to "http://127.0.0.1:$port/v1/adapters/demarches/inbound" \
    --send-orig wcs.demo --send-secret-file var/wcs-publik.key >var/wcs-mock.log 2>&1 &
  WCS_MOCK_PID=$!
  "$build/bin/relais" serve --config "$config" --listen "127.0.0.1:$port" \
    --ready-file "$ready" &
  RELAIS_PID=$!
  local pid=$RELAIS_PID
  # Globals, so that the EXIT trap still sees them once this function is left.
  trap 'kill -TERM "$RELAIS_PID" "$MOCK_PID" "$WCS_MOCK_PID" 2>/dev/null || true' INT TERM EXIT
  for _ in $(seq 1 300); do
    [ -s "$ready" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" || exit $?
    fi
    sleep 0.1
  done
  [ -s "$ready" ] || { say "relais did not become ready"; kill -TERM "$pid"; exit 1; }

  cat >&2 <<MSG

relais listens on http://127.0.0.1:$port (config: $config, data: var/).
Try it:
  curl -s http://127.0.0.1:$port/healthz
  curl -s -H "Authorization: Bearer \$(cat var/portal.key)" -H 'Content-Type: application/json' \\
       --data-binary @tests/fixtures/bench/dossier.json \\
       http://127.0.0.1:$port/v1/adapters/portail/inbound
  curl -s -H "Authorization: Bearer \$(cat var/portal.key)" http://127.0.0.1:$port/v1/dossiers/<id>
  curl -s -H "Authorization: Bearer \$(cat var/admin.key)" http://127.0.0.1:$port/metrics
Tell us once (quotient familial from the mock API Particulier, then from the store):
  curl -s -H "Authorization: Bearer \$(cat var/portal.key)" \\
       'http://127.0.0.1:$port/v1/prefill/restauration-scolaire?family_name=LEFEBVRE&given_names=ALEXIS&birth_date=1982-12-27&gender=F&birth_place=08480&birth_country=99100'
Status sync with Publik w.c.s. (the mock w.c.s. on 127.0.0.1:8091, README "Status sync with
Publik w.c.s."):
  # 1. w.c.s.'s workflow sends the dossier; relais answers in the Publik envelope
  curl -s -X POST http://127.0.0.1:8091/__send/cantine-inscription/1 | tee var/wcs-sent.json
  ID=\$(grep -oE '[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}' var/wcs-sent.json | head -1)
  # 2. the business application takes it up, then accepts it with a motivation
  curl -s -H "Authorization: Bearer \$(cat var/business.key)" -H 'Idempotency-Key: demo-review-1' \\
       -H 'Content-Type: application/json' -d '{"type": "status_changed", "status": "in_review"}' \\
       http://127.0.0.1:$port/v1/dossiers/\$ID/events
  curl -s -H "Authorization: Bearer \$(cat var/business.key)" -H 'Idempotency-Key: demo-decision-1' \\
       -H 'Content-Type: application/json' \\
       -d '{"type": "status_changed", "status": "accepted", "sub_status": {"code": "ACC", "label": "Accordée"}, "message": "Inscription acceptée à compter du 4 janvier."}' \\
       http://127.0.0.1:$port/v1/dossiers/\$ID/events
  # 3. the w.c.s. dossier: status 3 (Acceptée), the motivation in its workflow data
  curl -s http://127.0.0.1:8091/__formdata/cantine-inscription/1
  curl -s -H "Authorization: Bearer \$(cat var/business.key)" http://127.0.0.1:$port/v1/dossiers/\$ID/timeline
Stop with Ctrl-C.

MSG
  local status=0
  wait "$pid" || status=$?
  # A second wait collects the exit status after a trapped signal.
  if kill -0 "$pid" 2>/dev/null; then wait "$pid" || status=$?; fi
  exit "$status"
}

cmd_test() {
  install_packages "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  local build="${BUILD_DIR:-build-test}"

  say "style: clang-format"
  git ls-files -- '*.h' '*.cpp' | xargs clang-format --dry-run --Werror
  say "layout: who may include what (docs/architecture.md)"
  python3 tests/layout/check_includes_test.py
  python3 tests/layout/check_includes.py

  # 1. Debug, -Werror, AddressSanitizer + UndefinedBehaviorSanitizer: memory errors, leaks,
  #    undefined behaviour, in the core, every plugin and the daemon the tests start.
  say "build 1/2: -Werror, ASan+UBSan ($build)"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DRELAIS_WERROR=ON \
    -DRELAIS_SANITIZE="address;undefined" >/dev/null
  cmake --build "$build" -j "$JOBS"
  say "tests 1/2"
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --test-dir "$build" --output-on-failure -j "$JOBS" --timeout 300

  # 2. Optimised, -Werror, ThreadSanitizer: data races in the group commit, the plugin
  #    shims, the HTTP server and client. Optimisation also surfaces warnings -O0 hides.
  say "build 2/2: -Werror, TSan (${build}-tsan)"
  cmake -S . -B "${build}-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELAIS_WERROR=ON \
    -DRELAIS_SANITIZE=thread >/dev/null
  cmake --build "${build}-tsan" -j "$JOBS"
  say "tests 2/2"
  TSAN_OPTIONS="suppressions=$ROOT/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
    ctest --test-dir "${build}-tsan" --output-on-failure -j "$JOBS" --timeout 300

  # 3. The parsers under libFuzzer (clang, ASan+UBSan), briefly: enough for a regression on
  #    the seed corpus to show. The 10-minute runs are in tests/fuzz/README.md.
  say "fuzz: each target for ${FUZZ_SECONDS:-20} s"
  RELAIS_FUZZ_BUILD="${build}-fuzz" tests/fuzz/run.sh --seconds "${FUZZ_SECONDS:-20}" --jobs "$JOBS"
}

case "${1:-}" in
  run) cmd_run ;;
  test) cmd_test ;;
  *)
    echo "usage: deploy/dev.sh run|test" >&2
    exit 64
    ;;
esac
