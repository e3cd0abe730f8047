#!/usr/bin/env bash
# make bench: time and peak memory of reading, editing and writing large effect-analysis sheets,
# next to python-calamine, openpyxl and the inflate floor, on files made by XlsxWriter.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release
DATA=.build/bench
mkdir -p "$DATA"
python3 -c "import xlsxwriter, python_calamine, openpyxl" 2>/dev/null ||
  python3 -m pip install -q --disable-pip-version-check xlsxwriter python-calamine openpyxl 2>&1 | grep -v "Running pip as the 'root'" || true

declare -A T M   # seconds and peak MB by "label@rows", for the ratios at the end
measure() { # label, command… → "label  seconds  peak MB"
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$DATA/time.txt" "$@" > /dev/null
  read -r secs kb < "$DATA/time.txt"
  T["$label@$rows"]=$secs; M["$label@$rows"]=$(echo "$kb / 1024" | bc -l)
  printf '%-44s %8.2f s %8.1f MB\n' "$label" "$secs" "${M["$label@$rows"]}"
}
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "-" }'; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(uname -sr)"
for rows in 1000 50000 200000; do
  f="$DATA/effect-$rows.xlsx"
  [ -f "$f" ] || python3 bench/make_effect.py "$rows" "$f"
  echo
  echo "== $rows rows × 13 columns ($(du -h "$f" | cut -f1))"
  measure "inflate floor (unzip -p sheet1)" sh -c "unzip -p '$f' xl/worksheets/sheet1.xml > /dev/null"
  measure "tracksheet read every cell" "$BIN/tracksheet-bench" read "$f"
  measure "python-calamine read every cell" python3 -c "
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path('$f')
for n in wb.sheet_names: wb.get_sheet_by_name(n).to_python()"
  # validate exits 1 when it finds problems (the random rows have some): that is not a failure here.
  measure "tracksheet validate" sh -c "'$BIN/tracksheet' validate '$f' --format json --as-of 2025-06-09 > /dev/null || [ \$? = 1 ]"
  measure "tracksheet recalc (4 ratio columns)" "$BIN/tracksheet" recalc "$f" -o "$DATA/recalc.xlsx" --as-of 2025-06-09
  measure "tracksheet edit one cell + save" "$BIN/tracksheet-bench" edit "$f" "$DATA/edited.xlsx"
  measure "tracksheet insert 2 rows + delete 1 + save" "$BIN/tracksheet-bench" rows "$f" "$DATA/rows.xlsx"
  measure "tracksheet write a new sheet of $rows rows" "$BIN/tracksheet-bench" write "$DATA/written.xlsx" "$rows"
  if [ "$rows" -le 50000 ]; then
    measure "openpyxl load, recompute 4 ratios, save" python3 bench/openpyxl_recalc.py "$f" "$DATA/openpyxl-recalc.xlsx"
    # sync with SQLite: a first sync (setup), a no-op one, and one after 1% of the rows changed.
    rm -f "$DATA/sync.db" && cp "$f" "$DATA/sync.xlsx"
    measure "tracksheet sync, first (SQLite)" sh -c "'$BIN/tracksheet' sync '$DATA/sync.xlsx' --store '$DATA/sync.db' --campaign bench --as-of 2025-06-09 || [ \$? = 1 ]"
    measure "tracksheet sync, no-op" sh -c "'$BIN/tracksheet' sync '$DATA/sync.xlsx' --store '$DATA/sync.db' --as-of 2025-06-09 || [ \$? = 1 ]"
    measure "tracksheet validate (synced file)" sh -c "'$BIN/tracksheet' validate '$DATA/sync.xlsx' --format json --as-of 2025-06-09 > /dev/null || [ \$? = 1 ]"
    "$BIN/tracksheet-bench" edit-percent "$DATA/sync.xlsx" "$DATA/sync.xlsx" 1 > /dev/null
    measure "tracksheet sync, 1% of rows edited" sh -c "'$BIN/tracksheet' sync '$DATA/sync.xlsx' --store '$DATA/sync.db' --as-of 2025-06-09 || [ \$? = 1 ]"
    measure "openpyxl read-only read every cell" python3 -c "
import openpyxl
wb = openpyxl.load_workbook('$f', read_only=True)
for ws in wb.worksheets:
    for _ in ws.iter_rows(values_only=True): pass"
  fi
done

echo
echo "== targets (issue 7), ratios from this run"
printf '%-62s %s\n' "validate 200k / python-calamine 200k (target <= 1.0)" "$(ratio "${T["tracksheet validate@200000"]}" "${T["python-calamine read every cell@200000"]}")"
printf '%-62s %s\n' "validate 200k / inflate floor 200k (target <= 3.0)" "$(ratio "${T["tracksheet validate@200000"]}" "${T["inflate floor (unzip -p sheet1)@200000"]}")"
printf '%-62s %s\n' "openpyxl recalc 50k / tracksheet recalc 50k (target >= 20)" "$(ratio "${T["openpyxl load, recompute 4 ratios, save@50000"]}" "${T["tracksheet recalc (4 ratio columns)@50000"]}")"
printf '%-62s %s MB / %s MB\n' "recalc peak memory 50k / 200k (target < 100 MB, flat)" "$(printf %.1f "${M["tracksheet recalc (4 ratio columns)@50000"]}")" "$(printf %.1f "${M["tracksheet recalc (4 ratio columns)@200000"]}")"
printf '%-62s %s\n' "no-op sync 50k / validate 50k (target <= 2.0)" "$(ratio "${T["tracksheet sync, no-op@50000"]}" "${T["tracksheet validate (synced file)@50000"]}")"
printf '%-62s %s\n' "1%-edited sync 50k / validate 50k" "$(ratio "${T["tracksheet sync, 1% of rows edited@50000"]}" "${T["tracksheet validate (synced file)@50000"]}")"
