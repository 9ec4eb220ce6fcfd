#!/bin/sh
# bench/supervise.sh: yubin's supervise against Debian's s6-supervise, in one run.
#
#   bench/supervise.sh [ROUNDS]     # default 15 restarts each
#   BENCH_PAUSE=2.5 bench/supervise.sh   # seconds between kills (1.5)
#
# For each supervisor: the same service (exec sleep) in a scratch directory;
# restart latency is the time from kill -9 of the service to the new pid in
# supervise/status (both write the s6 layout; pid = bytes 24..31, not
# while the finishing flag is set), polled
# every 0.1 ms; each kill comes BENCH_PAUSE s after the last start, so
# yubin does not throttle. s6 2.11 restarts at once only a service that was
# up and ready over 1 s, so a second case gives the service a notification-fd
# and reports ready at once. RSS (ps -o rss, KiB) is read after all restarts. Prints
# both medians, both RSS figures and yubin/s6 ratios (<= 1.0: yubin is as
# good or better). Not part of tools/test.
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-15}
command -v s6-supervise >/dev/null || {
  echo "bench/supervise.sh: s6-supervise not found (apt-get install s6)" >&2
  exit 111
}
bazel build -c opt //supervise:supervise >&2
# bazel-bin points at the configuration of the last build: -c opt.
ours=$(pwd)/bazel-bin/supervise/supervise
python3 - "$ours" "$(command -v s6-supervise)" "$rounds" <<'PY'
import os, shutil, signal, statistics, struct, subprocess, sys, tempfile, time

ours, theirs, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
pause = float(os.environ.get("BENCH_PAUSE", "1.5"))
root = tempfile.mkdtemp(prefix="supervise-bench.")

def status_pid(d):
    try:
        with open(os.path.join(d, "supervise/status"), "rb") as f:
            b = f.read()
    except OSError:
        return 0
    if len(b) != 35 or b[34] & 2:  # bit 1: ./finish runs, pid is finish's
        return 0
    return struct.unpack(">Q", b[24:32])[0]

def wait_pid(d, not_pid, deadline=10.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        p = status_pid(d)
        if p and p != not_pid:
            return p
        time.sleep(0.0001)
    raise SystemExit("no new pid in %s" % d)

def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def run(name, binary, ready):
    d = os.path.join(root, name)
    os.mkdir(d)
    with open(os.path.join(d, "run"), "w") as f:
        if ready:
            f.write("#!/bin/sh\necho >&3\nexec sleep 1000\n")
        else:
            f.write("#!/bin/sh\nexec sleep 1000\n")
    if ready:
        with open(os.path.join(d, "notification-fd"), "w") as f:
            f.write("3\n")
    os.chmod(os.path.join(d, "run"), 0o755)
    sup = subprocess.Popen([binary, d], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    pid = wait_pid(d, 0)
    lat = []
    for _ in range(rounds):
        time.sleep(pause)
        t0 = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        pid = wait_pid(d, pid)
        lat.append((time.monotonic() - t0) * 1000.0)
    rss = rss_kib(sup.pid)
    ps = subprocess.run(["ps", "-o", "rss=", "-p", str(sup.pid)],
                        capture_output=True, text=True).stdout.strip()
    with open(os.path.join(d, "supervise/control"), "wb", 0) as c:
        c.write(b"dx")
    sup.wait(timeout=10)
    return statistics.median(lat), min(lat), max(lat), rss, ps

print("restarts per supervisor and case: %d, %.1f s apart" % (rounds, pause))
for case, ready in (("plain service", False), ("service with notification-fd", True)):
    o = run("yubin-%d" % ready, ours, ready)
    s = run("s6-%d" % ready, theirs, ready)
    print("%s:" % case)
    print("  restart latency median (min..max) ms: yubin %.2f (%.2f..%.2f)  s6 %.2f (%.2f..%.2f)"
          % (o[0], o[1], o[2], s[0], s[1], s[2]))
    print("  RSS KiB (ps -o rss): yubin %s  s6 %s" % (o[4], s[4]))
    print("  ratio yubin/s6: latency %.3f  RSS %.2f" % (o[0] / s[0], o[3] / s[3]))
shutil.rmtree(root)
PY
