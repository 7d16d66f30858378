#!/usr/bin/env bash
# Installs what is missing on Debian 12, configures and builds. Usage:
#   tools/bootstrap.sh demo   -> then runs the main job (knet train's quick demo: a two-moons flow, a few minutes)
#   tools/bootstrap.sh test   -> then runs the whole test suite, and the 1-rank tests again under ASan + UBSan, and
#                                prints "N passed, N failed"
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

packages=(libpetsc-real3.18-dev libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools meson ninja-build pkg-config
          python3-h5py python3-numpy python3-matplotlib ngspice zlib1g-dev dataset-fashion-mnist python3-sklearn
          slurm-wlm munge)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Open MPI refuses root unless told; oversubscription lets the 4-rank tests run on small machines.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Idle OpenMP threads spin briefly, then sleep: 2-thread processes side by side would otherwise lose 5-10x (README, Cores).
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-10000}

[ -d build ] || meson setup build >/dev/null
meson compile -C build >/dev/null

case "${1:-demo}" in
  demo) # the quick demo, then its samples drawn against the data
    ./build/knet train || exit $?
    run=$(ls -td runs/*/ | head -1)
    /usr/bin/python3 tools/plot_run.py samples "${run%/}" -o "${run}samples.png" >/dev/null &&
      echo "the model's samples against the data: ${run}samples.png (tools/plot_run.py; README: Plots)" ;;
  test)
    set +e
    meson test -C build --print-errorlogs --num-processes 2
    rc=$?
    # The sanitizer gate: an ASan + UBSan build runs the 1-rank C tests and the fuzz corpora (a few minutes).
    # allocator_may_return_null: an absurd allocation fails as plain malloc would, and the code must handle it.
    [ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
    meson compile -C build-asan >/dev/null
    ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      meson test -C build-asan --suite serial --suite fuzz --print-errorlogs --num-processes 2
    rc=$((rc | $?))
    set -e
    /usr/bin/python3 tools/test-summary.py build/meson-logs/testlog.json build-asan/meson-logs/testlog.json
    exit $rc ;;
  *) echo "usage: $0 [demo|test]" >&2; exit 2 ;;
esac
