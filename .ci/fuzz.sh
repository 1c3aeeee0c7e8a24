#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ with the fuzzer and AddressSanitizer (into .build-fuzz, apart from
# the normal .build) and fuzzes each one for a bounded time, starting from its seed corpus in
# Fuzz/Corpus/<target>. Fails when a target crashes, leaks, times out or runs out of memory; the input
# that did it is kept in .build-fuzz/artifacts/<target>/ and replays with the normal build:
#   swift build --product FuzzZip && .build/debug/FuzzZip .build-fuzz/artifacts/FuzzZip/crash-…
#
# Usage: .ci/fuzz.sh [SECONDS-PER-TARGET] [TARGET…]     (default: 60 seconds, every target)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(FuzzZip FuzzManifest FuzzGIFT FuzzDocx FuzzRange)
case "$seconds" in '' | *[!0-9]*) echo "fuzz.sh: seconds must be a number, got '$seconds'" >&2; exit 2 ;; esac

# Release: about 7 times the executions per second of a debug build (the sanitizer checks stay on).
flags=(-c release --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING)
# The Swift crash handler would muddle the sanitizer's report.
export SWIFT_BACKTRACE=enable=no
# The readers take files: a target writes each input to a temporary file (and the .docx and cartridge
# readers write their own). On tmpfs that is ≈ 20 times the executions per second of a virtual disk.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    TMPDIR="$(mktemp -d /dev/shm/hoclieu-fuzz.XXXXXX)"
    export TMPDIR
    trap 'rm -rf "$TMPDIR"' EXIT
fi

mkdir -p .build-fuzz/logs
for target in "${targets[@]}"; do
    echo "fuzz.sh: building $target"
    if ! swift build "${flags[@]}" --product "$target" >".build-fuzz/logs/build-$target.log" 2>&1; then
        grep -Ev '^\[[0-9]+/[0-9]+\]' ".build-fuzz/logs/build-$target.log" | tail -40 >&2
        echo "fuzz.sh: $target does not build" >&2
        exit 1
    fi
done
bin="$(swift build "${flags[@]}" --show-bin-path)"

failed=()
summary=()
for target in "${targets[@]}"; do
    # New inputs go to a work corpus; the committed seeds stay as they are.
    work=".build-fuzz/corpus/$target"
    artifacts=".build-fuzz/artifacts/$target"
    log=".build-fuzz/logs/$target.log"
    mkdir -p "$work" "$artifacts" "$(dirname "$log")"
    echo "fuzz.sh: fuzzing $target for ${seconds}s (log: $log)"
    status=0
    started=$SECONDS
    "$bin/$target" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$work" "Fuzz/Corpus/$target" >"$log" 2>&1 || status=$?
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
    units="$(find "$work" -type f | wc -l)"
    line="$target: $((SECONDS - started))s, ${execs:-?} execs, ${rate:-?} exec/s, corpus $units, exit $status"
    if [ "$status" -ne 0 ]; then
        line="$line: FAILED"
        failed+=("$target")
        grep -E 'ERROR: |SUMMARY: |Fatal error|Test unit written to' "$log" | head -20 >&2 || true
    fi
    echo "$line"
    summary+=("$line")
done

echo
echo "fuzz.sh: summary"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: crashes in ${failed[*]} (inputs in .build-fuzz/artifacts/)" >&2
    exit 1
fi
