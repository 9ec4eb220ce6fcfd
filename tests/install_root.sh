#!/bin/bash
# tests/install_root.sh: tools/install as root, for real, on a throwaway
# root: accounts, ownership, setuid yubin-queue, boot files, privilege drops
# of every service, mail through SMTP and sendmail to a real account's
# Maildir, the init script, and an upgrade that keeps mail and edits.
#
#   unshare -m --propagation private tests/install_root.sh REPO BUILT
#
# Run it in a private mount namespace (as install_root_test does): it mounts
# a copy of /etc over /etc and overlays on /usr/sbin and /usr/bin, so the
# accounts, boot files, rc links and sendmail links it creates vanish with
# the namespace, and hides /run/systemd so the host looks like a SysV one. BUILT holds the programs (bin/) and templates (share/yubin/services).
# Prints "ok: ..." per check; on the first failure prints "FAIL: got X, want
# Y" (and the logs) and exits 1.
set -u
repo=$1
built=$2
[ "$(id -u)" = 0 ] || { echo "FAIL: needs root"; exit 1; }

work=$(mktemp -d /tmp/yubin-rootinst.XXXXXX) || exit 1
chmod 755 "$work"
prefix=$work/prefix
root=$work/root
cleanup() {
  for exe in /proc/[0-9]*/exe; do
    case "$(readlink "$exe" 2>/dev/null)" in
      "$prefix"/bin/*) pid=${exe#/proc/}; kill -9 "${pid%/exe}" 2>/dev/null ;;
    esac
  done
  umount /etc /usr/sbin /usr/bin 2>/dev/null
  umount /run/systemd 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  [ -x "$prefix/bin/yubinctl" ] && "$prefix/bin/yubinctl" --root "$root" logs -n 10
  exit 1
}
ok() { echo "ok: $*"; }
# want WHAT GOT WANT
want() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; ok "$1: $2"; }

cp -a /etc "$work/etc" && mount --bind "$work/etc" /etc || fail "cannot make a private /etc"
if [ -d /run/systemd ]; then mount -t tmpfs tmpfs /run/systemd || fail "cannot hide systemd"; fi
for d in /usr/sbin /usr/bin; do
  mkdir -p "$work/overlay$d/upper" "$work/overlay$d/work"
  mount -t overlay overlay -o "lowerdir=$d,upperdir=$work/overlay$d/upper,workdir=$work/overlay$d/work" \
    "$d" || fail "cannot overlay $d"
done
had_sendmail=no
[ -e /usr/sbin/sendmail ] && [ ! -L /usr/sbin/sendmail ] && had_sendmail=yes
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"$repo/tools/install" --built "$built" --prefix "$prefix" --root "$root" --port "$port" \
  --address 127.0.0.1 --enable --sendmail > "$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "tools/install exited $?"; }
ok "tools/install as root"

for account in yubind yubinq yubins yubinr yubinl alias; do
  getent passwd "$account" > /dev/null || fail "account $account: got none, want one"
done
ok "accounts yubind yubinq yubins yubinr yubinl alias"
want "owner of queue/" "$(stat -c %U "$root/queue")" yubinq
want "owner and mode of yubin-queue" "$(stat -c '%U %a' "$prefix/bin/yubin-queue")" "yubinq 4711"
want "owner of the alias home" "$(stat -c %U "$root/alias")" alias
want "owner of log/smtpd" "$(stat -c %U "$root/log/smtpd")" yubinl
grep -q -- "-u $(id -u yubind) -g $(id -g yubind)" "$root/service/smtpd/run" ||
  fail "smtpd/run: got no '-u $(id -u yubind) -g $(id -g yubind)'"
grep -q "setuidgid yubinq yubin-send -d 3" "$root/service/send/run" ||
  fail "send/run: got no 'setuidgid yubinq yubin-send'"
ok "run scripts drop privileges"
[ -f /etc/systemd/system/yubin.service ] && [ -x /etc/init.d/yubin ] ||
  fail "boot files: got none in /etc, want yubin.service and init.d/yubin"
ok "boot files in /etc"
ls /etc/rc2.d/S*yubin > /dev/null 2>&1 || fail "--enable: got no /etc/rc2.d/S*yubin link"
ls /etc/rc0.d/K*yubin > /dev/null 2>&1 || fail "--enable: got no /etc/rc0.d/K*yubin link"
ok "rc links (update-rc.d)"
for link in /usr/sbin/sendmail /usr/bin/mailq /usr/bin/newaliases; do
  want "$link" "$(readlink "$link")" "$prefix/bin/sendmail"
done
if [ "$had_sendmail" = yes ]; then
  [ -e /usr/sbin/sendmail.pre-yubin ] || fail "the old sendmail: got none, want sendmail.pre-yubin"
  ok "the old /usr/sbin/sendmail kept as sendmail.pre-yubin"
fi
[ -f "$root/control/tcp.smtp.cdb" ] || fail "tcp.smtp.cdb: got none"

useradd --create-home --home-dir "$work/kim" kim || fail "useradd kim"
su -s /bin/sh kim -c "mkdir -p $work/kim/Maildir/tmp $work/kim/Maildir/new $work/kim/Maildir/cur"
me=$(cat "$root/control/me")

/etc/init.d/yubin start > "$work/start.log" 2>&1 || { cat "$work/start.log"; fail "init.d start"; }
ok "/etc/init.d/yubin start: every service ready"
svc_user() {
  pid=$("$prefix/bin/svstat" "$root/service/$1" | sed -n 's/.*up (pid \([0-9]*\)).*/\1/p')
  ps -o user= -p "$pid" | tr -d ' '
}
want "user of smtpd (tcpserver)" "$(svc_user smtpd)" yubind
want "user of send" "$(svc_user send)" yubinq
want "user of local" "$(svc_user local)" root
want "user of smtpd/log" "$(svc_user smtpd/log)" yubinl
want "user of intake" "$(svc_user intake)" yubinq
want "owner of intake/" "$(stat -c %U "$root/intake")" yubinq
want "mode of the intake socket" "$(stat -c %a "$root/intake/intake.sock")" 666
# Until the mail below is in, only the intake service can queue: smtpd and
# both sendmails must reach it (kim through the public socket).
chmod 0 "$prefix/bin/yubin-queue"

