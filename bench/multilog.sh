#!/usr/bin/env bash
# bench/multilog.sh: yubin's multilog against daemontools' multilog and
# s6-log, in the same run, on the same input.
#
#   bench/multilog.sh [LINES]     # default 1000000 lines (about 69 MB)
#
# Each logger reads the same file on stdin with the script
# "t s16777215 n20 DIR" (s6-log: "t s16777215 n20 DIR", its own syntax) and
# the best of three runs counts. Prints lines/s, peak RSS (from
# /usr/bin/time -v) and the ratios against daemontools' multilog.
# Not part of tools/test.
set -eu
cd "$(dirname "$0")/.."
lines=${1:-1000000}
runs=3

bazel build -c opt --noshow_progress //cmd/multilog >/dev/null 2>&1 ||
  bazel build -c opt //cmd/multilog
ours="$(bazel info -c opt bazel-bin 2>/dev/null)/cmd/multilog/multilog"
theirs=/usr/bin/multilog
s6log=$(command -v s6-log || true)
[ -x "$theirs" ] || { echo "bench: daemontools' multilog missing (apt-get install daemontools)"; exit 111; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)"; exit 111; }

work=$(mktemp -d /tmp/yubin-bench-multilog.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Lines of 69 bytes with a counter: "line NNNNNNN of the benchmark ..." + '\n'.
python3 - "$lines" > "$work/input" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout
pad = "x" * 29
for i in range(n):
    out.write("line %07d of the multilog benchmark %s\n" % (i, pad))
PY
bytes=$(stat -c %s "$work/input")

# measure NAME CMD...: best wall time of $runs runs and the peak RSS.
measure() {
  local name=$1; shift
  local best="" rss=0 t r
  for _ in $(seq $runs); do
    rm -rf "$work/log"
    /usr/bin/time -f '%e %M' -o "$work/time" "$@" < "$work/input"
    read -r t r < "$work/time"
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; fi
    [ "$r" -gt "$rss" ] && rss=$r
  done
  local got
  got=$(cat "$work"/log/@* "$work/log/current" 2>/dev/null | wc -l)
  [ "$got" -eq "$lines" ] || echo "bench: $name logged $got lines, want $lines" >&2
  local rate
  rate=$(awk -v n="$lines" -v t="$best" 'BEGIN{ if (t<=0) t=0.005; printf "%d", n/t }')
  printf '%-22s %8.3f s %12d lines/s %8d KB peak RSS\n' "$name" "$best" "$rate" "$rss"
  eval "rate_$1=$rate; rss_$1=$rss" 2>/dev/null || true
  echo "$name $rate $rss" >> "$work/results"
}

echo "multilog bench: $lines lines, $bytes bytes, script t s16777215 n20 (best of $runs)"
measure yubin-multilog "$ours" t s16777215 n20 "$work/log"
measure daemontools-multilog "$theirs" t s16777215 n20 "$work/log"
if [ -n "$s6log" ]; then
  measure s6-log "$s6log" t s16777215 n20 "$work/log"
fi
awk '
  { rate[$1] = $2; rss[$1] = $3 }
  END {
    d = "daemontools-multilog"
    for (k in rate) if (k != d)
      printf "%-22s throughput %.2fx daemontools, RSS %.2fx daemontools\n", k, rate[k] / rate[d], rss[k] / rss[d]
  }' "$work/results"
