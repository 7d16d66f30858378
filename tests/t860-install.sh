#!/usr/bin/env bash
# The build for other machines and other programs:
#  - meson install (into a temporary DESTDIR) puts kn.h, kn/*.h, libkirchhoffnet, kirchhoffnet.pc, knet and the
#    configs in place; examples/rc_decay.c compiles with `cc $(pkg-config --cflags --libs kirchhoffnet)` against that
#    tree and prints the exact RC discharge on 1 rank
#  - meson setup: -Dcpu=portable compiles without -march, -Dcpu=native with -march=native, an unknown -Dcpu value and
#    a PETSc without YAML or a serial HDF5 (stand-in .pc files on PKG_CONFIG_PATH) stop the configure step with one
#    message naming the cause (configure only: nothing is compiled)
# TAP output.
set -u
src="$KN_SOURCE_ROOT"
build="$KN_BUILD_ROOT"
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
tmp=$(mktemp -d /tmp/kn-t860.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# -- install and link
dest="$tmp/dest"
meson install -C "$build" --no-rebuild --quiet --destdir "$dest" > "$tmp/install.log" 2>&1; r=$?
[ $r -eq 0 ] || sed 's/^/# /' "$tmp/install.log" | tail -5
pc=$(find "$dest" -name kirchhoffnet.pc | head -1)
lib=$(find "$dest" -name 'libkirchhoffnet.so*' | head -1)
knet=$(find "$dest" -path '*/bin/knet' | head -1)
nh=$(find "$dest" -path '*/include/kn/*.h' | wc -l)
nsrc=$(find "$src/include/kn" -name '*.h' | wc -l)
nc=$(find "$dest" -path '*/share/kirchhoffnet/configs/*.yaml' | wc -l)
[ $r -eq 0 ] && [ -n "$pc" ] && [ -n "$lib" ] && [ -n "$knet" ] && [ -n "$(find "$dest" -path '*/include/kn.h')" ] && [ "$nh" -eq "$nsrc" ] &&
  [ "$nc" -eq "$(find "$src/configs" -name '*.yaml' | wc -l)" ]
ok $? "meson install: include/kn.h, $nh of $nsrc include/kn/*.h, $(basename "${lib:-no libkirchhoffnet}"), kirchhoffnet.pc, bin/knet, $nc configs"

# A build dir made before pkgconfig.relocatable became a default option has an absolute prefix: point it at the stage.
if [ -n "$pc" ] && ! grep -q '^prefix=${pcfiledir}' "$pc"; then
  prefix=$(sed -n 's/^prefix=//p' "$pc")
  echo "# $pc has prefix=$prefix (build dir configured without -Dpkgconfig.relocatable=true): relocated to the stage"
  sed -i "s|^prefix=.*|prefix=$dest$prefix|" "$pc"
fi
export PKG_CONFIG_PATH="$(dirname "${pc:-/nonexistent}")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
libdir=$(pkg-config --variable=libdir kirchhoffnet 2> /dev/null)
cc "$src/examples/rc_decay.c" $(pkg-config --cflags --libs kirchhoffnet) -o "$tmp/rc_decay" > "$tmp/cc.log" 2>&1; r=$?
[ $r -eq 0 ] || sed 's/^/# /' "$tmp/cc.log" | tail -5
ok $r "cc examples/rc_decay.c \$(pkg-config --cflags --libs kirchhoffnet) builds against the installed tree"
out=$(LD_LIBRARY_PATH="$libdir" mpiexec -n 1 "$tmp/rc_decay" 2>&1); r=$?
echo "$out" | sed 's/^/# /'
lib_used=$(LD_LIBRARY_PATH="$libdir" ldd "$tmp/rc_decay" 2> /dev/null | sed -n 's/.*libkirchhoffnet[^ ]* => \([^ ]*\).*/\1/p')
[ $r -eq 0 ] && [ "$(echo "$out" | grep -c 'v(0) = 1.0 V: v(T) = 0.606531 V, exact 0.606531 V\|v(0) = 2.0 V: v(T) = 1.213061 V, exact 1.213061 V')" -eq 2 ] &&
  [[ $lib_used == "$dest"* ]]
ok $? "rc_decay on 1 rank, linked to the installed $lib_used: v(T) = v(0) exp(-gT) for v(0) = 1 and 2 V (6 digits)"
LD_LIBRARY_PATH="$libdir" "$knet" info "$tmp/missing.h5" > "$tmp/knet.log" 2>&1
LD_LIBRARY_PATH="$libdir" ldd "$knet" | grep -q "libkirchhoffnet.* => $dest" && grep -q "missing.h5" "$tmp/knet.log" && ! grep -q "error while loading shared libraries" "$tmp/knet.log"
ok $? "the installed knet runs on the installed library (knet info of a missing file: $(head -1 "$tmp/knet.log" | cut -c1-80))"

# -- configure checks (meson setup only)
setup() { rm -rf "$tmp/b"; meson setup "$tmp/b" "$src" "$@" > "$tmp/setup.log" 2>&1; }
marches() { grep -o -- '-march=[^ "]*' "$tmp/b/compile_commands.json" | sort | uniq -c | tr '\n' ' '; }
setup -Dcpu=portable; r=$?
[ $r -eq 0 ] && ! grep -q -- '-march' "$tmp/b/compile_commands.json" && grep -q 'cpu: portable, no -march' "$tmp/setup.log"
ok $? "-Dcpu=portable: no -march in any compile command (runs on any node of the architecture)"
setup -Dcpu=native; r=$?
[ $r -eq 0 ] && [ "$(grep -c -- '-march=native' "$tmp/b/compile_commands.json")" -gt 10 ] && [ "$(grep -o -- '-march=[^ "]*' "$tmp/b/compile_commands.json" | sort -u)" = "-march=native" ]
ok $? "-Dcpu=native: -march=native in the compile commands ($(marches))"
case $(uname -m) in x86_64) level=x86-64-v2 ;; aarch64) level=armv8-a ;; *) level=native ;; esac
setup -Dcpu=$level; r=$?
[ $r -eq 0 ] && [ "$(grep -o -- '-march=[^ "]*' "$tmp/b/compile_commands.json" | sort -u)" = "-march=$level" ]
ok $? "-Dcpu=$level: passed on as -march=$level"
setup -Dcpu=no-such-cpu; r=$?
[ $r -ne 0 ] && grep -q -- "-Dcpu=no-such-cpu: the compiler does not accept -march=no-such-cpu" "$tmp/setup.log"
ok $? "-Dcpu=no-such-cpu: configure fails naming the value"
SLURM_CONF=/nonexistent/slurm.conf setup; r=$?
[ $r -eq 0 ] && ! grep -q -- '-march' "$tmp/b/compile_commands.json" && grep -q 'cpu: portable, no -march (-Dcpu=auto)' "$tmp/setup.log"
ok $? "default -Dcpu=auto on a SLURM submit host (SLURM_CONF set): portable"

