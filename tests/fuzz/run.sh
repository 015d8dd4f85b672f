#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs them for a while each.
#
#   tests/fuzz/run.sh [--seconds N] [--jobs J] [--no-build] [target ...]
#
#   --seconds N  fuzzing time per target (default 60; a long run is --seconds 600)
#   --jobs J     targets fuzzed at the same time, one process each (default 1)
#   --no-build   use the fuzzers already in the build directory
#   target       json_adapter, xml_envelope, mapping_loader, config_loader,
#                publik_signature, http_routing, http_head, chunked_body,
#                mdel_envelope, ds_dossier (default: all)
#
# Environment: RELAIS_FUZZ_BUILD (build directory, default <repo>/build-fuzz),
# RELAIS_FUZZ_WORK (where runs go, default <build>/fuzz-runs), RELAIS_FUZZ_TOLERATE
# (known findings to let through, see tests/fuzz/README.md), CC/CXX (default clang/clang++).
#
# Each target fuzzes a copy of tests/fuzz/corpus/<target>/ in <work>/<run>/<target>/corpus (the
# corpus in git is never written), with its dictionary, -timeout=10 and -rss_limit_mb=2048.
# Crash, leak, timeout and out-of-memory inputs land in <work>/<run>/<target>/artifacts/.
# One summary line per target; the exit status is 1 when any target found something.

set -euo pipefail

readonly ALL_TARGETS=(json_adapter xml_envelope mapping_loader config_loader publik_signature
                      http_routing http_head chunked_body mdel_envelope ds_dossier)

dictionary_of() {
    case "$1" in
        json_adapter) echo json ;;
        xml_envelope) echo xml ;;
        mapping_loader) echo mapping ;;
        config_loader) echo config ;;
        publik_signature) echo query ;;
        http_routing) echo http ;;
        http_head) echo http_head ;;
        chunked_body) echo chunked ;;
        mdel_envelope) echo mdel ;;
        ds_dossier) echo ds ;;
        *) return 1 ;;
    esac
}

usage() {
    sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}

seconds=60
jobs=1
build=1
targets=()
while (($# > 0)); do
    case "$1" in
        --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
        --seconds=*) seconds="${1#*=}"; shift ;;
        --jobs) jobs="${2:?--jobs needs a number}"; shift 2 ;;
        --jobs=*) jobs="${1#*=}"; shift ;;
        --no-build) build=0; shift ;;
        -h | --help) usage 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; usage ;;
        *)
            if ! dictionary_of "$1" >/dev/null; then
                echo "run.sh: unknown target '$1' (known: ${ALL_TARGETS[*]})" >&2
                exit 2
            fi
            targets+=("$1"); shift ;;
    esac
done
for value in "$seconds" "$jobs"; do
    if ! [[ "$value" =~ ^[1-9][0-9]*$ ]]; then
        echo "run.sh: --seconds and --jobs take a positive integer, not '$value'" >&2
        exit 2
    fi
done
((${#targets[@]} > 0)) || targets=("${ALL_TARGETS[@]}")

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Absolute paths: each target runs from inside its own run directory.
build_dir="$(realpath -m "${RELAIS_FUZZ_BUILD:-$repo/build-fuzz}")"
run_dir="$(realpath -m "${RELAIS_FUZZ_WORK:-$build_dir/fuzz-runs}")/$(date +%Y%m%d-%H%M%S)"

if ((build)); then
    export CC="${CC:-clang}" CXX="${CXX:-clang++}"
    cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELAIS_FUZZ=ON \
        -DRELAIS_SANITIZE="address;undefined" -DRELAIS_BUILD_TESTS=OFF >/dev/null
    cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/%/_fuzzer}"
fi

# One target: copy its corpus, fuzz, write <dir>/summary and <dir>/status.
fuzz_one() {
    local target="$1" dir="$run_dir/$1"
    local binary="$build_dir/fuzz/${target}_fuzzer"
    mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/tmp"
    cp "$repo/tests/fuzz/corpus/$target/"* "$dir/corpus/"
    local seeds
    seeds=$(find "$dir/corpus" -type f | wc -l)
    local status=0
    # Stdin is /dev/null: a mapping or config may name /dev/stdin, which must not block.
    (cd "$dir" && TMPDIR="$dir/tmp" ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" \
        UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
        "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -dict="$repo/tests/fuzz/dict/$(dictionary_of "$target").dict" \
        -artifact_prefix="$dir/artifacts/" -print_final_stats=1 corpus \
        </dev/null >"$dir/fuzz.log" 2>&1) || status=$?

    local runs exec_per_s last_cov cov ft files size
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -1)
    exec_per_s=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/fuzz.log" | tail -1)
    last_cov=$(grep -E '^#[0-9]+.*cov: ' "$dir/fuzz.log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last_cov")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last_cov")
    files=$(find "$dir/corpus" -type f | wc -l)
    size=$(du -sh --apparent-size "$dir/corpus" | cut -f1)

    local verdict="ok"
    local artifacts
    artifacts=$(find "$dir/artifacts" -type f | sort)
    if ((status != 0)) || [[ -n "$artifacts" ]]; then
        verdict="FOUND"
        status=1
    fi
    printf '%-17s %-5s runs=%-9s exec/s=%-7s cov=%-6s ft=%-7s corpus=%s->%s files (%s)\n' \
        "$target" "$verdict" "${runs:-?}" "${exec_per_s:-?}" "${cov:-?}" "${ft:-?}" \
        "$seeds" "$files" "$size" >"$dir/summary"
    if [[ -n "$artifacts" ]]; then
        while IFS= read -r artifact; do
            printf '    artifact: %s\n' "$artifact" >>"$dir/summary"
        done <<<"$artifacts"
    fi
    if ((status != 0)); then
        printf '    log: %s\n' "$dir/fuzz.log" >>"$dir/summary"
    fi
    echo "$status" >"$dir/status"
}

mkdir -p "$run_dir"
echo "fuzzing ${targets[*]} for ${seconds}s each, ${jobs} at a time; work: $run_dir"
running=0
for target in "${targets[@]}"; do
    if ((running >= jobs)); then
        wait -n || true
        running=$((running - 1))
    fi
    fuzz_one "$target" &
    running=$((running + 1))
done
wait || true

failed=0
for target in "${targets[@]}"; do
    cat "$run_dir/$target/summary"
    [[ "$(cat "$run_dir/$target/status" 2>/dev/null || echo 1)" == 0 ]] || failed=1
done
if ((failed)); then
    echo "fuzzing found problems: reproduce with <build>/fuzz/<target>_fuzzer <artifact>" >&2
    exit 1
fi
