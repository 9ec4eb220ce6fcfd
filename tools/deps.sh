# tools/deps.sh: sourced by tools/test, tools/demo and tools/install.
# Knows which Debian 12 packages yubin needs and installs the missing ones.

# Build and run: the compiler, Bazel, and the libraries yubin links.
YUBIN_BUILD_PACKAGES="bazel-bootstrap bazel-platforms g++ libgtest-dev \
libgmock-dev libsodium-dev libcdb-dev libc-ares-dev libssl-dev python3"
# Tests only: the real counterparts yubin is checked against, and clang for
# the libFuzzer targets.
YUBIN_TEST_PACKAGES="tzdata clang libclang-rt-14-dev daemontools s6 ucspi-tcp swaks \
strace bsd-mailx dnsmasq-base postfix"

yubin_missing_packages() {
  local pkg missing=""
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
        grep -q 'install ok installed'; then
      missing="$missing $pkg"
    fi
  done
  echo "${missing# }"
}

# yubin_require_packages PKG...: installs what is missing when root;
# otherwise prints the apt-get line to run and exits 111.
yubin_require_packages() {
  local missing
  missing=$(yubin_missing_packages "$@")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "yubin: missing Debian packages; as root, run:" >&2
    echo "  apt-get update && apt-get install -y $missing" >&2
    exit 111
  fi
  echo "yubin: installing: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || { echo "yubin: apt-get update failed" >&2; exit 111; }
  # The peers the tests run (postfix, dnsmasq, ...) must not start as system
  # services: a Postfix on port 25 is the last thing a yubin host wants.
  # Debian's policy-rc.d convention keeps package scripts from starting them.
  local guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\n# installed by yubin tools/deps.sh for one apt-get run\nexit 101\n' > "$guard"
    chmod 755 "$guard"
  fi
  echo "postfix postfix/main_mailer_type select No configuration" |
    debconf-set-selections 2>/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  local rc=$?
  [ -n "$guard" ] && rm -f "$guard"
  [ $rc -eq 0 ] || { echo "yubin: apt-get install failed for: $missing" >&2; exit 111; }
}