# stand-ins for a site PETSc without YAML and a serial HDF5: the real .pc files with a header that lacks the define
petsc_inc=$(pkg-config --variable=includedir PETSc)
mkdir -p "$tmp/fake/petsc/include" "$tmp/fake/hdf5/include" "$tmp/fake/pc-petsc" "$tmp/fake/pc-hdf5"
grep -v 'PETSC_HAVE_YAML' "$petsc_inc/petscconf.h" > "$tmp/fake/petsc/include/petscconf.h"
sed "s|^Cflags:|Cflags: -I$tmp/fake/petsc/include|" "$(pkg-config --variable=pcfiledir PETSc)/PETSc.pc" > "$tmp/fake/pc-petsc/PETSc.pc"
h5pc=$(pkg-config --variable=pcfiledir hdf5)/hdf5.pc
h5inc=$(pkg-config --cflags-only-I hdf5 | tr ' ' '\n' | sed -n 's/^-I//p' | while read -r d; do [ -e "$d/H5pubconf.h" ] && echo "$d"; done | head -1)
grep -v 'H5_HAVE_PARALLEL' "$h5inc/H5pubconf.h" > "$tmp/fake/hdf5/include/H5pubconf.h"
sed "s|^Cflags:|Cflags: -I$tmp/fake/hdf5/include|" "$h5pc" > "$tmp/fake/pc-hdf5/hdf5.pc"
PKG_CONFIG_PATH="$tmp/fake/pc-petsc" setup; r=$?
grep -q "ERROR: .*PETSc .* has no YAML support" "$tmp/setup.log"; r2=$?
[ $r -ne 0 ] && [ $r2 -eq 0 ]
ok $? "PETSc without YAML: configure fails with '$(grep -o "PETSc [0-9.]* (.*) has no YAML support" "$tmp/setup.log" | head -1)...'"
PKG_CONFIG_PATH="$tmp/fake/pc-hdf5" setup; r=$?
grep -q "ERROR: .*HDF5 .* is the serial flavour" "$tmp/setup.log"; r2=$?
[ $r -ne 0 ] && [ $r2 -eq 0 ]
ok $? "serial HDF5: configure fails with '$(grep -o "HDF5 [0-9.]* (.*) is the serial flavour" "$tmp/setup.log" | head -1)...'"

echo "1..$n"
[ $failed -eq 0 ]
