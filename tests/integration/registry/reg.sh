# reg.sh -- helpers for the registry serving tests (sourced after lib.sh).
#
# A test starts a throwaway redis-server with the muster Function library
# loaded (reg_redis), writes the registry only through the Functions
# (fc) unless it means to write bad data by hand, starts musterd on it
# (reg_musterd) and asks questions with dig or, for many questions at
# once, with tests/tools/dnsq (firsts).  Waiting is always t_poll or
# reg_wait with a deadline.
#
# SPDX-License-Identifier: BSD-2-Clause

MUSTER_LUA=$top_srcdir/contrib/muster.lua
DNSQ=$top_builddir/tests/tools/dnsq
P=${P:-muster:}

t_need dig redis-server redis-cli

# reg_redis NAME [REDIS-ARGS...]: start redis NAME, make it the current
# one ($R) and load the Functions into it.
reg_redis() {
	local name=$1
	shift
	t_start_redis "$name" "$@"
	eval "R=\$${name}_sock"
	reg_load
}

# reg_load: load the Function library into the current redis.
reg_load() {
	local got
	got=$(redis-cli -s "$R" -x FUNCTION LOAD REPLACE <"$MUSTER_LUA" 2>&1)
	if [ "$got" != muster ]; then
		t_fail "cannot load $MUSTER_LUA: $got"
		exit 1
	fi
}

# rc ARGS...: redis-cli --raw on the current redis.
rc() { redis-cli -s "$R" --raw "$@" </dev/null; }

# fc FUNCTION ARGS...: FCALL FUNCTION 0 $P ARGS...; a refusal fails the
# test (the data the test meant to write is not there).
fc() {
	local out
	out=$(rc FCALL "$1" 0 "$P" "${@:2}" 2>&1)
	case $out in
	*ERR*)
		t_fail "FCALL $* refused: $out"
		return 1 ;;
	esac
	printf '%s\n' "$out"
}

# reg ID SERVICE ADDRESS PORT [FIELD VALUE...]: register, quietly.
reg() { fc muster_register "$@" >/dev/null; }

# reg_musterd NAME ARGS...: musterd on a free port serving the current
# redis with prefix $P; ${NAME}_port holds the port.  Waits until the
# first full load is logged ("registry, loaded ..." or "registry,
# serving N instances ...").
reg_musterd() {
	local name=$1 port
	shift
	port=$(t_freeport)
	eval "${name}_port=$port"
	t_start_musterd "$name" -w 2 -l "127.0.0.1:$port" -r "unix://$R" \
	    --prefix "$P" "$@"
	if ! t_poll 10 grep -Eq "registry, (loaded|serving [0-9]+ inst)" "$T/$name.log"; then
		cat "$T/$name.log"
		t_fail "$name did not load the registry"
		exit 1
	fi
}

# q PORT ARGS...: dig +short, sorted (for sets of records).
q() {
	local port=$1
	shift
	t_dig "$port" +short "$@" | sort
}

# qs PORT ARGS...: dig +short, in the order of the answer.
qs() {
	local port=$1
	shift
	t_dig "$port" +short "$@"
}

# rcode PORT NAME TYPE: "RCODE ANSWER-COUNT" of a response.
rcode() {
	local port=$1
	shift
	t_dig "$port" "$@" | awk '/->>HEADER<<-/ { gsub(",", "", $6); s = $6 }
	    /^;; flags:/ { for (i = 1; i <= NF; i++) if ($i == "ANSWER:")
		{ a = $(i + 1); sub(",", "", a) } }
	    END { print s, a }'
}

# sect PORT SECTION ARGS...: records of one section as "owner ttl type
# rdata", single spaces, class dropped, sorted.
sect() {
	local port=$1 sec=$2
	shift 2
	t_dig "$port" +noall "+$sec" "$@" |
	    awk '{ $3 = ""; print }' | sed 's/  */ /g' | sort
}

# soa PORT NAME TYPE: the authority section as "owner ttl type".
soa() {
	local port=$1
	shift
	t_dig "$port" +noall +authority "$@" | awk '{ print $1, $2, $4 }'
}

# mkq NAME TYPE: a DNS query (ID 0, no RD, no EDNS) in hex, for dnsq.
mkq() {
	local h="000000000001000000000000" l
	local -a parts
	IFS=. read -ra parts <<<"$1"
	for l in "${parts[@]}"; do
		h+=$(printf '%02x' "${#l}")
		h+=$(printf '%s' "$l" | od -An -tx1 | tr -d ' \n')
	done
	h+=00
	case $2 in
	A) h+=0001 ;;
	AAAA) h+=001c ;;
	SRV) h+=0021 ;;
	*) echo "mkq: type $2?" >&2; return 1 ;;
	esac
	echo "${h}0001"
}

# answers PORT NAME TYPE COUNT: ask COUNT times over UDP (dnsq), print
# one line per response: the answer's records in order, each as its
# address in hex (A, AAAA) or "PRIO:WEIGHT:PORT" in decimal (SRV),
# separated by blanks.  The question has no compression pointers and
# every record's owner is a pointer (2 bytes), so the records can be cut
# from the hex by their RDLENGTH.
answers() {
	local port=$1 name=$2 type=$3 count=$4 qh
	qh=$(mkq "$name" "$type") || return 1
	"$DNSQ" -p "$port" -R "$count" -W 32 -T 3000 -x "$qh" |
	    awk -v ql=${#qh} -v ty="$type" '
		function num(s,   i, v) {
			v = 0
			for (i = 1; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef",
				    substr(s, i, 1)) - 1
			return v
		}
		/ hex=/ {
			h = tolower(substr($0, index($0, " hex=") + 5))
			sub(/ .*/, "", h)
			an = num(substr(h, 13, 4))
			o = ql + 1; line = ""
			for (i = 0; i < an; i++) {
				rdl = num(substr(h, o + 20, 4))
				rd = substr(h, o + 24, rdl * 2)
				if (ty == "SRV")
					rd = num(substr(rd, 1, 4)) ":" \
					    num(substr(rd, 5, 4)) ":" \
					    num(substr(rd, 9, 4))
				line = line (i ? " " : "") rd
				o += 24 + rdl * 2
			}
			print line
		}'
}

# share LINES WANT: in how many per cent of the lines (answers output)
# the first record is WANT (one decimal).
share() {
	printf '%s\n' "$1" | awk -v w="$2" '
	    { n++; if ($1 == w) k++ }
	    END { printf "%.1f\n", n ? 100 * k / n : 0 }'
}

# between VALUE LO HI: LO <= VALUE <= HI (decimals).
between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# reg_wait SECONDS CMD...: like t_poll, polling every 5 ms; sets
# reg_waited to the milliseconds it took.
reg_wait() {
	local start deadline
	start=$(now_ms)
	deadline=$(( start + $1 * 1000 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		if [ "$(now_ms)" -ge "$deadline" ]; then
			reg_waited=$(( $(now_ms) - start ))
			return 1
		fi
		sleep 0.005
	done
	reg_waited=$(( $(now_ms) - start ))
	return 0
}

# is PORT WANT ARGS...: does `q PORT ARGS...' print exactly WANT?
is() {
	local port=$1 want=$2
	shift 2
	[ "$(q "$port" "$@")" = "$want" ]
}

# has PORT LINE ARGS...: does `q PORT ARGS...' print the line LINE?
has() {
	local port=$1 line=$2
	shift 2
	q "$port" "$@" | grep -qxF -- "$line"
}

# logcount NAME REGEX: lines of musterd NAME's log matching REGEX.
logcount() { grep -Ec -- "$2" "$T/$1.log"; }
