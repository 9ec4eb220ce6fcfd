# bench/lib/common.sh: what the benchmark scripts share. Sourced.

# A TCP port on 127.0.0.1 that was free a moment ago.
bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bench_wait_port PORT: waits (10 s at most) until something listens there.
bench_wait_port() {
  local i
  for i in $(seq 200); do
    python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$1)))" && return 0
    sleep 0.05
  done
  echo "bench: nothing listens on port $1" >&2
  return 1
}

# bench_now: seconds since the epoch with nanoseconds.
bench_now() { date +%s.%N; }

# bench_rate COUNT START END: COUNT per second, one decimal.
bench_rate() { python3 -c "print('%.1f' % ($1 / ($3 - $2)))"; }

# bench_ratio A B: A / B, two decimals.
bench_ratio() { python3 -c "print('%.2f' % ($1 / $2 if $2 else float('inf')))"; }

# bench_median DECIMALS N...: the median of the numbers (the mean of the two
# middle ones for an even count), with DECIMALS decimals.
bench_median() {
  local decimals=$1
  shift
  python3 -c 'import statistics, sys
print("%.*f" % (int(sys.argv[1]), statistics.median(float(x) for x in sys.argv[2:])))' "$decimals" "$@"
}

# bench_end_to_end_rounds ROUNDS: for bench/local.sh and bench/remote.sh,
# whose run_yubin ROUND and run_postfix ROUND set rate (end to end) and
# accept_rate (SMTP only), in messages/s. Runs ROUNDS rounds of the two in
# turn (each round after the first waits as bench_settle says, since
# Postfix removes its queue files) and prints a row per round, then the
# medians; the ratio's is the median of the rounds' ratios.
bench_end_to_end_rounds() {
  local round y p r ya pa ys=() ps=() rs=() yas=() pas=()
  local row='%-7s %12s %12s %8s %16s %16s\n'
  # shellcheck disable=SC2059
  printf "\n$row" round yubin/s postfix/s ratio "accept yubin/s" "accept postfix/s"
  for round in $(seq "$1"); do
    [ "$round" = 1 ] || bench_settle
    # Not in $(...): the servers started in there would hold its pipe open
    # and their pids would not reach cleanup.
    run_yubin "$round"; y=$rate; ya=$accept_rate
    run_postfix "$round"; p=$rate; pa=$accept_rate
    r=$(bench_ratio "$y" "$p")
    ys+=("$y") ps+=("$p") rs+=("$r") yas+=("$ya") pas+=("$pa")
    # shellcheck disable=SC2059
    printf "$row" "$round" "$y" "$p" "$r" "$ya" "$pa"
  done
  # shellcheck disable=SC2059
  printf "$row" median "$(bench_median 1 "${ys[@]}")" "$(bench_median 1 "${ps[@]}")" \
    "$(bench_median 2 "${rs[@]}")" "$(bench_median 1 "${yas[@]}")" "$(bench_median 1 "${pas[@]}")"
}

# bench_rounds VALUE: VALUE when it is a whole number from 1 to 99, else
# exits with a usage error (the benchmarks' ROUNDS argument).
bench_rounds() {
  case $1 in
    [1-9] | [1-9][0-9]) echo "$1" ;;
    *) echo "bench: ROUNDS must be a whole number from 1 to 99, not '$1'" >&2; exit 100 ;;
  esac
}

