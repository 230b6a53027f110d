#!/usr/bin/env bash
# registry/health/run.sh -- which instances are served, by health.
#
# Health is changed through muster_status and muster_maint (and the
# status field of muster_register); every change must reach musterd
# through the change stream, so each check after a change polls with a
# deadline.  Three musterds on one redis: m (defaults), op
# (--only-passing) and pn (--panic-threshold 50).
#
# Behaviours checked:
#  - passing and warning served, critical and maintenance not;
#  - a warning instance's SRV weight is its weight_warning, a passing
#    one's its weight; back to passing, back to weight;
#  - --only-passing drops warning instances;
#  - transitions: critical -> passing appears, maintenance on hides a
#    passing instance, off brings it back; registering with status;
#  - no healthy instance (all critical, all in maintenance, or only
#    warning ones under --only-passing): NXDOMAIN with the SOA; the
#    service name is no empty non-terminal then;
#  - --panic-threshold 50: fewer than 50 % healthy -> every instance not
#    in maintenance is served; exactly 50 % -> only the healthy ones;
#    maintenance instances never, even in panic; panic ends when enough
#    recover.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/registry/reg.sh"

reg_redis r
reg h-pass h 10.0.0.1 1001 weight 10 weight_warning 2
reg h-warn h 10.0.0.2 1002 weight 10 weight_warning 3 status warning
reg h-crit h 10.0.0.3 1003 status critical
reg h-maint h 10.0.0.4 1004
fc muster_maint h-maint on "kernel update" >/dev/null
reg dead-1 dead 10.1.0.1 80 status critical
reg dead-2 dead 10.1.0.2 80 status critical
reg mnt-1 mnt 10.2.0.1 80
fc muster_maint mnt-1 on >/dev/null
reg ow-1 ow 10.3.0.1 80 status warning
# panic: 1 of 4 healthy (25 %) plus one in maintenance
reg pa-1 pa 10.4.0.1 80
reg pa-2 pa 10.4.0.2 80 status critical
reg pa-3 pa 10.4.0.3 80 status critical
reg pa-4 pa 10.4.0.4 80 status critical
reg pa-m pa 10.4.0.9 80
fc muster_maint pa-m on >/dev/null
# exactly 50 %: one passing, one critical
reg ph-1 ph 10.5.0.1 80
reg ph-2 ph 10.5.0.2 80 status critical
# warning counts as healthy: one warning, one critical = 50 %
reg pw-1 pw 10.6.0.1 80 status warning
reg pw-2 pw 10.6.0.2 80 status critical

reg_musterd m
reg_musterd op --only-passing
reg_musterd pn --panic-threshold 50
p=$m_port

t_expect "passing and warning served" "$(q $p h.service.consul A)" \
	"$(printf '10.0.0.1\n10.0.0.2')"
t_expect "SRV weights: passing weight, warning weight_warning" \
	"$(q $p h.service.consul SRV)" "$(printf '%s\n' \
	"1 10 1001 0a000001.addr.dc1.consul." "1 3 1002 0a000002.addr.dc1.consul.")"
t_expect "--only-passing drops warning" "$(q $op_port h.service.consul A)" "10.0.0.1"
t_expect "all critical: NXDOMAIN" "$(rcode $p dead.service.consul A)" "NXDOMAIN 0"
t_expect "all critical: SOA" "$(soa $p dead.service.consul A)" "consul. 5 SOA"
t_expect "all critical: SRV NXDOMAIN" "$(rcode $p _dead._tcp.consul SRV)" "NXDOMAIN 0"
t_expect "all in maintenance: NXDOMAIN" "$(rcode $p mnt.service.consul A)" "NXDOMAIN 0"
t_expect "only warning: served" "$(q $p ow.service.consul A)" "10.3.0.1"
t_expect "only warning, --only-passing: NXDOMAIN" \
	"$(rcode $op_port ow.service.consul A)" "NXDOMAIN 0"

# transitions (each must arrive through the stream)
fc muster_status h-warn passing >/dev/null
reg_wait 5 has $p "1 10 1002 0a000002.addr.dc1.consul." h.service.consul SRV
t_expect "warning -> passing: weight back to weight" \
	"$(q $p h.service.consul SRV | grep 1002)" "1 10 1002 0a000002.addr.dc1.consul."
