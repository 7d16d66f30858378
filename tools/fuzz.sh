#!/usr/bin/env bash
# Fuzzes every reader for a bounded time with libFuzzer (clang, ASan + UBSan) and keeps what it finds as regression
# inputs: each crash, sanitizer report, runaway allocation or hang becomes tests/fuzz/corpus/<target>/regress-<sha1>,
# which every build's test suite (meson test --suite fuzz) then runs.
# Usage: tools/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]   (targets: csv hdf5 model idx cifar checkpoint options)
# Needs clang and libclang-rt-14-dev (apt-get install clang libclang-rt-14-dev). Builds in build-fuzz/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
seconds=${1:-60}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(csv hdf5 model idx cifar checkpoint options)
command -v clang >/dev/null || { echo "fuzz.sh: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

if [ ! -d build-fuzz ]; then
  CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
fi
meson compile -C build-fuzz $(for t in "${targets[@]}"; do echo "tests/fuzz/fuzz-$t"; done) >/dev/null

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
found=0
for t in "${targets[@]}"; do
  corpus="$here/tests/fuzz/corpus/$t"
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp "$corpus"/* "$work/$t/corpus/" 2>/dev/null || true
  echo "== fuzz-$t: $seconds s, $(ls "$work/$t/corpus" | wc -l) seed inputs"
  # -rss_limit_mb / -malloc_limit_mb: a reader that believes a size in the file and allocates gigabytes is a finding
  (cd "$work/$t" && "$here/build-fuzz/tests/fuzz/fuzz-$t" corpus -max_total_time="$seconds" -timeout=20 \
     -rss_limit_mb=2048 -malloc_limit_mb=1024 -artifact_prefix=artifacts/ -print_final_stats=1 \
     >"$work/$t/log" 2>&1) || true
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error" "$work/$t/log" | head -5 || true
  for a in "$work/$t/artifacts"/*; do
    [ -e "$a" ] || continue
    # libFuzzer's rss limit counts every input run so far: an oom that one input alone does not reproduce is memory
    # that a library keeps across inputs (PETSc's YAML parser on errors), not a finding of this input
    if "$here/build-fuzz/tests/fuzz/fuzz-$t" "$a" -timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=1024 >"$work/$t/one" 2>&1; then
      echo "   $(basename "$a"): not reproduced by itself (memory kept across inputs), not kept"
      continue
    fi
    sha=$(sha1sum "$a" | cut -c1-16)
    cp "$a" "$corpus/regress-$sha"
    echo "   finding: $(basename "$a") -> tests/fuzz/corpus/$t/regress-$sha"
    found=$((found + 1))
  done
done
echo "fuzz.sh: $found new regression input(s); run 'meson test -C build --suite fuzz' after fixing them"