# bench_build_opt DIR TARGET...: builds the targets optimised and copies the
# binaries into DIR (named after the target).
bench_build_opt() {
  local dir=$1 target name bin
  shift
  bazel build -c opt --noshow_progress "$@" >/dev/null 2>&1 ||
    { echo "bench: build failed: $*" >&2; return 1; }
  bin=$(bazel info -c opt bazel-bin 2>/dev/null)
  mkdir -p "$dir"
  for target in "$@"; do
    name=${target##*[:/]}
    cp "$bin/${target#//}" "$dir/$name" 2>/dev/null ||
      cp "$bin/${target#//}/$name" "$dir/$name" || return 1
  done
}

# bench_wait_socket PATH: waits up to 10 s for the unix socket PATH.
bench_wait_socket() {
  local i
  for i in $(seq 200); do
    [ -S "$1" ] && return 0
    sleep 0.05
  done
  echo "bench: no socket $1 after 10 s" >&2
  return 1
}

# bench_smtpd_uses: the tcpserver flag that lets one yubin-smtpd process
# serve BENCH_SMTPD_USES connections in turn (default 100, the number of
# clients a Postfix smtpd process serves by default; 1 = a fresh process
# per connection, yubin's default; see tcpserver(8) -m). Nothing when
# $tcpserver is ucspi-tcp's, which has no -m.
bench_smtpd_uses() {
  [ "$tcpserver" = "$work/bin/tcpserver" ] && echo "-m ${BENCH_SMTPD_USES:-100}"
  return 0
}

# bench_start_yubin ROOT AGENT: starts yubin's mail path on ROOT for the
# benchmarks: the intake service, the delivery service AGENT (yubin-lspawn
# or yubin-rspawn), yubin-send, and tcpserver + yubin-smtpd on a free
# loopback port (with bench_smtpd_uses), all from
# $work/bin (tcpserver from $tcpserver, rules $work/rules.cdb). Sets $port,
# appends the pids to the array pids, logs to $work/NAME.err. Returns 1
# (with the logs on stderr) when they do not come up within 10 s.
bench_start_yubin() {
  local root=$1 agent=$2 socket i
  socket=$root/queue/lock/${agent#yubin-}.sock
  YUBIN_ROOT=$root "$work/bin/yubin-intake" >/dev/null 2>"$work/intake.err" &
  pids+=($!)
  bench_wait_socket "$root/intake/intake.sock" || { cat "$work/intake.err" >&2; return 1; }
  YUBIN_ROOT=$root PATH=/usr/bin:/bin "$work/bin/$agent" >/dev/null 2>"$work/$agent.err" &
  pids+=($!)
  YUBIN_ROOT=$root PATH=/usr/bin:/bin "$work/bin/yubin-send" >/dev/null 2>"$work/send.err" &
  pids+=($!)
  port=$(bench_free_port)
  # shellcheck disable=SC2046
  YUBIN_ROOT=$root "$tcpserver" -HR -l bench-yubin.invalid -c 100 $(bench_smtpd_uses) \
    -x "$work/rules.cdb" 127.0.0.1 "$port" "$work/bin/yubin-smtpd" >/dev/null 2>"$work/smtpd.err" &
  pids+=($!)
  bench_wait_port "$port" >&2 || return 1
  for i in $(seq 200); do
    [ -S "$socket" ] && grep -q "yubin-send started" "$work/send.err" && return 0
    sleep 0.05
  done
  echo "bench: yubin-send or $agent did not start:" >&2
  cat "$work/send.err" "$work/$agent.err" >&2
  return 1
}

# Processes a benchmark started in the background (append with pids+=($!)).
pids=()

# bench_stop_started: stops every process in pids and waits for them.
# bench_cpu_started: one line with the CPU seconds (user + system, with
# their reaped children: tcpserver's sessions, yubin-lspawn's deliveries,
# kept ones included)
# each process in pids has used so far, by program name.
bench_cpu_started() {
  local pid tck line=""
  # A delivery child kept for more (up to 2 s) counts once it is reaped:
  # SIGHUP makes yubin-lspawn and yubin-rspawn let them go now.
  for pid in "${pids[@]}"; do
    case $(cat "/proc/$pid/comm" 2>/dev/null) in
      yubin-lspawn|yubin-rspawn) kill -HUP "$pid" 2>/dev/null || true ;;
    esac
  done
  sleep 0.5
  tck=$(getconf CLK_TCK)
  for pid in "${pids[@]}"; do
    [ -r "/proc/$pid/stat" ] || continue
    line+=$(awk -v t="$tck" '{ sub(/^[0-9]+ \(/, ""); name = $1; sub(/\)$/, "", name);
      printf " %s %.2f", name, ($13 + $14 + $15 + $16) / t }' "/proc/$pid/stat")
  done
  echo "cpu seconds:$line"
}

bench_stop_started() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

# bench_cleanup: the EXIT trap of the scripts with private Postfix instances
# in $work/postfix*: stops what they started and removes $work.
bench_cleanup() {
  local dir
  bench_stop_started
  for dir in "$work"/postfix*/; do
    [ -d "$dir/etc" ] && pf_stop "${dir%/}"
  done
  if [ -n "${BENCH_KEEP:-}" ]; then
    echo "bench: kept $work (logs, queues, mailboxes)" >&2
    return
  fi
  rm -rf "$work"
  date +%s > "$bench_deleted_stamp"
}

# Where bench_cleanup notes when it last deleted a work directory.
bench_deleted_stamp=${TMPDIR:-/tmp}/yubin-bench-deleted

# bench_settle: waits until a minute has passed since a benchmark last
# deleted its work directory (thousands of queue and mailbox files), after
# a sync. On ext4 without a journal, every inode allocation skips the inodes
# freed in the last 60 s (300 s while their inode table block is dirty), one
# lookup each: right after a cleanup both MTAs ran at two thirds of their
# speed or less, and the side measured first lost the most.
bench_settle() {
  local last now
  sync
  [ -r "$bench_deleted_stamp" ] || return 0
  last=$(cat "$bench_deleted_stamp" 2>/dev/null || echo 0)
  now=$(date +%s)
  if [ "$((now - last))" -lt 65 ]; then
    echo "bench: waiting $((65 - (now - last))) s for the last cleanup's freed inodes to age" >&2
    sleep "$((65 - (now - last)))"
  fi
}
