#!/usr/bin/env bash
# Checks every part of what tracksheet writes against the ECMA-376 schemas (../shared/tools/ooxml-validate):
# a new workbook of each template, and each real-world fixture after recalc and after sync; then
# LibreOffice recalculates those fixtures and must find every value tracksheet cached.
# Usage: Tests/interop/ooxml_outputs.sh BIN OUTDIR
set -euo pipefail
BIN=$1; OUT=$2/ooxml
VALIDATE=${OOXML_VALIDATE:-../shared/tools/ooxml-validate}
rm -rf "$OUT" && mkdir -p "$OUT"
"$BIN" new "$OUT/new-plan.xlsx" --campaign 618大促 --start 2025-05-01 --end 2025-07-23 > /dev/null
"$BIN" new "$OUT/new-plan-en.xlsx" --campaign "Double 11" --start 2025-10-01 --end 2025-11-30 --lang en > /dev/null
"$BIN" new "$OUT/new-plan-weeks-en.xlsx" --campaign "Double 11" --start 2025-09-01 --end 2025-11-30 --lang en > /dev/null
"$BIN" new "$OUT/new-plan-bare.xlsx" --campaign 618大促 --start 2025-05-01 --end 2025-07-23 --no-dashboard > /dev/null
"$BIN" new "$OUT/new-promo.xlsx" --template multi-platform-promo --campaign 618 --start 2025-06-01 --end 2025-06-18 > /dev/null
"$BIN" new "$OUT/new-card.xlsx" --template process-card --campaign 春季焕新季 --start 2025-05-16 --end 2025-05-31 > /dev/null
for f in Tests/TracksheetCLITests/Fixtures/real-world/*.xlsx; do
  n=$(basename "$f" .xlsx)
  "$BIN" recalc "$f" -o "$OUT/$n-recalc.xlsx" --as-of 2025-06-09 > /dev/null 2>&1 || true
  cp "$f" "$OUT/$n-sync.xlsx"
  "$BIN" sync "$OUT/$n-sync.xlsx" --store "$OUT/store.db" --as-of 2025-06-09 > /dev/null 2>&1 || true
done
for s in marketing-plan-seed multi-platform-618 process-card-spring; do
  "$BIN" recalc "samples/$s.xlsx" -o "$OUT/$s-recalc.xlsx" --as-of 2025-06-09 > /dev/null
done
cp samples/marketing-plan-seed.xlsx "$OUT/sample-seed.xlsx"
cp samples/with-errors/marketing-plan-errors.xlsx "$OUT/sample-errors.xlsx"
files=("$OUT"/*.xlsx)
echo "ooxml: checking ${#files[@]} workbooks tracksheet wrote"
"$VALIDATE" "${files[@]}" | tail -1
# LibreOffice, recalculating everything, computes what tracksheet cached in the fixtures' outputs.
python3 "$(dirname "$0")/check_cached.py" "$OUT"/*-recalc.xlsx "$OUT"/*-sync.xlsx "$OUT"/sample-*.xlsx | tail -8
# Every chart's cached points are the cells it names (the dashboards of new workbooks, and those
# recalc and sync wrote into the fixtures).
python3 "$(dirname "$0")/check_charts.py" "$OUT"/new-*.xlsx "$OUT"/*-recalc.xlsx "$OUT"/*-sync.xlsx | tail -8
# LibreOffice draws every chart of the samples' dashboards (its title printed, its colours on the page).
python3 "$(dirname "$0")/check_drawn.py" "$OUT"/marketing-plan-seed-recalc.xlsx "$OUT"/multi-platform-618-recalc.xlsx "$OUT"/process-card-spring-recalc.xlsx | tail -8
