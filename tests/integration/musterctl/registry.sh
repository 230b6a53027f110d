# registry.sh -- helpers for the registry tests (sourced after lib.sh).
#
# Both tests talk to a throwaway redis-server through redis-cli on its
# Unix socket ($R, set by r_start).  Replies are read in --no-raw form
# (strings quoted and escaped), flattened to one word per leaf value.
# r_snap takes an image of the whole database (every key, its type,
# absolute expiry and every byte of its contents) in one read-only
# script, so "nothing was written" is checked byte for byte.
#
# SPDX-License-Identifier: BSD-2-Clause

MUSTER_LUA=$top_srcdir/contrib/muster.lua
MUSTERCTL=$top_srcdir/contrib/musterctl

# r_start NAME [REDIS-ARGS...]: start redis NAME, make it the current one.
r_start() {
	local name=$1
	shift
	t_start_redis "$name" "$@"
	eval "R=\$${name}_sock"
}

# r ARGS...: redis-cli --no-raw on the current redis.
r() { redis-cli -s "$R" --no-raw "$@" </dev/null; }

# rr ARGS...: the same, --raw (plain replies only).
rr() { redis-cli -s "$R" --raw "$@" </dev/null; }

# r_load: load the Function library into the current redis.
r_load() { redis-cli -s "$R" -x FUNCTION LOAD REPLACE <"$MUSTER_LUA"; }

# r_flat ARGS...: a reply as one line: leaves separated by single spaces,
# quotes removed (escapes kept), ms timestamps as TS, stream ids as SID,
# "(empty array)" as [].
r_flat() {
	r "$@" | sed -E 's/^( *[0-9]+\) )+//; s/^"(.*)"$/\1/;
	    s/^[0-9]{13}$/TS/; s/^[0-9]{13}-[0-9]+$/SID/;
	    s/^\(empty (array|list or set)\)$/[]/' | paste -sd' ' -
}

# r_snap: every key of the current database with its type, absolute
# expiry and contents: a string's value, a hash's fields and a set's
# members (sorted: their DUMP changes as Redis rehashes them in the
# background), DUMP of anything else (streams: every entry, the last id).
r_snap() {
	r EVAL_RO "local out = {}
	    local keys = redis.call('KEYS', '*')
	    table.sort(keys)
	    for _, k in ipairs(keys) do
		local ty = redis.call('TYPE', k)['ok']
		out[#out + 1] = k .. ' ' .. ty
		out[#out + 1] = redis.call('PEXPIRETIME', k)
		local v
		if ty == 'string' then
			v = { redis.call('GET', k) }
		elseif ty == 'hash' then
			local h = redis.call('HGETALL', k)
			v = {}
			for i = 1, #h, 2 do v[#v + 1] = h[i] .. '=' .. h[i + 1] end
			table.sort(v)
		elseif ty == 'set' then
			v = redis.call('SMEMBERS', k)
			table.sort(v)
		else
			v = { redis.call('DUMP', k) }
		end
		out[#out + 1] = v
	    end
	    return out" 0
}

# r_last P: the newest entry of P's change stream, flattened without its id.
r_last() { r_flat XREVRANGE "${1}changes" + - COUNT 1 | sed 's/^SID //'; }

# r_xlen P
r_xlen() { rr XLEN "${1}changes"; }

# r_now: the server's clock in ms.
r_now() { rr TIME | awk 'NR == 1 { s = $1 } NR == 2 { u = $1 }
    END { printf "%.0f\n", s * 1000 + int(u / 1000) }'; }

# r_lines ARGS...: a reply, one leaf per line (quotes removed, escapes
# kept, timestamps left as they are).
r_lines() {
	r "$@" | sed -E 's/^( *[0-9]+\) )+//; s/^"(.*)"$/\1/'
}

# r_state P ID: an instance as stream entries and muster_dump show it:
# its hash, then its health hash with "health." before each field name.
r_state() {
	{
		r_lines HGETALL "${1}instance:$2"
		r_lines HGETALL "${1}health:$2" | awk 'NR % 2 { $0 = "health." $0 } 1'
	} | sed -E 's/^[0-9]{13}$/TS/' | paste -sd' ' -
}

# r_tree: redis-cli --no-raw output on stdin -> "DEPTH<tab>VALUE" per
# leaf.  Each array index "N) " has its ")" in the column of its
# siblings'; the first index on a line is a sibling of an earlier one,
# or starts a new reply.
r_tree() {
	awk '{
		line = $0; col = 0; d = 0; first = 1
		while (match(line, /^ *[0-9]+\) /)) {
			p = col + index(substr(line, 1, RLENGTH), ")")
			if (first) {
				d = 1
				for (k = maxd; k >= 1; k--)
					if (pc[k] == p) { d = k; break }
				first = 0
			} else
				d++
			pc[d] = p; maxd = d
			col += RLENGTH; line = substr(line, RLENGTH + 1)
		}
		sub(/^"/, "", line); sub(/"$/, "", line)
		print d "\t" line
	}'
}
