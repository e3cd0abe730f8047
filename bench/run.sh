#!/usr/bin/env bash
# make bench: time and peak memory of reading, validating, recalculating, editing and syncing large
# effect-analysis sheets, next to python-calamine, openpyxl and the inflate floor, on files made by
# XlsxWriter (text as shared strings, as Excel saves, and as inline strings, as streaming writers do).
# The table is also written to .build/bench/latest.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release
DATA=.build/bench
mkdir -p "$DATA"
python3 -c "import xlsxwriter, python_calamine, openpyxl" 2>/dev/null ||
  python3 -m pip install -q --disable-pip-version-check xlsxwriter python-calamine openpyxl 2>&1 | grep -v "Running pip as the 'root'" || true
SIZES=${BENCH_SIZES:-1000 50000 200000}
exec > >(tee "$DATA/latest.txt")

declare -A T M   # wall seconds and peak MB by "label@mode@rows", for the ratios at the end
measure() { # label, command… → "label  wall  cpu  peak MB"
  local label=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$DATA/time.txt" "$@" > /dev/null
  read -r secs kb user sys < "$DATA/time.txt"
  T["$label@$mode@$rows"]=$secs; M["$label@$mode@$rows"]=$(echo "$kb / 1024" | bc -l)
  printf '%-46s %7.2f s %7.2f s %8.1f MB\n' "$label" "$secs" "$(echo "$user + $sys" | bc -l)" "${M["$label@$mode@$rows"]}"
}
ratio() { echo "${1:-0} ${2:-0}" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "-" }'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "tracksheet $(git rev-parse --short HEAD 2>/dev/null || echo '?'), release build; python-calamine $(python3 -c 'import importlib.metadata as m; print(m.version("python-calamine"))'), openpyxl $(python3 -c 'import openpyxl; print(openpyxl.__version__)')"
printf '%-46s %9s %9s %11s\n' "" "wall" "cpu" "peak"
for rows in $SIZES; do
  for mode in shared inline; do
    f="$DATA/effect-$mode-$rows.xlsx"
    [ -f "$f" ] || python3 bench/make_effect.py "$rows" "$f" "$mode"
    echo
    echo "== $rows rows × 13 columns, $mode strings ($(du -h "$f" | cut -f1))"
    measure "inflate floor (unzip -p sheet1)" sh -c "unzip -p '$f' xl/worksheets/sheet1.xml > /dev/null"
    measure "tracksheet read every cell" "$BIN/tracksheet-bench" read "$f"
    measure "python-calamine read every cell" python3 -c "
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path('$f')
for n in wb.sheet_names: wb.get_sheet_by_name(n).to_python()"
    # validate exits 1 when it finds problems (the random rows have some): that is not a failure here.
    measure "tracksheet validate" sh -c "'$BIN/tracksheet' validate '$f' --format json --as-of 2025-06-09 > /dev/null || [ \$? = 1 ]"
    measure "tracksheet recalc (4 ratio columns)" "$BIN/tracksheet" recalc "$f" -o "$DATA/recalc.xlsx" --as-of 2025-06-09
    if [ "$mode" = shared ]; then
      measure "tracksheet edit one cell + save" "$BIN/tracksheet-bench" edit "$f" "$DATA/edited.xlsx"
      measure "tracksheet insert 2 rows + delete 1 + save" "$BIN/tracksheet-bench" rows "$f" "$DATA/rows.xlsx"
      measure "tracksheet write a new sheet of $rows rows" "$BIN/tracksheet-bench" write "$DATA/written.xlsx" "$rows"
    fi
    if [ "$rows" -le 50000 ]; then
      measure "openpyxl load, recompute 4 ratios, save" python3 bench/openpyxl_recalc.py "$f" "$DATA/openpyxl-recalc.xlsx"
      measure "openpyxl read-only read every cell" python3 -c "
import openpyxl
wb = openpyxl.load_workbook('$f', read_only=True)
for ws in wb.worksheets:
    for _ in ws.iter_rows(values_only=True): pass"
      # sync with SQLite: a first sync (setup), a no-op one, and one after 1% of the rows changed.
      rm -f "$DATA/sync.db" && cp "$f" "$DATA/sync.xlsx"
      measure "tracksheet sync, first (SQLite)" sh -c "'$BIN/tracksheet' sync '$DATA/sync.xlsx' --store '$DATA/sync.db' --campaign bench --as-of 2025-06-09 || [ \$? = 1 ]"
      measure "tracksheet sync, no-op" sh -c "'$BIN/tracksheet' sync '$DATA/sync.xlsx' --store '$DATA/sync.db' --as-of 2025-06-09 || [ \$? = 1 ]"
      measure "tracksheet validate (synced file)" sh -c "'$BIN/tracksheet' validate '$DATA/sync.xlsx' --format json --as-of 2025-06-09 > /dev/null || [ \$? = 1 ]"
      "$BIN/tracksheet-bench" edit-percent "$DATA/sync.xlsx" "$DATA/sync.xlsx" 1 > /dev/null
      measure "tracksheet sync, 1% of rows edited" sh -c "'$BIN/tracksheet' sync '$DATA/sync.xlsx' --store '$DATA/sync.db' --as-of 2025-06-09 || [ \$? = 1 ]"
    fi
  done
done

case " $SIZES " in *" 50000 "*) ;; *) exit 0 ;; esac
echo
echo "== targets, ratios of wall times from this run: shared / inline strings"
both() { # label, numerator label, numerator rows, denominator label, denominator rows
  printf '%-60s %s / %s\n' "$1" "$(ratio "${T["$2@shared@$3"]:-}" "${T["$4@shared@$5"]:-}")" "$(ratio "${T["$2@inline@$3"]:-}" "${T["$4@inline@$5"]:-}")"
}
# Issue 23: one read and one write per command.
both "1%-edited sync 50k / validate 50k (target <= 2.0)" "tracksheet sync, 1% of rows edited" 50000 "tracksheet validate (synced file)" 50000
both "no-op sync 50k / validate 50k (target <= 1.5)" "tracksheet sync, no-op" 50000 "tracksheet validate (synced file)" 50000
both "first sync 50k / validate 50k (target <= 5.0)" "tracksheet sync, first (SQLite)" 50000 "tracksheet validate" 50000
both "openpyxl recalc 50k / tracksheet recalc 50k (target >= 25)" "openpyxl load, recompute 4 ratios, save" 50000 "tracksheet recalc (4 ratio columns)" 50000
case " $SIZES " in *" 200000 "*) ;; *) exit 0 ;; esac
# Issue 7: reading and recalculating at scale.
both "validate 200k / python-calamine 200k (target <= 1.0)" "tracksheet validate" 200000 "python-calamine read every cell" 200000
both "validate 200k / inflate floor 200k (target <= 3.0)" "tracksheet validate" 200000 "inflate floor (unzip -p sheet1)" 200000
for mode in shared inline; do
  printf '%-60s %s MB / %s MB\n' "recalc peak memory 50k / 200k, $mode (target < 100 MB, flat)" \
    "$(printf %.1f "${M["tracksheet recalc (4 ratio columns)@$mode@50000"]}")" "$(printf %.1f "${M["tracksheet recalc (4 ratio columns)@$mode@200000"]}")"
done
