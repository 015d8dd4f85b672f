#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# Starts relais as the "middleware" peer of the shared benchmark harness
# (../shared/bench/run-peers.sh, see its WORKLOAD.md): MW_CMD="bench/relais-bench.sh sync"
# or "... async". The harness exports MW_PORT, BACKOFFICE_URL and PREFILL_FILE.
#
# Each run starts from an empty store, imports the prefill subjects (workload B), then
# serves. relais is built (optimised, without tests) into build-bench/ first if needed.
#
#   RELAIS_BENCH_KEY=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
#   export RELAIS_BENCH_KEY
#   MW_CMD="bench/relais-bench.sh sync" MW_A_PATH=/v1/adapters/bench/inbound \
#     MW_B_PREFIX='/v1/prefill/cantine?fc_sub=' MW_B_SUFFIX='&format=userinfo' \
#     MW_HEADER="Authorization: Bearer $RELAIS_BENCH_KEY" bash ../shared/bench/run-peers.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${1:-sync}"
[[ "$MODE" == sync || "$MODE" == async ]] || { echo "usage: $0 sync|async" >&2; exit 64; }
: "${RELAIS_BENCH_KEY:?set RELAIS_BENCH_KEY (the bearer key the harness sends in MW_HEADER)}"
: "${BACKOFFICE_URL:?set by the harness}"
: "${PREFILL_FILE:?set by the harness}"
PORT="${MW_PORT:-18083}"

if [[ ! -x "$ROOT/build-bench/bin/relais" ]]; then
  cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release -DRELAIS_BUILD_TESTS=OFF \
    >/dev/null
  cmake --build "$ROOT/build-bench" -j "$(nproc)" >/dev/null
fi

DIR="$(mktemp -d /tmp/relais-bench-XXXXXX)"
RESPONSE=""
if [[ "$MODE" == sync ]]; then
  RESPONSE="response-mapping=\"$ROOT/bench/response-mapping.xml\""
fi
sed -e "s|@MODE@|$MODE|" -e "s|@BACKOFFICE_URL@|$BACKOFFICE_URL|" -e "s|@DIR@|$DIR|g" \
    -e "s|@ROOT@|$ROOT|g" -e "s|@RESPONSE@|$RESPONSE|" \
    "$ROOT/bench/relais-bench.xml.in" >"$DIR/relais.xml"
RELAIS="$ROOT/build-bench/bin/relais"
"$RELAIS" keygen "$DIR/attributes.key" >/dev/null
"$RELAIS" subjects import "$PREFILL_FILE" --source franceconnect --level 600 \
  --config "$DIR/relais.xml"
exec "$RELAIS" serve --config "$DIR/relais.xml" --listen "127.0.0.1:$PORT"
