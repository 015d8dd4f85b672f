#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# Starts relais as the "middleware" peer of the shared benchmark harness
# (../shared/bench/run-peers.sh, see its WORKLOAD.md): MW_CMD="bench/relais-bench.sh sync"
# or "... async". The harness exports MW_PORT, BACKOFFICE_URL and PREFILL_FILE.
#
# Each run starts from an empty store, imports the prefill subjects (workload B), then
# serves. bench/run.sh builds relais (optimised, without tests) into build-bench/ before the
# harness starts, and runs the harness for every workload: that is the command to use.
# Called on its own, this script builds build-bench/ first if it is missing.
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

# bench/run.sh builds first and sets RELAIS_BENCH_NO_BUILD=1: inside the harness's start-up
# wait there is no time for a build, so a missing binary is an error there. Called directly,
# this script still builds what is missing.
source "$ROOT/bench/relais-bench-config.sh"
if [[ ! -x "$RELAIS_BENCH_BIN" ]]; then
  if [[ "${RELAIS_BENCH_NO_BUILD:-0}" == 1 ]]; then
    echo "$0: $RELAIS_BENCH_BIN is missing (build it first, as bench/run.sh does)" >&2
    exit 1
  fi
  relais_bench_build /dev/null || { echo "$0: the build of build-bench/ failed" >&2; exit 1; }
fi

# A fresh store per run. bench/run.sh points RELAIS_BENCH_SCRATCH at a directory it removes
# when it is done (each run's store holds hundreds of MB); called alone, the store stays in
# /tmp for a look afterwards.
mkdir -p "${RELAIS_BENCH_SCRATCH:-/tmp}"
DIR="$(mktemp -d "${RELAIS_BENCH_SCRATCH:-/tmp}/relais-bench-XXXXXX")"
relais_bench_prepare "$MODE" "$DIR" "$BACKOFFICE_URL" "$PREFILL_FILE"
exec "$RELAIS_BENCH_BIN" serve --config "$DIR/relais.xml" --listen "127.0.0.1:$PORT"
