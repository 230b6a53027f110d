# probe.sh -- helpers for muster-probe's tests (sourced after lib.sh).
#
# A test gets a throwaway redis ("r", with the muster Functions loaded),
# a musterd serving it ("d", DNS on 127.0.0.1:$dport), hcservers
# (tests/tools/hcserver: TCP/HTTP targets on loopback ports, told what
# to do by signals) and muster-probes, all started in $T and stopped by
# PID.  Everything waits by polling with a deadline.  Times are measured
# in ms with p_now and logged.
#
# SPDX-License-Identifier: BSD-2-Clause

PROBE=${PROBE:-$top_builddir/muster-probe}
HCSERVER=$top_builddir/tests/tools/hcserver
MUSTERCTL=$top_srcdir/contrib/musterctl
MUSTER_LUA=$top_srcdir/contrib/muster.lua

p_now() { echo $(( $(date +%s%N) / 1000000 )); }

# p_setup [MUSTERD-ARGS...]: redis r with the Functions, musterd d.
p_setup() {
	t_need dig redis-server redis-cli
	[ -x "$PROBE" ] || t_skip "muster-probe is not built"
	t_start_redis r
	redis-cli -s "$r_sock" -x FUNCTION LOAD REPLACE <"$MUSTER_LUA" >/dev/null
	dport=$(t_freeport)
	t_start_musterd d -w 1 -l "127.0.0.1:$dport" -r "unix://$r_sock" "$@"
}

# p_redis_again: start redis r again on its socket, port and directory
# (its dump.rdb, written by SAVE, is loaded back).
p_redis_again() {
	t_bg "$T/r.again.log" redis-server --bind 127.0.0.1 --port "$r_port" \
	    --unixsocket "$r_sock" --unixsocketperm 700 --dir "$T/r" \
	    --save "" --appendonly no --daemonize no
	r_pid=$t_last_pid
	t_poll 10 redis-cli -s "$r_sock" ping || { t_fail "redis did not restart"; exit 1; }
}

ctl() { "$MUSTERCTL" -s "$r_sock" "$@"; }
rcli() { redis-cli -s "$r_sock" "$@" </dev/null; }

# p_status ID: the registry's status of ID ("" when not registered).
p_status() { rcli HGET "muster:health:$1" status; }
p_is() { [ "$(p_status "$1")" = "$2" ]; }

# p_start_probe NAME ARGS...: a prober with --id NAME in the foreground,
# ${NAME}_pid; waits until it follows the registry.
p_start_probe() {
	local name=$1
	shift
	t_bg "$T/$name.log" "$PROBE" -f -r "unix://$r_sock" --id "$name" "$@"
	eval "${name}_pid=$t_last_pid"
	if ! t_poll 10 grep -q "probe, following" "$T/$name.log"; then
		cat "$T/$name.log"
		t_fail "prober $name did not start"
		exit 1
	fi
}

# p_token NAME: the lease token of prober NAME, from its log.
p_token() { sed -n 's/.* token \([^ ]*\)$/\1/p' "$T/$1.log" | head -n 1; }

# hc_start NAME PORTS [ARGS...]: an hcserver on PORTS (PORT or LO-HI),
# routes in $T/NAME.routes; ${NAME}_pid.
hc_start() {
	local name=$1 ports=$2
	shift 2
	[ -f "$T/$name.routes" ] || : >"$T/$name.routes"
	t_bg "$T/$name.out" "$HCSERVER" -p "$ports" -r "$T/$name.routes" "$@"
	eval "${name}_pid=$t_last_pid"
	t_poll 5 grep -q '^ready' "$T/$name.out" || { t_fail "hcserver $name"; exit 1; }
}

# hc_lines NAME WORD: how many WORD lines hcserver NAME printed.
hc_lines() { grep -c "^$2" "$T/$1.out"; }
hc_more() { [ "$(hc_lines "$1" "$2")" -gt "$3" ]; }

# hc_signal NAME SIGNAL WORD: signal it, wait for its next WORD line.
hc_signal() {
	local name=$1 sig=$2 word=$3 pid n
	eval "pid=\$${name}_pid"
	n=$(hc_lines "$name" "$word")
	kill "-$sig" "$pid"
	t_poll 5 hc_more "$name" "$word" "$n" ||
	    t_fail "hcserver $name: no $word after SIG$sig"
}

hc_close() { hc_signal "$1" USR1 closed; }	# connections refused
hc_open() { hc_signal "$1" USR2 listening; }

# hc_routes NAME "PATH CODE"...: answer PATH with CODE from now on.
hc_routes() {
	local name=$1
	shift
	printf '%s\n' "$@" >"$T/$name.routes"
	hc_signal "$name" HUP routes
}

# hc_stat NAME FIELD: accepted, open or answered, as of now.
hc_stat() {
	hc_signal "$1" HUP routes
	grep '^routes' "$T/$1.out" | tail -n 1 |
	    awk -v f="$2" '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }'
}

# srv SERVICE [PORT]: "port/weight" of each SRV answer, sorted, from
# musterd d (or the one on PORT).
srv() {
	t_dig "${2:-$dport}" +short SRV "_$1._tcp.service.consul" |
	    awk '{ print $3 "/" $2 }' | sort | paste -sd' ' -
}

# served SERVICE PORT [DNSPORT]: is PORT among SERVICE's SRV answers?
served() { srv "$1" "${3:-}" | tr ' ' '\n' | grep -q "^$2/"; }
not_served() { ! served "$@"; }

# p_measure VAR SECONDS CMD...: poll CMD; VAR = ms it took, or -1.
p_measure() {
	local var=$1 secs=$2 t0
	shift 2
	t0=$(p_now)
	if t_poll "$secs" "$@"; then
		eval "$var=$(( $(p_now) - t0 ))"
	else
		eval "$var=-1"
	fi
}

# p_within WHAT MS MIN MAX: log the time and check MIN <= MS <= MAX.
p_within() {
	t_log "$1: $2 ms (allowed $3..$4 ms)"
	t_checks=$((t_checks + 1))
	if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		t_fail "$1: took $2 ms, not within $3..$4 ms"
	fi
}
