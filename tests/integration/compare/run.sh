#!/usr/bin/env bash
# compare/run.sh -- musterd answers as NSD and Knot DNS answer.
#
# The three servers load the same zone files (compare.zone and child.zone,
# a zone nested under it) from config templates (nsd.conf.in,
# knot.conf.in) rendered into $T, each on its own free loopback port, and
# get the same queries (queries.txt): one dig batch per server, and kdig
# for zone transfers (dig does not print the RCODE of a refused one).
# Every response is normalized (normalize.awk: no IDs, timing, server
# address, cookies, NSID; records within an RRset sorted) and musterd's
# is classified against NSD's and Knot's:
#
#   same        all three agree;
#   ok-nsd / ok-knot
#               NSD and Knot disagree and musterd is like the one named
#               (logged);
#   order       like one of them once the RRsets of the authority and
#               additional sections are sorted (verdict.awk);
#   mixed       each section (header, flags, OPT, question, answer,
#               authority, additional; sorted as for "order") is like
#               that section from NSD or from Knot -- e.g. Knot's minimal
#               authority section with additional records as NSD's;
#   DIFF        like neither: a failure, unless exceptions.txt lists the
#               query ("excepted"; an exception that no longer applies is
#               a failure, "STALE", to keep the list short).
# "order" and "mixed" are logged and reported, and fail with
# COMPARE_STRICT=1.
#
# $T/report.txt has one block per difference with all three normalized
# responses (kept when the test fails, or with T_KEEP=1; copied to
# $COMPARE_REPORT when set; COMPARE_REPORT_ALL=1 adds ok-nsd/ok-knot).
# COMPARE_ONLY=REGEX asks only the matching queries.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh" || exit 99
t_need dig kdig awk sed md5sum
command -v nsd >/dev/null 2>&1 || t_skip "nsd (NSD 4) is not installed"
command -v knotd >/dev/null 2>&1 || t_skip "knotd (Knot DNS 3) is not installed"

here=$top_srcdir/tests/integration/compare
DIG_OPTS="+norec +nocookie +ignore +noednsneg +time=1 +tries=1"
KDIG_OPTS="+norec +nocookie +time=1 +retry=0"
start_ms=$(( $(date +%s%N) / 1000000 ))

# distinct free ports
m_port=$(t_freeport)
n_port=$m_port
while [ "$n_port" = "$m_port" ]; do n_port=$(t_freeport); done
k_port=$m_port
while [ "$k_port" = "$m_port" ] || [ "$k_port" = "$n_port" ]; do
	k_port=$(t_freeport)
done

render() { # render TEMPLATE DIR PORT > CONF
	sed -e "s|@DIR@|$2|g" -e "s|@PORT@|$3|g" -e "s|@ZONEDIR@|$here|g" \
	    -e "s|@USER@|$(id -un):$(id -gn)|g" "$1"
}

# answers PORT: the server serves both zones, with their serials
answers() {
	dig +norec +time=1 +tries=1 +short @127.0.0.1 -p "$1" cmp.test SOA \
	    | grep -q " 2024060101 " &&
	dig +norec +time=1 +tries=1 +short @127.0.0.1 -p "$1" child.cmp.test SOA \
	    | grep -q " 7 "
}

start_server() { # start_server NAME LOG CMD...: start, wait for both zones
	local name=$1 log=$2 port=$3
	shift 3
	t_bg "$log" "$@"
	if ! t_poll 15 answers "$port"; then
		cat "$log" "$T/$name/"*.log 2>/dev/null
		t_fail "$name did not start serving both zones"
		exit 1
	fi
}

mkdir -p "$T/nsd" "$T/knot" "$T/out"
render "$here/nsd.conf.in" "$T/nsd" "$n_port" >"$T/nsd/nsd.conf"
render "$here/knot.conf.in" "$T/knot" "$k_port" >"$T/knot/knot.conf"

t_start_musterd musterd -w 1 -l "127.0.0.1:$m_port" \
    -z "$here/compare.zone" -z "$here/child.zone"
t_poll 10 answers "$m_port" || { t_fail "musterd does not serve both zones"; exit 1; }
start_server nsd "$T/nsd.out" "$n_port" nsd -d -c "$T/nsd/nsd.conf"
start_server knot "$T/knot.out" "$k_port" knotd -c "$T/knot/knot.conf"
t_log "musterd :$m_port, nsd :$n_port ($(nsd -v 2>&1 | head -1)), knotd :$k_port ($(knotd -V))"

# ask PORT TAG: query N's normalized response goes to $T/out/TAG.N.
# The queries go in one dig batch (-f: one query a line, the global
# options apply to each), zone transfers one by one with kdig, which
# unlike dig tells which RCODE refused the transfer.
ask() {
	local i q
	# shellcheck disable=SC2086
	dig @127.0.0.1 -p "$1" $DIG_OPTS -f "$T/batch" >"$T/$2.dig" 2>&1
	awk -v prefix="$T/out/$2" -v map="$T/batch.map" \
	    -f "$here/normalize.awk" "$T/$2.dig"
	grep -c '^; <<>> DiG ' "$T/$2.dig" >"$T/out/count.$2"
	while read -r i q; do
		# shellcheck disable=SC2086
		kdig @127.0.0.1 -p "$1" $KDIG_OPTS $q 2>&1 \
		    | awk -v all=1 -f "$here/normalize.awk" >"$T/out/$2.$i"
	done <"$T/xfr"
}

