#!/usr/bin/env bash
# An installed tracksheet (make install's PREFIX, or the make dist tarball unpacked) as a team's
# machine has it: the Swift toolchain (/opt/swift) and this checkout's build folders are hidden
# behind empty tmpfs mounts in a private mount namespace, then new, validate, recalc, sync and
# export run on a copy of a sample. Also: ldd names no Swift library, and with its templates
# unreachable the binary says so in one line with exit 2. Fails loudly, never skips.
set -uo pipefail
prefix=$(cd "$1" && pwd) || { echo "install check: no such folder $1"; exit 2; }
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=$prefix/bin/tracksheet
fail() { echo "install check FAILED ($prefix): $*"; exit 1; }

test -x "$bin" || fail "no executable at $bin"
for f in share/tracksheet/templates/marketing-plan.json share/man/man1/tracksheet.1 \
         share/bash-completion/completions/tracksheet share/zsh/site-functions/_tracksheet \
         share/fish/vendor_completions.d/tracksheet.fish share/doc/tracksheet/guide.md; do
  test -s "$prefix/$f" || fail "missing or empty: $f"
done
grep -q '^\.Dt TRACKSHEET 1' "$prefix/share/man/man1/tracksheet.1" || fail "the man page has no .Dt header"
grep -q 'sync' "$prefix/share/bash-completion/completions/tracksheet" || fail "bash completion does not name sync"

# No library of the Swift toolchain (runtime, Foundation, Dispatch) is needed at run time.
libs=$(ldd "$bin") || fail "ldd failed"
if grep -Ei 'swift|Foundation|dispatch|BlocksRuntime|not found' <<<"$libs"; then
  fail "the binary needs the libraries above"
fi

command -v unshare >/dev/null || fail "unshare (util-linux) is needed to hide the toolchain"
work=$(mktemp -d /tmp/tracksheet-check.XXXXXX)
cp "$repo/samples/marketing-plan-seed.xlsx" "$work/plan.xlsx"
hide="mount -t tmpfs none /opt/swift"
for d in "$repo/.build" "$repo/.build-static"; do [ -d "$d" ] && hide="$hide && mount -t tmpfs none $d"; done
unshare -m bash -c "$hide" || fail "cannot hide /opt/swift in a mount namespace (unshare -m needs root or user namespaces)"

run() {
  # Runs the installed binary with the toolchain and build folders hidden; prints what it said.
  unshare -m bash -c "$hide && cd '$work' && test ! -e /opt/swift/usr && env -u TRACKSHEET_TEMPLATES $*"
}
out=$(run "'$bin' --version") || fail "--version: $out"
grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{7,}' <<<"$out" || fail "--version names no version and commit: $out"
out=$(run "'$bin' new blank.xlsx --template marketing-plan --campaign 试用 --start 2025-05-01 --end 2025-06-30") \
  || fail "new: $out"
test -s "$work/blank.xlsx" || fail "new wrote nothing"
run "'$bin' validate plan.xlsx --as-of 2025-06-09" >/dev/null || fail "validate of the seed plan did not exit 0"
run "'$bin' recalc plan.xlsx -o recalc.xlsx --as-of 2025-06-09" >/dev/null || fail "recalc failed"
test -s "$work/recalc.xlsx" || fail "recalc wrote nothing"
run "'$bin' sync plan.xlsx --store store.db --as-of 2025-06-09" >/dev/null || fail "sync failed"
test -s "$work/store.db" || fail "sync made no store"
run "'$bin' export out.xlsx --campaign 母婴新品奶粉上市推广 --store store.db" >/dev/null || fail "export failed"

# Templates out of reach: one line, exit 2, no crash. The binary alone, copied elsewhere.
mkdir -p "$work/alone/bin" && cp "$bin" "$work/alone/bin/"
err=$(run "'$work/alone/bin/tracksheet' new x.xlsx --campaign A --start 2025-05-01 --end 2025-06-01" 2>&1); rc=$?
[ "$rc" = 2 ] || fail "without its templates new exited $rc (want 2): $err"
[ "$(wc -l <<<"$err")" = 1 ] && grep -q '^tracksheet: ' <<<"$err" || fail "without its templates new said: $err"
test ! -e "$work/x.xlsx" || fail "without its templates new still wrote x.xlsx"
rm -rf "$work"
echo "install check passed: $prefix (toolchain hidden; new, validate, recalc, sync, export; ldd clean)"
