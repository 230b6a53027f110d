# msg.sh -- build DNS messages as hex for tests/tools/dnsq (sourced after
# tests/lib.sh by the protocol, tcp, reload and daemon tests).
#
#   m_hdr ID FLAGS QD AN NS AR     the 12-byte header (numbers: 0x.. or decimal)
#   m_name NAME                    a name in wire form, case kept ("." = root)
#   m_q NAME TYPE [CLASS]          one question entry (mnemonics or numbers)
#   m_opt [SIZE [EXT [VER [FLAGS [RDATAHEX]]]]]   an OPT record (root owner)
#   m_query ID NAME TYPE [CLASS [FLAGS]]          a plain query
#   m_equery ID NAME TYPE [SIZE [FLAGS]]          a query with OPT (EDNS 0)
#   dnsq ARGS...                   the raw client (see tests/tools/dnsq.c)
#   fld NAME LINE                  the value of NAME=... in a dnsq line
#   proto_zone FILE ORIGIN         write the test zone used by these cases
#
# SPDX-License-Identifier: BSD-2-Clause

DNSQ=$top_builddir/tests/tools/dnsq

dnsq() { "$DNSQ" "$@"; }

m_num() { # m_num VALUE BYTES: big-endian hex
	printf "%0$(( $2 * 2 ))x" "$(( $1 ))"
}

m_type() {
	case $1 in
	A) echo 1 ;; NS) echo 2 ;; CNAME) echo 5 ;; SOA) echo 6 ;; MX) echo 15 ;;
	TXT) echo 16 ;; AAAA) echo 28 ;; SRV) echo 33 ;; OPT) echo 41 ;;
	TKEY) echo 249 ;; TSIG) echo 250 ;; IXFR) echo 251 ;; AXFR) echo 252 ;;
	MAILB) echo 253 ;; MAILA) echo 254 ;; ANY) echo 255 ;;
	IN) echo 1 ;; CH) echo 3 ;; HS) echo 4 ;; NONE) echo 254 ;;
	*) echo "$1" ;;
	esac
}

m_hdr() {
	m_num "$1" 2; m_num "$2" 2; m_num "$3" 2; m_num "$4" 2; m_num "$5" 2
	m_num "$6" 2
}

m_name() {
	local name=${1%.} label rest
	if [ -z "$name" ]; then
		printf 00
		return
	fi
	rest=$name
	while [ -n "$rest" ]; do
		label=${rest%%.*}
		if [ "$label" = "$rest" ]; then rest=""; else rest=${rest#*.}; fi
		m_num "${#label}" 1
		printf '%s' "$label" | od -An -tx1 -v | tr -d ' \n'
	done
	printf 00
}

m_q() {
	m_name "$1"; m_num "$(m_type "$2")" 2; m_num "$(m_type "${3:-IN}")" 2
}

m_opt() {
	local rdata=${5:-}
	printf 00; m_num 41 2; m_num "${1:-1232}" 2; m_num "${2:-0}" 1
	m_num "${3:-0}" 1; m_num "${4:-0}" 2; m_num $(( ${#rdata} / 2 )) 2
	printf '%s' "$rdata"
}

m_query() {
	m_hdr "$1" "${5:-0}" 1 0 0 0; m_q "$2" "$3" "${4:-IN}"
}

m_equery() {
	m_hdr "$1" 0 1 0 0 1; m_q "$2" "$3" IN; m_opt "${4:-1232}" 0 0 "${5:-0}"
}

fld() {
	printf '%s\n' "$2" | head -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# The zone: a few names, a wildcard, and TXT RRsets of chosen sizes:
# mid (about 400 bytes of answer), big (about 2300), huge (about 64 KB).
proto_zone() {
	local f=$1 origin=$2 i s100 s250
	s100=$(printf '%0100d' 0)
	s250=$(printf '%0250d' 0)
	{
		echo "\$ORIGIN $origin"
		echo "\$TTL 300"
		echo "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300"
		echo "  IN NS ns1"
		echo "ns1 IN A 192.0.2.1"
		echo "www IN A 192.0.2.80"
		echo "*.wild IN A 192.0.2.9"
		for i in 1 2 3; do echo "mid IN TXT \"$i$s100\""; done
		for i in $(seq 10 29); do echo "big IN TXT \"$i$s100\""; done
		for i in $(seq 100 339); do echo "huge IN TXT \"$i$s250\""; done
	} >"$f"
}
