# fwd.sh -- helpers for the forwarding, ACL, PTR and host resolver tests
# (sourced after tests/lib.sh).
#
# The upstream is a second musterd serving the zone files of this
# directory (upstream.test. and two reverse zones) with a large UDP
# payload, so that answers it sends differ from what the musterd under
# test would make itself (its OPT says udp 4096, ours 1232).  The
# registry is a throwaway redis-server with contrib/muster.lua loaded;
# services are written only through its Functions.
#
# SPDX-License-Identifier: BSD-2-Clause

FWD_DIR=$top_srcdir/tests/integration/forward
MUSTER_LUA=$top_srcdir/contrib/muster.lua
DNSQ=$top_builddir/tests/tools/dnsq
P=muster:

# fwd_upstream NAME [ADDR [PORT]]: the test upstream on ADDR (127.0.0.1)
# and PORT (a free one); ${NAME}_port holds the port.
fwd_upstream() {
	local name=$1 addr=${2:-127.0.0.1} port=${3:-}
	[ -n "$port" ] || port=$(t_freeport "$addr")
	eval "${name}_port=$port"
	t_start_musterd "$name" -w 1 -l "$addr:$port" --udp-payload 4096 \
	    -z "$FWD_DIR/upstream.zone" -z "$FWD_DIR/upstream-rev4.zone" \
	    -z "$FWD_DIR/upstream-rev6.zone"
}

# fwd_redis NAME: a redis with the Function library; $R is its socket.
fwd_redis() {
	local got
	t_start_redis "$1"
	eval "R=\$${1}_sock"
	got=$(redis-cli -s "$R" -x FUNCTION LOAD REPLACE <"$MUSTER_LUA" 2>&1)
	if [ "$got" != muster ]; then
		t_fail "cannot load $MUSTER_LUA: $got"
		exit 1
	fi
}

# fc FUNCTION ARGS...: FCALL FUNCTION 0 $P ARGS...; a refusal fails.
fc() {
	local out
	out=$(redis-cli -s "$R" --raw FCALL "$1" 0 "$P" "${@:2}" </dev/null 2>&1)
	case $out in
	*ERR*) t_fail "FCALL $* refused: $out"; return 1 ;;
	esac
}

# reg ID SERVICE ADDRESS PORT [FIELD VALUE...]; node NAME ADDRESS
reg() { fc muster_register "$@"; }
node() { fc muster_node "$@"; }

# rcode PORT ARGS...: "RCODE flags" of the answer (dig's header lines).
rcode() { rcode_at 127.0.0.1 "$@"; }

# rcode_at SERVER PORT ARGS...: the same from another server address.
rcode_at() {
	local server=$1 port=$2
	shift 2
	dig +time=2 +tries=1 +norecurse @"$server" -p "$port" "$@" | awk '/->>HEADER<<-/ { gsub(",", "", $6); s = $6 }
	    /^;; flags:/ { f = $0; sub(/^;; flags: /, "", f); sub(/;.*/, "", f) }
	    END { print s, f }'
}

# sections PORT ARGS...: answer, authority and additional records, TTLs
# kept, one per line, blanks squeezed (the same for direct and relayed).
sections() {
	local port=$1
	shift
	t_dig "$port" +noall +answer +authority +additional "$@" \
	    | sed 's/[[:space:]][[:space:]]*/ /g'
}

# ms: a monotonic-enough clock in milliseconds.
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# fwd_blackhole NAME: a UDP and TCP socket on a free port that take
# queries and never answer; ${NAME}_port holds the port.
fwd_blackhole() {
	local name=$1 port
	port=$(t_freeport)
	eval "${name}_port=$port"
	t_bg "$T/$name.log" perl -MSocket -e '
		my $p = $ARGV[0];
		my $a = pack_sockaddr_in($p, inet_aton("127.0.0.1"));
		socket(U, PF_INET, SOCK_DGRAM, 0) or die "socket: $!";
		bind(U, $a) or die "bind udp: $!";
		socket(S, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
		setsockopt(S, SOL_SOCKET, SO_REUSEADDR, 1);
		bind(S, $a) or die "bind tcp: $!";
		listen(S, 64) or die "listen: $!";
		$| = 1;
		print "ready\n";
		sleep;' "$port"
	if ! t_poll 5 grep -q ready "$T/$name.log"; then
		cat "$T/$name.log"
		t_fail "blackhole $name did not start"
		exit 1
	fi
}

# qhex_to VAR ID NAME TYPE: VAR = a query (RD set, no EDNS) as hex, for
# dnsq; no subshell, so that bursts of hundreds are quick to make.
qhex_to() {
	local fwd_out fwd_h fwd_l fwd_i fwd_labels
	printf -v fwd_out '%04x01000001000000000000' "$2"
	IFS=. read -ra fwd_labels <<<"$3"
	for fwd_l in "${fwd_labels[@]}"; do
		printf -v fwd_h '%02x' "${#fwd_l}"
		fwd_out+=$fwd_h
		for ((fwd_i = 0; fwd_i < ${#fwd_l}; fwd_i++)); do
			printf -v fwd_h '%02x' "'${fwd_l:fwd_i:1}"
			fwd_out+=$fwd_h
		done
	done
	printf -v "$1" '%s00%04x0001' "$fwd_out" "$4"
}

# qhex ID NAME TYPE: the same on stdout.
qhex() {
	local q
	qhex_to q "$@"
	printf '%s\n' "$q"
}

# burst VAR COUNT PREFIX: VAR = COUNT queries (array) for PREFIX<i>.upstream.test A
burst() {
	local -n fwd_arr=$1
	local i
	fwd_arr=()
	for ((i = 1; i <= $2; i++)); do
		qhex_to "fwd_arr[$((i - 1))]" "$i" "$3$i.upstream.test" 1
	done
}

# fwd_musterd NAME ARGS...: musterd on the registry $R (prefix $P) on a
# free port (${NAME}_port), waiting for the first full load.
fwd_musterd() {
	local name=$1 port
	shift
	port=$(t_freeport)
	eval "${name}_port=$port"
	t_start_musterd "$name" -w 2 -l "127.0.0.1:$port" -r "unix://$R" \
	    --prefix "$P" "$@"
	if ! t_poll 10 grep -Eq "registry, (loaded|serving [0-9]+ inst)" \
	    "$T/$name.log"; then
		cat "$T/$name.log"
		t_fail "$name did not load the registry"
		exit 1
	fi
}

# answers PORT WANT ARGS...: dig +short ARGS (RD set, as stub resolvers
# ask) gives WANT (sorted, on one line); for t_poll.
answers() {
	local port=$1 want=$2
	shift 2
	[ "$(t_dig "$port" +recurse +short "$@" | sort | tr '\n' ' ')" = "$want" ]
}

# upstream_queries NAME: queries the musterd NAME received so far (its
# SIGUSR1 statistics line).
upstream_queries() {
	local pid n before
	eval "pid=\$${1}_pid"
	before=$(grep -c "stats, queries" "$T/$1.log")
	kill -USR1 "$pid"
	t_poll 5 sh -c "[ \$(grep -c 'stats, queries' '$T/$1.log') -gt $before ]"
	n=$(grep "stats, queries" "$T/$1.log" | tail -1 \
	    | sed 's/.*queries udp \([0-9]*\) tcp \([0-9]*\).*/\1 \2/')
	echo $(( ${n% *} + ${n#* } ))
}
