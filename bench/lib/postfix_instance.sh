# bench/lib/postfix_instance.sh: a private Postfix instance for benchmarks.
# Sourced. Needs root and Debian's postfix package; touches nothing of the
# system's own Postfix (own config, queue and data directories, own port).
#
#   pf_start DIR PORT "extra main.cf lines"   # starts it, listening on 127.0.0.1:PORT
#   pf_queued DIR                              # messages in its queue
#   pf_stop DIR

pf_start() {
  local dir=$1 port=$2 extra=$3
  mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
  cat > "$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = bench-postfix.invalid
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_recipient_restrictions = permit_mynetworks, reject
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
smtpd_banner = \$myhostname ESMTP
default_process_limit = 100
$extra
CF
  # Debian's master.cf, with our port for smtpd and no chroot anywhere.
  awk -v port="127.0.0.1:$port" '
    /^#/ || /^[ \t]/ || NF < 8 { print; next }
    $1 == "smtp" && $2 == "inet" { $1 = port }
    { $5 = "n"; print }' /etc/postfix/master.cf > "$dir/etc/master.cf"
  chown -R postfix "$dir/data"
  postfix -c "$dir/etc" check >/dev/null 2>&1 || true
  postfix -c "$dir/etc" start >/dev/null 2>&1 ||
    { echo "bench: postfix would not start (see $dir/maillog)" >&2; return 1; }
}

pf_queued() {
  find "$1/queue/incoming" "$1/queue/active" "$1/queue/deferred" \
    "$1/queue/hold" "$1/queue/maildrop" -type f 2>/dev/null | wc -l
}

pf_stop() {
  postfix -c "$1/etc" stop >/dev/null 2>&1 || true
}
