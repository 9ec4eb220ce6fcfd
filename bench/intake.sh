#!/usr/bin/env bash
# bench/intake.sh: SMTP intake, yubin vs Postfix, in the same run.
#
#   bench/intake.sh [MESSAGES] [SESSIONS] [ROUNDS]   (default 2000 10 3; needs root)
#   BENCH_SMTPD_USES=1 bench/intake.sh       # a fresh yubin-smtpd process per
#                                            # connection (tcpserver -m; default 100)
#
# Postfix's smtp-source sends MESSAGES messages over SESSIONS parallel
# sessions, first of 1 KB and then of 100 KB, to (a) yubin: tcpserver +
# yubin-smtpd + the intake service (yubin-intake) on a throwaway root, queue
# only (no yubin-send),
# and (b) a private Postfix instance (own config, queue and port; mail is
# deferred, so it only queues). Both fsync a message before the 250. Prints
# accepted messages per second for each and the ratio yubin/Postfix, for
# ROUNDS rounds of each size, yubin and Postfix taking turns (nothing is
# deleted between rounds: every yubin round has a root of its own), then
# the medians: the ratio's is the median of the rounds' ratios. One round
# alone varies by 15-20 % on a 2-core VM.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
. bench/lib/common.sh
. bench/lib/postfix_instance.sh

messages=${1:-2000}
sessions=${2:-10}
rounds=$(bench_rounds "${3:-3}")
[ "$(id -u)" = 0 ] || { echo "bench/intake.sh: run as root (Postfix needs it)" >&2; exit 111; }
# shellcheck disable=SC2086
yubin_require_packages $YUBIN_BUILD_PACKAGES postfix ucspi-tcp

work=$(mktemp -d /tmp/yubin-bench-intake.XXXXXX)
chmod 755 "$work"  # the postfix user must reach its queue
server_pid=""
intake_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$intake_pid" ] && kill "$intake_pid" 2>/dev/null
  pf_stop "$work/postfix"
  rm -rf "$work"
  date +%s > "$bench_deleted_stamp"  # for the next benchmark's bench_settle
}
trap cleanup EXIT

targets=(//cmd/yubin-smtpd //cmd/yubin-queue //cmd/yubin-intake //cmd/yubin-mkroot
  //cmd/yubin-qstat)
[ -f cmd/tcpserver/BUILD ] && targets+=(//cmd/tcpserver //cmd/tcprules)
bench_build_opt "$work/bin" "${targets[@]}"
bench_settle
tcpserver=$work/bin/tcpserver
tcprules=$work/bin/tcprules
[ -x "$tcpserver" ] || { tcpserver=/usr/bin/tcpserver; tcprules=/usr/bin/tcprules; }
echo "yubin side: $tcpserver $(bench_smtpd_uses) + yubin-smtpd + yubin-intake (optimised build)"

printf '127.:allow,RELAYCLIENT="",GREETDELAY="0"\n' |
  "$tcprules" "$work/rules.cdb" "$work/rules.tmp"

pf_port=$(bench_free_port)
pf_start "$work/postfix" "$pf_port" "relay_domains = example.com
defer_transports = smtp, relay"
bench_wait_port "$pf_port"

run_yubin() {  # SIZE ROUND -> messages/s
  local size=$1 root port start end queued
  root="$work/root-$size-$2"
  "$work/bin/yubin-mkroot" --root "$root" --user-mode --me bench-yubin.invalid >/dev/null
  echo example.com > "$root/control/rcpthosts"
  YUBIN_ROOT=$root "$work/bin/yubin-intake" >/dev/null 2>"$work/intake.err" &
  intake_pid=$!
  bench_wait_socket "$root/intake/intake.sock" || { cat "$work/intake.err" >&2; exit 1; }
  port=$(bench_free_port)
  # shellcheck disable=SC2046
  YUBIN_ROOT=$root "$tcpserver" -HR -l bench-yubin.invalid -c 100 $(bench_smtpd_uses) \
    -x "$work/rules.cdb" 127.0.0.1 "$port" "$work/bin/yubin-smtpd" 2>/dev/null &
  server_pid=$!
  bench_wait_port "$port" >/dev/null
  start=$(bench_now)
  smtp-source -s "$sessions" -m "$messages" -l "$size" -f a@bench.invalid \
    -t u@example.com "127.0.0.1:$port"
  end=$(bench_now)
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  kill "$intake_pid"; wait "$intake_pid" 2>/dev/null || true; intake_pid=""
  queued=$(YUBIN_ROOT=$root "$work/bin/yubin-qstat" | head -1 | awk '{print $NF}')
  [ "$queued" = "$messages" ] ||
    { echo "bench: yubin queued $queued of $messages" >&2; exit 1; }
  bench_rate "$messages" "$start" "$end"
}

run_postfix() {  # SIZE -> messages/s
  local size=$1 start end queued before
  before=$(pf_queued "$work/postfix")
  start=$(bench_now)
  smtp-source -s "$sessions" -m "$messages" -l "$size" -f a@bench.invalid \
    -t u@example.com "127.0.0.1:$pf_port"
  end=$(bench_now)
  # Messages move between queue directories while we count; give the
  # queue manager a moment, then count every queue file.
  sleep 2
  queued=$(( $(pf_queued "$work/postfix") - before ))
  [ "$queued" -ge "$messages" ] ||
    { echo "bench: postfix queued $queued of $messages" >&2; exit 1; }
  bench_rate "$messages" "$start" "$end"
}

printf '\n%-10s %-7s %12s %12s %8s\n' size round yubin/s postfix/s ratio
for size in 1024 102400; do
  ys=() ps=() rs=()
  for round in $(seq "$rounds"); do
    y=$(run_yubin "$size" "$round")
    p=$(run_postfix "$size")
    r=$(bench_ratio "$y" "$p")
    ys+=("$y") ps+=("$p") rs+=("$r")
    printf '%-10s %-7s %12s %12s %8s\n' "$size" "$round" "$y" "$p" "$r"
  done
  printf '%-10s %-7s %12s %12s %8s\n' "$size" median "$(bench_median 1 "${ys[@]}")" \
    "$(bench_median 1 "${ps[@]}")" "$(bench_median 2 "${rs[@]}")"
done
echo "($messages messages over $sessions sessions, $rounds rounds of each size; target: median ratio yubin/postfix >= 2.0)"
