#!/usr/bin/env bash
# registry/order/run.sh -- the order of A/AAAA/SRV answers, statistically.
#
# musterd reorders every answer (RFC 2782 weighted random order within
# each priority group, groups in ascending priority) so that SRV clients
# and plain getaddrinfo clients alike follow the weights.  Each check
# asks thousands of times over UDP (tests/tools/dnsq) and looks at the
# first record of each answer.  The bands are at least 6 standard
# deviations wide on each side of the expected share, so a correct server
# cannot fail them by chance, yet they are narrow enough to tell a
# proportional choice (weight w of total S first in w/S of the answers)
# from a biased one.
#
# Behaviours checked:
#  - weights 1 and 9: the heavier first in ~90 % (86-94) of 4000 SRV and
#    of 4000 A answers;
#  - weights 1, 2, 7: first in ~10/20/70 %;
#  - equal weights (1, 1; and 0, 0): each first in ~50 % (42-58);
#  - weight 0 next to weight 100: first in at most 5 %;
#  - priority: the lower-priority instance is first in every answer,
#    whatever the weights; each group is in its own weighted order;
#  - --answer-limit 1 picks the one record by weight;
#  - every answer holds every instance exactly once.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/registry/reg.sh"

reg_redis r
reg w19-1 w19 10.1.0.1 1001 weight 1
reg w19-9 w19 10.1.0.9 1009 weight 9
reg w127-1 w127 10.2.0.1 2001 weight 1
reg w127-2 w127 10.2.0.2 2002 weight 2
reg w127-7 w127 10.2.0.7 2007 weight 7
reg eq-a eq 10.3.0.1 3001
reg eq-b eq 10.3.0.2 3002
reg zz-a zz 10.4.0.1 4001 weight 0
reg zz-b zz 10.4.0.2 4002 weight 0
reg z-0 z 10.5.0.0 5000 weight 0
reg z-100 z 10.5.0.100 5100 weight 100
# priority 5 with a tiny weight before priority 10 with a large one
reg pr-10 pr 10.6.0.10 6010 priority 10 weight 1000
reg pr-5 pr 10.6.0.5 6005 priority 5 weight 1
reg pr-5b pr 10.6.0.6 6006 priority 5 weight 9
reg_musterd m
reg_musterd lim --answer-limit 1
p=$m_port
N=4000

# band WHAT VALUE LO HI
band() {
	t_checks=$((t_checks + 1))
	if ! between "$2" "$3" "$4"; then
		t_fail "$1"
		echo "  got:  $2 %"
		echo "  want: $3-$4 %"
	else
		t_log "$1: $2 %"
	fi
}

# complete WHAT LINES WANT: every answer holds the sorted set WANT.
complete() {
	t_expect "$1" "$(printf '%s\n' "$2" | awk '{ n = split($0, a, " ");
	    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	    s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? " " : "") a[i]; print s }' |
	    sort -u)" "$3"
}

s=$(answers $p w19.service.consul SRV $N)
t_expect "w19 SRV: all answers came" "$(printf '%s\n' "$s" | wc -l)" "$N"
complete "w19 SRV: both in every answer" "$s" "1:1:1001 1:9:1009"
band "weights 1:9, SRV: weight 9 first" "$(share "$s" 1:9:1009)" 86 94
a=$(answers $p w19.service.consul A $N)
complete "w19 A: both in every answer" "$a" "0a010001 0a010009"
band "weights 1:9, A: weight 9 first" "$(share "$a" 0a010009)" 86 94
s=$(answers $p _w19._tcp.consul SRV $N)
band "weights 1:9, RFC 2782 name: weight 9 first" "$(share "$s" 1:9:1009)" 86 94

s=$(answers $p w127.service.consul SRV $N)
complete "w127: all three in every answer" "$s" "1:1:2001 1:2:2002 1:7:2007"
band "weights 1:2:7: weight 1 first" "$(share "$s" 1:1:2001)" 6 14
band "weights 1:2:7: weight 2 first" "$(share "$s" 1:2:2002)" 15 25
band "weights 1:2:7: weight 7 first" "$(share "$s" 1:7:2007)" 64 76
a=$(answers $p w127.service.consul A $N)
band "weights 1:2:7, A: weight 7 first" "$(share "$a" 0a020007)" 64 76

s=$(answers $p eq.service.consul SRV $N)
band "equal weights 1, 1: first one first" "$(share "$s" 1:1:3001)" 42 58
a=$(answers $p eq.service.consul A $N)
band "equal weights 1, 1, A: first one first" "$(share "$a" 0a030001)" 42 58
s=$(answers $p zz.service.consul SRV $N)
band "equal weights 0, 0: first one first" "$(share "$s" 1:0:4001)" 42 58

s=$(answers $p z.service.consul SRV $N)
complete "z: both in every answer" "$s" "1:0:5000 1:100:5100"
band "weights 0:100: weight 0 first" "$(share "$s" 1:0:5000)" 0 5
a=$(answers $p z.service.consul A $N)
band "weights 0:100, A: weight 0 first" "$(share "$a" 0a050000)" 0 5

s=$(answers $p pr.service.consul SRV 1000)
t_expect "priority 10 last in every SRV answer" \
	"$(printf '%s\n' "$s" | awk '{ print $3 }' | sort -u)" "10:1000:6010"
band "priority 5 group: weight 9 first" "$(share "$s" 5:9:6006)" 84 96
a=$(answers $p pr.service.consul A 1000)
t_expect "priority 10 last in every A answer" \
	"$(printf '%s\n' "$a" | awk '{ print $3 }' | sort -u)" "0a06000a"

s=$(answers $lim_port w19.service.consul SRV $N)
t_expect "--answer-limit 1: one SRV record" \
	"$(printf '%s\n' "$s" | awk '{ print NF }' | sort -u)" "1"
band "--answer-limit 1, SRV: weight 9 chosen" "$(share "$s" 1:9:1009)" 86 94
a=$(answers $lim_port w19.service.consul A $N)
band "--answer-limit 1, A: weight 9 chosen" "$(share "$a" 0a010009)" 86 94
a=$(answers $lim_port pr.service.consul A 500)
t_expect "--answer-limit 1: never the higher priority" \
	"$(printf '%s\n' "$a" | grep -c 0a06000a)" "0"

t_done
