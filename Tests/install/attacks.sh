#!/usr/bin/env bash
# The crafted attacks (Tests/TracksheetCLITests/Fixtures/make_attacks.py) through the release
# binary, against the judged bounds: at most 5 s of processor time per MB of input (plus half a
# second for starting up) and 300 MB of memory, for inspect, validate, recalc and sync, with an
# exit code of 0, 1 or 2. (AttackTests runs the same files through the debug build, with a debug
# build's allowance.) Usage: attacks.sh BIN
set -uo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/tracksheet-attacks.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 "$repo/Tests/TracksheetCLITests/Fixtures/make_attacks.py" "$work/in" > /dev/null
failed=0; runs=0
for f in "$work"/in/*.xlsx; do
  name=$(basename "$f" .xlsx)
  mb=$(python3 -c "import os,sys; print(max(os.path.getsize(sys.argv[1]), 1) / 1048576)" "$f")
  for cmd in inspect validate recalc sync; do
    cp "$f" "$work/w.xlsx"; rm -f "$work"/s.db* "$work/r.xlsx"
    case $cmd in
      recalc) args=(recalc "$work/w.xlsx" -o "$work/r.xlsx" --as-of 2025-06-09) ;;
      sync) args=(sync "$work/w.xlsx" --store "$work/s.db" --as-of 2025-06-09) ;;
      *) args=("$cmd" "$work/w.xlsx") ;;
    esac
    /usr/bin/time -o "$work/time" -f "%U %S %M %x" timeout 120 "$bin" "${args[@]}" > /dev/null 2> "$work/err"
    read -r user sys kb code < <(tail -1 "$work/time" | awk '{print $(NF-3), $(NF-2), $(NF-1), $NF}')
    runs=$((runs + 1))
    verdict=$(python3 -c "
u, s, kb, code, mb = float('$user'), float('$sys'), int('$kb'), int('$code'), float('$mb')
cpu = u + s
bad = []
if code > 2: bad.append(f'exit {code}')
if cpu > 5 * mb + 0.5: bad.append(f'{cpu:.2f} s of processor time for {mb:.2f} MB')
if kb > 300 * 1024: bad.append(f'{kb / 1024:.0f} MB of memory')
print('; '.join(bad))")
    if [ -n "$verdict" ]; then echo "attack FAILED: $name $cmd: $verdict"; failed=$((failed + 1)); fi
  done
done
echo "attacks (release): $runs runs, $failed over the bounds"
[ "$failed" = 0 ]
