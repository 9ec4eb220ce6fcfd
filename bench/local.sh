#!/usr/bin/env bash
# bench/local.sh: local delivery end to end, yubin vs Postfix, in the same run.
#
#   bench/local.sh [MESSAGES] [SESSIONS] [ROUNDS]   (default 2000 10 3; needs root)
#   BENCH_DEADLINE=600 bench/local.sh        # seconds a side may take (300)
#   BENCH_KEEP=1 bench/local.sh              # keep the work directory (logs)
#   BENCH_SMTPD_USES=1 bench/local.sh        # a fresh yubin-smtpd process per
#                                            # connection (tcpserver -m; default 100)
#
# Postfix's smtp-source sends MESSAGES 1 KB messages over SESSIONS parallel
# sessions to one local mailbox, and the clock runs from the first connection
# until the mailbox's Maildir/new holds every message:
#   (a) yubin: a user-mode root with tcpserver + yubin-smtpd + yubin-intake,
#       yubin-send and yubin-lspawn running yubin-local; the recipient is
#       mapped by users/assign (yubin-newu) to a home in the bench directory,
#       owned by a throwaway uid;
#   (b) a private Postfix instance (own config, queue and port) whose virtual
#       delivery agent writes to a Maildir in the bench directory, as the
#       same throwaway uid.
# Prints messages per second for each and the ratio yubin/Postfix, for
# ROUNDS rounds, yubin and Postfix taking turns (each round has a root, a
# Postfix instance and mailboxes of its own; nothing is deleted before the
# end), then the medians: the ratio's is the median of the rounds' ratios.
# One round alone varies by 15-20 % on a 2-core VM. Each round after the
# first waits a minute for the inodes of Postfix's removed queue files to
# age (bench_settle), so that neither side pays for the other's removals.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
. bench/lib/common.sh
. bench/lib/postfix_instance.sh

messages=${1:-2000}
sessions=${2:-10}
rounds=$(bench_rounds "${3:-3}")
deadline=${BENCH_DEADLINE:-300}  # seconds for one side to deliver everything
[ "$(id -u)" = 0 ] || { echo "bench/local.sh: run as root (Postfix needs it)" >&2; exit 111; }
# shellcheck disable=SC2086
yubin_require_packages $YUBIN_BUILD_PACKAGES postfix ucspi-tcp

work=$(mktemp -d /tmp/yubin-bench-local.XXXXXX)
chmod 755 "$work"  # the postfix user and the mailbox owner must reach it
trap bench_cleanup EXIT
trap 'exit 111' INT TERM

targets=(//cmd/yubin-smtpd //cmd/yubin-queue //cmd/yubin-intake //cmd/yubin-mkroot //cmd/yubin-send
  //cmd/yubin-lspawn //cmd/yubin-local //cmd/yubin-newu)
[ -f cmd/tcpserver/BUILD ] && targets+=(//cmd/tcpserver //cmd/tcprules)
bench_build_opt "$work/bin" "${targets[@]}"
bench_settle
tcpserver=$work/bin/tcpserver
tcprules=$work/bin/tcprules
[ -x "$tcpserver" ] || { tcpserver=/usr/bin/tcpserver; tcprules=/usr/bin/tcprules; }

# The mailbox owner: a uid no account uses.
uid=$(python3 -c 'import pwd
u = 62000
while True:
    try: pwd.getpwuid(u); u += 1
    except KeyError: print(u); break')

# mkmaildir HOME: HOME/Maildir/{tmp,new,cur}, all owned by the mailbox owner.
mkmaildir() {
  mkdir -p "$1/Maildir/tmp" "$1/Maildir/new" "$1/Maildir/cur"
  chown -R "$uid:$uid" "$1"
  chmod -R 700 "$1"
}

# wait_maildir DIR SIDE: waits until DIR/new holds $messages files.
wait_maildir() {
  local dir=$1 side=$2 n=0 end
  end=$(( $(date +%s) + deadline ))
  while :; do
    n=$(find "$dir/new" -type f | wc -l)
    [ "$n" -ge "$messages" ] && return 0
    [ "$(date +%s)" -lt "$end" ] ||
      { echo "bench: $side delivered $n of $messages within ${deadline}s" >&2; return 1; }
    sleep 0.02
  done
}

run_yubin() {  # ROUND; sets rate and accept_rate: messages/s
  local root=$work/yubin-$1 home=$work/yubin-home-$1 port start accepted end
  "$work/bin/yubin-mkroot" --root "$root" --user-mode --me bench-yubin.invalid >/dev/null
  chmod 755 "$root"
  echo bench.invalid > "$root/control/locals"
  echo bench.invalid > "$root/control/rcpthosts"
  mkdir -p "$root/users" "$root/alias"
  chown "$uid:$uid" "$root/alias"
  mkmaildir "$home"
  printf '=u:bench:%s:%s:%s:::\n.\n' "$uid" "$uid" "$home" > "$root/users/assign"
  YUBIN_ROOT=$root "$work/bin/yubin-newu" >/dev/null
  printf '127.:allow,GREETDELAY="0"\n' | "$tcprules" "$work/rules.cdb" "$work/rules.tmp"

  bench_start_yubin "$root" yubin-lspawn || return 1

  start=$(bench_now)
  smtp-source -s "$sessions" -m "$messages" -l 1024 -f a@bench.invalid \
    -t u@bench.invalid "127.0.0.1:$port"
  accepted=$(bench_now)
  wait_maildir "$home/Maildir" yubin ||
    { tail -n 5 "$work/send.err" "$work/yubin-lspawn.err" "$work/intake.err" "$work/smtpd.err" >&2; return 1; }
  end=$(bench_now)
  rate=$(bench_rate "$messages" "$start" "$end")
  accept_rate=$(bench_rate "$messages" "$start" "$accepted")
  bench_cpu_started
  bench_stop_started  # so that Postfix runs alone
}

run_postfix() {  # ROUND; sets rate and accept_rate: messages/s
  local home=$work/postfix-mail-$1 instance=$work/postfix-$1 port start accepted end
  mkmaildir "$home/u"
  chown "$uid:$uid" "$home"
  echo "u@bench.invalid u/Maildir/" > "$work/vmailbox-$1"
  port=$(bench_free_port)
  pf_start "$instance" "$port" "virtual_mailbox_domains = bench.invalid
virtual_mailbox_base = $home
virtual_mailbox_maps = texthash:$work/vmailbox-$1
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$uid"
  bench_wait_port "$port" >&2
  start=$(bench_now)
  smtp-source -s "$sessions" -m "$messages" -l 1024 -f a@bench.invalid \
    -t u@bench.invalid "127.0.0.1:$port"
  accepted=$(bench_now)
  wait_maildir "$home/u/Maildir" postfix ||
    { tail -n 5 "$instance/maillog" >&2; return 1; }
  end=$(bench_now)
  rate=$(bench_rate "$messages" "$start" "$end")
  accept_rate=$(bench_rate "$messages" "$start" "$accepted")
  pf_stop "$instance"  # so that the next yubin round runs alone
  # Postfix removed a queue file per message: the next round waits for
  # those inodes to age (bench_settle), as the first waited for the last
  # benchmark's cleanup.
  date +%s > "$bench_deleted_stamp"
}

echo "yubin side: $tcpserver $(bench_smtpd_uses) + yubin-smtpd + yubin-send + yubin-lspawn + yubin-local (optimised build)"
bench_end_to_end_rounds "$rounds"
echo "(SMTP accept to Maildir/new; $messages 1 KB messages over $sessions sessions, $rounds rounds; target: median ratio yubin/postfix >= 1.5)"
