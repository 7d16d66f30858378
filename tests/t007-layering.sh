#!/usr/bin/env bash
# The library's rooms and their order: a file may include the private headers of its own room and of the rooms below
# it, never of one above (data flows one way). The hardware view (SPICE, mismatch, quantisation) is one room. TAP output.
set -u
src="$KN_SOURCE_ROOT/src"
order=(sys graph device circuit net hardware io data train apps)
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }

for room in "${order[@]}"; do
  r=$(rank "$room") bad=""
  for f in "$src/$room"/*.[ch]; do
    [ -e "$f" ] || continue
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z]*\)\/.*/\1/p' "$f" | sort -u); do
      ri=$(rank "$inc")
      [ "$ri" -ge 0 ] && [ "$ri" -gt "$r" ] && bad="$bad ${f#$src/}->$inc"
    done
  done
  [ -z "$bad" ]; ok $? "src/$room includes no private header of a room above it${bad:+:$bad}"
done
unplaced=$(cd "$src" && ls */*spice* */*robust* 2>/dev/null | grep -v -e '^hardware/' -e '^apps/knet_spice.c$')
[ -z "$unplaced" ]; ok $? "the SPICE export and the robustness code live in src/hardware${unplaced:+ (elsewhere: $unplaced)}"
echo "1..$n"
[ "$failed" -eq 0 ]