# reask N LINE: ask query N (LINE as in queries.txt) again, one server
# at a time, and renormalize: a peer that misanswered once under load (a
# busy machine) does not make a difference on its own.
reask() {
	local tag port
	for tag in m n k; do
		case $tag in m) port=$m_port ;; n) port=$n_port ;; k) port=$k_port ;; esac
		case " $2 " in
		*" AXFR "* | *" IXFR="*)
			# shellcheck disable=SC2086
			kdig @127.0.0.1 -p "$port" $KDIG_OPTS $2 2>&1 ;;
		*)
			# shellcheck disable=SC2086
			dig @127.0.0.1 -p "$port" $DIG_OPTS $2 2>&1 ;;
		esac | awk -v all=1 -f "$here/normalize.awk" >"$T/out/$tag.$1"
	done
}

report() { # report VERDICT QUERY M N K [NOTE]
	{
		echo "=== $1: $2${6:+  ($6)}"
		echo "--- musterd"
		cat "$3"
		if cmp -s "$4" "$5"; then
			echo "--- nsd = knot"
			cat "$4"
		else
			echo "--- nsd"
			cat "$4"
			echo "--- knot"
			cat "$5"
		fi
		echo
	} >>"$T/report.txt"
}

declare -A except
if [ -f "$here/exceptions.txt" ]; then
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		except["${line%% | *}"]=${line#* | }
	done <"$here/exceptions.txt"
fi

: >"$T/report.txt"
: >"$T/batch"
: >"$T/batch.map"
: >"$T/xfr"
: >"$T/queries"
n=0
nb=0
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	if [ -n "${COMPARE_ONLY:-}" ] && ! [[ $line =~ $COMPARE_ONLY ]]; then
		continue
	fi
	n=$((n + 1))
	echo "$line" >>"$T/queries"
	case " $line " in
	*" AXFR "* | *" IXFR="*)
		echo "$n $line" >>"$T/xfr" ;;
	*)
		nb=$((nb + 1))
		echo "$line" >>"$T/batch"
		echo "$n" >>"$T/batch.map" ;;
	esac
done <"$here/queries.txt"
[ "$n" -gt 0 ] || t_skip "no query matches COMPARE_ONLY"

ask "$m_port" m & p1=$!
ask "$n_port" n & p2=$!
ask "$k_port" k & p3=$!
wait "$p1" "$p2" "$p3"
for s in m n k; do
	if [ "$(cat "$T/out/count.$s")" != "$nb" ]; then
		t_fail "dig ran $(cat "$T/out/count.$s") of $nb queries against $s; see $T/$s.dig"
		exit 1
	fi
done
t_log "$n queries asked, $(( $(date +%s%N) / 1000000 - start_ms )) ms"

# one checksum per response: few processes per query, the test stays fast
declare -A sum
while read -r h f; do
	sum[$f]=$h
done < <(cd "$T/out" && md5sum -- m.* n.* k.*)

declare -A count
i=0
while IFS= read -r line; do
	i=$((i + 1))
	o=$T/out
	t_checks=$((t_checks + 1))
	note=""
	if [ "${sum[m.$i]}" = "${sum[n.$i]}" ] && [ "${sum[m.$i]}" = "${sum[k.$i]}" ]; then
		v=same
	elif [ "${sum[m.$i]}" = "${sum[n.$i]}" ]; then
		v=ok-nsd
	elif [ "${sum[m.$i]}" = "${sum[k.$i]}" ]; then
		v=ok-knot
	else
		v=DIFF
	fi
	if [ "$v" = DIFF ]; then
		reask "$i" "$line"
		if cmp -s "$o/m.$i" "$o/n.$i" || cmp -s "$o/m.$i" "$o/k.$i"; then
			v=same
			note="matched when asked again"
			echo "# asked again, matched: $line"
		else
			read -r v note < <(awk -f "$here/verdict.awk" "$o/m.$i" "$o/n.$i" "$o/k.$i")
		fi
	fi
	if [ -n "${except[$line]+x}" ]; then
		case $v in
		DIFF | mixed | order)
			note="exception: ${except[$line]}"
			v=excepted ;;
		*)
			v=STALE
			note="listed in exceptions.txt but no longer differs" ;;
		esac
	fi
	count[$v]=$(( ${count[$v]:-0} + 1 ))
	case $v in
	same) ;;
	ok-nsd | ok-knot)
		echo "# $v: $line (nsd and knot differ)"
		[ -z "${COMPARE_REPORT_ALL:-}" ] || report "$v" "$line" "$o/m.$i" "$o/n.$i" "$o/k.$i" ;;
	mixed | order)
		echo "# $v: $line${note:+ ($note)}"
		report "$v" "$line" "$o/m.$i" "$o/n.$i" "$o/k.$i" "$note"
		[ -z "${COMPARE_STRICT:-}" ] || t_fail "$v: $line" ;;
	excepted)
		echo "# $v: $line ($note)"
		report "$v" "$line" "$o/m.$i" "$o/n.$i" "$o/k.$i" "$note" ;;
	DIFF | STALE)
		t_fail "$v: $line${note:+ ($note)}"
		report "$v" "$line" "$o/m.$i" "$o/n.$i" "$o/k.$i" "$note" ;;
	esac
done <"$T/queries"

summary=""
for v in same ok-nsd ok-knot mixed order excepted DIFF STALE; do
	summary="$summary $v=${count[$v]:-0}"
done
t_log "$i queries:$summary; $(( $(date +%s%N) / 1000000 - start_ms )) ms"
[ "$t_failed" -eq 0 ] || echo "# differences with all three responses: $T/report.txt"
if [ -n "${COMPARE_REPORT:-}" ]; then
	cp "$T/report.txt" "$COMPARE_REPORT"
fi
t_done