reg_wait 5 is $op_port "$(printf '10.0.0.1\n10.0.0.2')" h.service.consul A
t_expect "warning -> passing: --only-passing serves it" \
	"$(q $op_port h.service.consul A)" "$(printf '10.0.0.1\n10.0.0.2')"

fc muster_status h-crit passing >/dev/null
reg_wait 5 is $p "$(printf '10.0.0.1\n10.0.0.2\n10.0.0.3')" h.service.consul A
t_expect "critical -> passing: served" "$(q $p h.service.consul A)" \
	"$(printf '10.0.0.1\n10.0.0.2\n10.0.0.3')"
fc muster_status h-crit critical "connection refused" >/dev/null
reg_wait 5 is $p "$(printf '10.0.0.1\n10.0.0.2')" h.service.consul A
t_expect "passing -> critical: gone" "$(q $p h.service.consul A)" \
	"$(printf '10.0.0.1\n10.0.0.2')"
fc muster_maint h-pass on >/dev/null
reg_wait 5 is $p "10.0.0.2" h.service.consul A
t_expect "maintenance on: gone" "$(q $p h.service.consul A)" "10.0.0.2"
fc muster_maint h-maint off >/dev/null
reg_wait 5 is $p "$(printf '10.0.0.2\n10.0.0.4')" h.service.consul A
t_expect "maintenance off: back" "$(q $p h.service.consul A)" \
	"$(printf '10.0.0.2\n10.0.0.4')"
fc muster_status h-warn warning >/dev/null
fc muster_status h-maint critical >/dev/null
reg_wait 5 is $op_port "" h.service.consul A
t_expect "only warning left, --only-passing: NXDOMAIN" \
	"$(rcode $op_port h.service.consul A)" "NXDOMAIN 0"
t_expect "only warning left: served with weight_warning" \
	"$(q $p h.service.consul SRV)" "1 3 1002 0a000002.addr.dc1.consul."
fc muster_status h-warn critical >/dev/null
reg_wait 5 is $p "" h.service.consul A
t_expect "last one critical: NXDOMAIN" "$(rcode $p h.service.consul A)" "NXDOMAIN 0"
t_expect "last one critical: SRV NXDOMAIN" "$(rcode $p h.service.consul SRV)" "NXDOMAIN 0"
t_expect "last one critical: tag-less RFC 2782 NXDOMAIN" \
	"$(rcode $p _h._udp.service.consul SRV)" "NXDOMAIN 0"
reg h-new h 10.0.0.5 1005 status warning
reg_wait 5 is $p "10.0.0.5" h.service.consul A
t_expect "registered with status warning: served" "$(q $p h.service.consul A)" "10.0.0.5"

# panic threshold
t_expect "no panic: default musterd serves the healthy one" \
	"$(q $p pa.service.consul A)" "10.4.0.1"
t_expect "panic (25 % < 50 %): all but maintenance" "$(q $pn_port pa.service.consul A)" \
	"$(printf '10.4.0.1\n10.4.0.2\n10.4.0.3\n10.4.0.4')"
t_expect "panic: SRV too" "$(q $pn_port pa.service.consul SRV | wc -l)" "4"
t_expect "exactly 50 %: no panic" "$(q $pn_port ph.service.consul A)" "10.5.0.1"
t_expect "warning counts as healthy: no panic" "$(q $pn_port pw.service.consul A)" "10.6.0.1"
t_expect "panic, none healthy: all but maintenance" "$(q $pn_port dead.service.consul A)" \
	"$(printf '10.1.0.1\n10.1.0.2')"
t_expect "panic, all in maintenance: NXDOMAIN" "$(rcode $pn_port mnt.service.consul A)" \
	"NXDOMAIN 0"
fc muster_status pa-2 passing >/dev/null
reg_wait 5 is $pn_port "$(printf '10.4.0.1\n10.4.0.2')" pa.service.consul A
t_expect "panic ends at 50 %" "$(q $pn_port pa.service.consul A)" \
	"$(printf '10.4.0.1\n10.4.0.2')"
fc muster_status pa-2 critical >/dev/null
reg_wait 5 is $pn_port "$(printf '10.4.0.1\n10.4.0.2\n10.4.0.3\n10.4.0.4')" pa.service.consul A
t_expect "panic again at 25 %" "$(q $pn_port pa.service.consul A)" \
	"$(printf '10.4.0.1\n10.4.0.2\n10.4.0.3\n10.4.0.4')"

t_done
