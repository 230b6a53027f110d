# lib.sh -- shared helpers for the integration tests (sourced by run.sh).
#
# Every test gets a private temporary directory ($T), starts its daemons
# on free loopback ports, waits for them by polling with a deadline (never
# a fixed sleep), and stops them by PID when it exits.  A test passes when
# every check passed; t_skip exits 77, which automake reports as SKIP.
#
# Environment: top_builddir and top_srcdir (set by `make check'; default
# to the checkout this file is in).
#
# SPDX-License-Identifier: BSD-2-Clause

set -u

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
MUSTERD=${MUSTERD:-$top_builddir/musterd}
# tests run as root in CI; musterd refuses that unless told
export MUSTERD_ALLOW_ROOT=1
FREEPORT=$top_builddir/tests/tools/freeport

T=$(mktemp -d "${TMPDIR:-/tmp}/muster-test.XXXXXX")
t_pids=""
t_failed=0
t_checks=0

t_cleanup() {
	local pid
	for pid in $t_pids; do
		kill "$pid" 2>/dev/null
	done
	for pid in $t_pids; do
		t_wait_gone "$pid" 5 || kill -9 "$pid" 2>/dev/null
	done
	if [ "$t_failed" -ne 0 ] || [ -n "${T_KEEP:-}" ]; then
		echo "# kept $T for inspection"
	else
		rm -rf "$T"
	fi
}
trap t_cleanup EXIT

t_log() { echo "# $*"; }

t_skip() {
	echo "SKIP: $*"
	exit 77
}

t_fail() {
	t_failed=$((t_failed + 1))
	echo "FAIL: $*"
}

# t_need CMD...: skip the test when a command is missing.
t_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || t_skip "$c is not installed"
	done
}

t_freeport() { "$FREEPORT" "${1:-127.0.0.1}"; }

# t_poll SECONDS CMD...: run CMD until it succeeds or the deadline passes.
t_poll() {
	local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		if [ $(( $(date +%s%N) / 1000000 )) -ge "$deadline" ]; then
			return 1
		fi
		sleep 0.02
	done
	return 0
}

# t_wait_gone PID SECONDS
t_wait_gone() {
	t_poll "$2" sh -c "! kill -0 $1 2>/dev/null"
}

# t_bg LOGFILE CMD...: start CMD in the background, remember its PID in $!.
t_bg() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	t_last_pid=$!
	t_pids="$t_pids $t_last_pid"
}

# t_start_musterd NAME ARGS...: start musterd in the foreground mode with
# ARGS; sets ${NAME}_pid and waits until it logs "started".  The caller
# passes -l with a free port.
t_start_musterd() {
	local name=$1 log
	shift
	log="$T/$name.log"
	t_bg "$log" "$MUSTERD" -f "$@"
	eval "${name}_pid=$t_last_pid"
	if ! t_poll 10 grep -q "musterd .* started" "$log"; then
		cat "$log"
		t_fail "$name did not start"
		exit 1
	fi
}

# t_dig PORT ARGS...: dig against 127.0.0.1:PORT, no retries, short.
t_dig() {
	local port=$1
	shift
	dig +time=2 +tries=1 +norecurse @127.0.0.1 -p "$port" "$@"
}

# t_expect WHAT GOT WANT: compare and count.
t_expect() {
	t_checks=$((t_checks + 1))
	if [ "$2" != "$3" ]; then
		t_fail "$1"
		echo "  got:  $(printf '%s' "$2" | head -c 2000)"
		echo "  want: $3"
	fi
}

# t_expect_match WHAT GOT REGEX
t_expect_match() {
	t_checks=$((t_checks + 1))
	if ! printf '%s\n' "$2" | grep -Eq -- "$3"; then
		t_fail "$1"
		echo "  got:  $(printf '%s' "$2" | head -c 2000)"
		echo "  want: /$3/"
	fi
}

# t_done: report and exit with the right status.
t_done() {
	echo "# $t_checks checks, $t_failed failed"
	[ "$t_failed" -eq 0 ]
	exit $?
}

# t_start_redis NAME [ARGS...]: a throwaway redis-server in $T on a Unix
# socket ($T/NAME.sock, also in ${NAME}_sock) and a free loopback TCP port
# (${NAME}_port); waits until it answers PING.
t_start_redis() {
	local name=$1 port
	shift
	t_need redis-server redis-cli
	port=$(t_freeport)
	mkdir -p "$T/$name"
	t_bg "$T/$name.log" redis-server --bind 127.0.0.1 --port "$port" \
	    --unixsocket "$T/$name.sock" --unixsocketperm 700 --dir "$T/$name" \
	    --save "" --appendonly no --daemonize no "$@"
	eval "${name}_pid=$t_last_pid ${name}_sock=$T/$name.sock ${name}_port=$port"
	if ! t_poll 10 redis-cli -s "$T/$name.sock" ping; then
		cat "$T/$name.log"
		t_fail "redis $name did not start"
		exit 1
	fi
}