swaks --server 127.0.0.1 --port "$port" --from a@example.org --to "kim@$me" \
  --header "Subject: by smtp" > "$work/swaks.log" 2>&1 || { cat "$work/swaks.log"; fail "swaks"; }
printf 'Subject: by sendmail\n\nhello\n' | YUBIN_ROOT=$root /usr/sbin/sendmail kim ||
  fail "/usr/sbin/sendmail as root"
su -s /bin/sh kim -c "printf 'Subject: from kim\n\nhi\n' | YUBIN_ROOT=$root $prefix/bin/sendmail kim" ||
  fail "sendmail as kim"
for _ in $(seq 300); do
  [ "$(find "$work/kim/Maildir/new" -type f | wc -l)" -ge 3 ] && break
  sleep 0.1
done
chmod 4711 "$prefix/bin/yubin-queue"
ok "smtpd and sendmail queued through the intake service"
want "messages in kim's Maildir" "$(find "$work/kim/Maildir/new" -type f | wc -l)" 3
want "owner of a delivered message" \
  "$(stat -c %U "$(find "$work/kim/Maildir/new" -type f | head -1)")" kim

/etc/init.d/yubin status > /dev/null || fail "init.d status: got $?, want 0"
ok "/etc/init.d/yubin status"
"$prefix/bin/yubinctl" --root "$root" doctor > "$work/doctor.log" ||
  { cat "$work/doctor.log"; fail "doctor found problems"; }
ok "yubinctl doctor: no problems"
# Upgrade in place while running: edits, queue and mail survive, mail flows.
echo "&admin@example.org" > "$root/alias/.qmail-root"
"$repo/tools/install" --built "$built" --prefix "$prefix" --root "$root" --port "$port" \
  --address 127.0.0.1 > "$work/install2.log" 2>&1 ||
  { cat "$work/install2.log"; fail "second tools/install"; }
want "alias/.qmail-root after the upgrade" "$(cat "$root/alias/.qmail-root")" "&admin@example.org"
want "messages after the upgrade" "$(find "$work/kim/Maildir/new" -type f | wc -l)" 3
"$prefix/bin/yubinctl" --root "$root" status > /dev/null || fail "status after the upgrade"
printf 'Subject: after the upgrade\n\nhello\n' | YUBIN_ROOT=$root /usr/sbin/sendmail kim ||
  fail "sendmail after the upgrade"
for _ in $(seq 300); do
  [ "$(find "$work/kim/Maildir/new" -type f | wc -l)" -ge 4 ] && break
  sleep 0.1
done
want "messages after mail sent after the upgrade" "$(find "$work/kim/Maildir/new" -type f | wc -l)" 4
/etc/init.d/yubin stop > /dev/null || fail "init.d stop"
ok "/etc/init.d/yubin stop"

echo "PASS"
