# contrib/deps.sh -- install the Debian packages a script needs, if missing.
#
# Sourced by contrib/quickstart and contrib/test.  muster_deps PKG...
# installs, with apt-get, only the packages dpkg does not list as
# installed; it needs root (or sudo) only when something is missing.
#
# SPDX-License-Identifier: BSD-2-Clause

# Build and test dependencies (Debian 12 package names).
MUSTER_BUILD_DEPS="gcc make autoconf automake pkg-config libev-dev
libldns-dev libhiredis-dev libc-ares-dev libcriterion-dev libssl-dev"
MUSTER_RUN_DEPS="redis-server bind9-dnsutils"

muster_deps() {
	local p missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
		    | grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "==> installing:$missing"
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || {
			echo "need root to install:$missing" >&2
			return 1
		}
		sudo=sudo
	fi
	# no services started by package scripts: we start our own
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -q >/dev/null &&
	$sudo apt-get install -y -q --no-install-recommends $missing >/dev/null
}
