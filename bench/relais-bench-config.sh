# shellcheck shell=bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# Sourced (not run) by bench/relais-bench.sh and bench/run.sh: prepares a scratch directory
# for relais as the benchmark's "middleware" peer, so that the harness's runs and run.sh's
# start-up measurement use the same configuration and store.
#
#   source bench/relais-bench-config.sh
#   relais_bench_build LOG [JOBS]
#   relais_bench_prepare MODE DIR BACKOFFICE_URL PREFILL_FILE
#
# MODE is sync or async; DIR an empty directory. Writes DIR/relais.xml (from
# bench/relais-bench.xml.in), DIR/attributes.key, and imports the subjects of PREFILL_FILE
# into the store under DIR. Needs build-bench/bin/relais and RELAIS_BENCH_KEY in the
# environment (the bearer key of the bench client, read by relais at start).

RELAIS_BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RELAIS_BENCH_BIN="$RELAIS_BENCH_ROOT/build-bench/bin/relais"

# relais_bench_build LOG [JOBS]: the optimised build (Release, no tests) into build-bench/,
# its output in LOG; non-zero when it fails.
relais_bench_build() {
  local log=$1 jobs=${2:-$(nproc)}
  { cmake -S "$RELAIS_BENCH_ROOT" -B "$RELAIS_BENCH_ROOT/build-bench" \
      -DCMAKE_BUILD_TYPE=Release -DRELAIS_BUILD_TESTS=OFF &&
    cmake --build "$RELAIS_BENCH_ROOT/build-bench" -j "$jobs"; } >"$log" 2>&1
}

relais_bench_prepare() {
  local mode=$1 dir=$2 backoffice_url=$3 prefill_file=$4
  local root=$RELAIS_BENCH_ROOT response=""
  if [[ "$mode" == sync ]]; then
    response="response-mapping=\"$root/bench/response-mapping.xml\""
  fi
  sed -e "s|@MODE@|$mode|" -e "s|@BACKOFFICE_URL@|$backoffice_url|" -e "s|@DIR@|$dir|g" \
      -e "s|@ROOT@|$root|g" -e "s|@RESPONSE@|$response|" \
      "$root/bench/relais-bench.xml.in" >"$dir/relais.xml"
  "$RELAIS_BENCH_BIN" keygen "$dir/attributes.key" >/dev/null
  "$RELAIS_BENCH_BIN" subjects import "$prefill_file" --source franceconnect --level 600 \
    --config "$dir/relais.xml"
}
