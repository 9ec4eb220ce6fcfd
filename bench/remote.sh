#!/usr/bin/env bash
# bench/remote.sh: relaying to a remote host, yubin vs Postfix, in the same run.
#
#   bench/remote.sh [MESSAGES] [SESSIONS] [ROUNDS]  (default 5000 10 3; needs root)
#   BENCH_DEADLINE=600 bench/remote.sh       # seconds a side may take (300)
#   BENCH_KEEP=1 bench/remote.sh             # keep the work directory (logs)
#   BENCH_SMTPD_USES=1 bench/remote.sh       # a fresh yubin-smtpd process per
#                                            # connection (tcpserver -m; default 100)
#
# Postfix's smtp-source injects MESSAGES 1 KB messages over SESSIONS parallel
# SMTP sessions, addressed to far.invalid, and each MTA relays them to its
# own Postfix smtp-sink on loopback. The clock runs from the first connection
# until the sink has received every message:
#   (a) yubin: a user-mode root with tcpserver + yubin-smtpd + yubin-intake,
#       yubin-send and yubin-rspawn running yubin-remote; control/smtproutes
#       sends far.invalid to the sink;
#   (b) a private Postfix instance (own config, queue and port) with
#       relayhost = [127.0.0.1]:SINKPORT.
# Prints messages per second for each and the ratio yubin/Postfix, for
# ROUNDS rounds, yubin and Postfix taking turns (each round has a root, a
# Postfix instance and a sink of its own; nothing is deleted before the
# end), then the medians: the ratio's is the median of the rounds' ratios.
# One round alone varies by 15-20 % on a 2-core VM. Each round after the
# first waits a minute for the inodes of Postfix's removed queue files to
# age (bench_settle), so that neither side pays for the other's removals.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
. bench/lib/common.sh
. bench/lib/postfix_instance.sh

messages=${1:-5000}
sessions=${2:-10}
rounds=$(bench_rounds "${3:-3}")
deadline=${BENCH_DEADLINE:-300}  # seconds for one side to relay everything
[ "$(id -u)" = 0 ] || { echo "bench/remote.sh: run as root (Postfix needs it)" >&2; exit 111; }
# shellcheck disable=SC2086
yubin_require_packages $YUBIN_BUILD_PACKAGES postfix ucspi-tcp

work=$(mktemp -d /tmp/yubin-bench-remote.XXXXXX)
chmod 755 "$work"  # the postfix user must reach its queue
trap bench_cleanup EXIT
trap 'exit 111' INT TERM

targets=(//cmd/yubin-smtpd //cmd/yubin-queue //cmd/yubin-intake //cmd/yubin-mkroot //cmd/yubin-send
  //cmd/yubin-rspawn //cmd/yubin-remote)
[ -f cmd/tcpserver/BUILD ] && targets+=(//cmd/tcpserver //cmd/tcprules)
bench_build_opt "$work/bin" "${targets[@]}"
bench_settle
tcpserver=$work/bin/tcpserver
tcprules=$work/bin/tcprules
[ -x "$tcpserver" ] || { tcpserver=/usr/bin/tcpserver; tcprules=/usr/bin/tcprules; }

# start_sink NAME: starts an smtp-sink on loopback, its running counters (-c)
# in $work/NAME.count, and sets sink_port.
start_sink() {
  local port
  port=$(bench_free_port)
  smtp-sink -c -u postfix "127.0.0.1:$port" 256 > "$work/$1.count" 2>"$work/$1.err" &
  pids+=($!)
  bench_wait_port "$port" >&2
  sink_port=$port
}

# sink_count NAME: messages the sink has received so far.
sink_count() {
  tr '\r' '\n' < "$work/$1.count" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1
}

# wait_sink NAME SIDE: waits until the sink has received $messages messages.
wait_sink() {
  local n=0 end
  end=$(( $(date +%s) + deadline ))
  while :; do
    n=$(sink_count "$1")
    [ "${n:-0}" -ge "$messages" ] && return 0
    [ "$(date +%s)" -lt "$end" ] ||
      { echo "bench: $2 relayed ${n:-0} of $messages within ${deadline}s" >&2; return 1; }
    sleep 0.02
  done
}

run_yubin() {  # ROUND; sets rate and accept_rate: messages/s
  local root=$work/yubin-$1 sink port start accepted end
  start_sink "yubin-sink-$1"; sink=$sink_port
  "$work/bin/yubin-mkroot" --root "$root" --user-mode --me bench-yubin.invalid >/dev/null
  echo bench-yubin.invalid > "$root/control/locals"
  echo "far.invalid:[127.0.0.1]:$sink" > "$root/control/smtproutes"
  printf '127.:allow,RELAYCLIENT="",GREETDELAY="0"\n' |
    "$tcprules" "$work/rules.cdb" "$work/rules.tmp"

  bench_start_yubin "$root" yubin-rspawn || return 1

  start=$(bench_now)
  smtp-source -s "$sessions" -m "$messages" -l 1024 -f a@bench.invalid \
    -t u@far.invalid "127.0.0.1:$port"
  accepted=$(bench_now)
  wait_sink "yubin-sink-$1" yubin ||
    { tail -n 5 "$work/send.err" "$work/yubin-rspawn.err" "$work/intake.err" "$work/smtpd.err" >&2; return 1; }
  end=$(bench_now)
  rate=$(bench_rate "$messages" "$start" "$end")
  accept_rate=$(bench_rate "$messages" "$start" "$accepted")
  bench_cpu_started
  bench_stop_started  # so that Postfix runs alone
}

run_postfix() {  # ROUND; sets rate and accept_rate: messages/s
  local instance=$work/postfix-$1 sink port start accepted end
  start_sink "postfix-sink-$1"; sink=$sink_port
  port=$(bench_free_port)
  pf_start "$instance" "$port" "relayhost = [127.0.0.1]:$sink"
  bench_wait_port "$port" >&2
  start=$(bench_now)
  smtp-source -s "$sessions" -m "$messages" -l 1024 -f a@bench.invalid \
    -t u@far.invalid "127.0.0.1:$port"
  accepted=$(bench_now)
  wait_sink "postfix-sink-$1" postfix ||
    { tail -n 5 "$instance/maillog" >&2; return 1; }
  end=$(bench_now)
  rate=$(bench_rate "$messages" "$start" "$end")
  accept_rate=$(bench_rate "$messages" "$start" "$accepted")
  pf_stop "$instance"  # so that the next yubin round runs alone
  # Postfix removed a queue file per message: the next round waits for
  # those inodes to age (bench_settle), as the first waited for the last
  # benchmark's cleanup.
  date +%s > "$bench_deleted_stamp"
  bench_stop_started   # and its sink
}

echo "yubin side: $tcpserver $(bench_smtpd_uses) + yubin-smtpd + yubin-send + yubin-rspawn + yubin-remote (optimised build)"
bench_end_to_end_rounds "$rounds"
echo "(SMTP relay to a sink; $messages 1 KB messages over $sessions sessions, $rounds rounds; target: median ratio yubin/postfix >= 1.5)"
