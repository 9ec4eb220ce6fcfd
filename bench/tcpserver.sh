#!/bin/sh
# bench/tcpserver.sh: connections per second through yubin's tcpserver and
# through ucspi-tcp's, same run, same flags, same rules cdb, same client
# concurrency, running `echo ok` per connection. Prints both rates and the
# ratio yubin/ucspi-tcp (target: >= 1.0). Not part of tools/test.
#
#   bench/tcpserver.sh [clients (16)] [seconds per round (5)] [rounds (3)]
#
# Rounds alternate which server goes first (ABBA), so that load that grows
# or shrinks during the run hits both alike; the figure per server is its
# total connections over its total time.
set -eu
clients=${1:-16}
seconds=${2:-5}
rounds=${3:-3}
limit=100    # tcpserver -c for both; above the client count, never reached

cd "$(dirname "$0")/.."
bazel build -c opt //cmd/tcpserver //cmd/tcprules //bench:tcp_load >/dev/null 2>&1 ||
  { echo "bench: bazel build failed" >&2; exit 111; }
bin=$(bazel info -c opt bazel-bin 2>/dev/null)
ours=$bin/cmd/tcpserver/tcpserver
load=$bin/bench/tcp_load
theirs=/usr/bin/tcpserver
[ -x "$theirs" ] || { echo "bench: $theirs missing (apt-get install ucspi-tcp)" >&2; exit 111; }

work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

printf '127.0.0.1:allow,RELAYCLIENT=""\n:allow\n' |
  "$bin/cmd/tcprules/tcprules" "$work/rules.cdb" "$work/rules.tmp"

# run_round SERVER: prints "connections seconds errors cpu_seconds" for one
# round; cpu_seconds is the server's CPU time plus that of the children it
# has reaped (programs included), from /proc, a figure that the load of
# other processes on the machine disturbs less than the rate.
run_round() {
  rm -f "$work/port"
  "$1" -1 -HRl0 -c "$limit" -x "$work/rules.cdb" 127.0.0.1 0 echo ok \
    >"$work/port" 2>/dev/null &
  pid=$!
  i=0
  until [ -s "$work/port" ]; do
    i=$((i + 1)); [ $i -gt 500 ] && { echo "bench: $1 did not start" >&2; exit 111; }
    sleep 0.01
  done
  out=$("$load" 127.0.0.1 "$(cat "$work/port")" "$clients" "$seconds")
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15 + $16 + $17) / hz }' \
    "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  echo "$out" | awk -v cpu="$cpu" '{ print $2, $4, $8, cpu }'
}

ours_n=0; ours_t=0; ours_c=0; theirs_n=0; theirs_t=0; theirs_c=0
add() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }
run_ours() {
  set -- $(run_round "$ours")
  ours_n=$((ours_n + $1)); ours_t=$(add "$ours_t" "$2"); ours_c=$(add "$ours_c" "$4")
  echo "round $r yubin:     $1 connections in $2 s, $3 errors, $4 s CPU"
}
run_theirs() {
  set -- $(run_round "$theirs")
  theirs_n=$((theirs_n + $1)); theirs_t=$(add "$theirs_t" "$2"); theirs_c=$(add "$theirs_c" "$4")
  echo "round $r ucspi-tcp: $1 connections in $2 s, $3 errors, $4 s CPU"
}
r=1
while [ $r -le "$rounds" ]; do
  if [ $((r % 2)) = 1 ]; then run_ours; run_theirs; else run_theirs; run_ours; fi
  r=$((r + 1))
done
awk -v on="$ours_n" -v ot="$ours_t" -v oc="$ours_c" -v tn="$theirs_n" \
    -v tt="$theirs_t" -v tc="$theirs_c" -v c="$clients" 'BEGIN {
  o = on / ot; t = tn / tt
  printf "CPU per connection (server + program): yubin %.3f ms, ucspi-tcp %.3f ms\n", 1000 * oc / on, 1000 * tc / tn
  printf "clients %d: yubin %.1f conn/s, ucspi-tcp %.1f conn/s, ratio %.2f\n", c, o, t, o / t
}'
