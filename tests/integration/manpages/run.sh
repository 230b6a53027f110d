#!/usr/bin/env bash
# manpages/run.sh -- the manual pages say what the daemons do.
#
# Behaviours checked:
#  - every option of `musterd --help' has an entry (.It Fl) in musterd.8,
#    with its long name and its short letter, and is in the SYNOPSIS;
#    every .It Fl entry of the page is an option of --help;
#  - the same for `muster-probe --help' and muster-probe.8, when
#    muster-probe is built (skipped otherwise);
#  - muster.conf.5 lists the config keys of each daemon (its options but
#    the "command line only" ones), and no other;
#  - contrib/musterd.conf names every key of musterd (set or commented
#    out) and passes `musterd -n';
#  - mandoc -Tlint has nothing to say about any page in man/ (the .in
#    sources included) but "referenced manual not found" (a page not
#    installed on this host) and an outdated mandoc.db.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"

PROBE=$top_builddir/muster-probe
MAN=$top_srcdir/man

# The flags of mdoc lines on stdin, one per line: "-x" or "--name".  After
# a Fl macro every argument up to the next macro is a flag, so that
# ".Op Fl fn" gives -f and -n, and ".Fl V | h" gives -V and -h.
mdoc_flags() {
	awk '{
		fl = 0
		for (i = 1; i <= NF; i++) {
			w = $i
			sub(/^\./, "", w)
			if (w == "Fl") { fl = 1; continue }
			if (w ~ /^[A-Z][a-z][a-z]?$/) { fl = 0; continue }
			if (!fl || w == "|" || w ~ /^[,;:]$/)
				continue
			if (w ~ /^-/)
				print "-" w
			else
				for (j = 1; j <= length(w); j++)
					print "-" substr(w, j, 1)
		}
	}'
}

# The options of a --help text: "--name" and "-x", one per line.
help_flags() {
	sed -n 's/^  *\(-\([A-Za-z]\), \)\{0,1\}--\([a-z][a-z-]*\).*/-\2 --\3/p' |
	    tr ' ' '\n' | grep -v '^-$'
}

# How a SYNOPSIS names each option of a --help text: -x, else --name.
help_synopsis() {
	sed -n -e 's/^  *-\([A-Za-z]\), --.*/-\1/p' \
	    -e 's/^  *--\([a-z][a-z-]*\).*/--\1/p'
}

# The long options that are config keys ("command line only" ones not).
help_keys() {
	grep -v 'command line only' |
	    sed -n 's/^  *\(-[A-Za-z], \)\{0,1\}--\([a-z][a-z-]*\).*/\2/p'
}

sorted() { sort -u | grep .; }

# check_page NAME BINARY PAGE
check_page() {
	local name=$1 bin=$2 page=$3 help want items synopsis opt line
	help=$("$bin" --help) || { t_fail "$name --help failed"; return; }
	want=$(help_flags <<<"$help" | sorted)
	items=$(grep '^\.It Fl ' "$page" | mdoc_flags | sorted)
	synopsis=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$page" | mdoc_flags |
	    sorted)
	t_expect "$name: options of --help and .It Fl entries of $(basename "$page")" \
	    "$items" "$want"
	t_expect "$name: options of --help and the SYNOPSIS" "$synopsis" \
	    "$(help_synopsis <<<"$help" | sorted)"
	# a short letter and its long name share one entry
	while IFS= read -r line; do
		opt=$(sed -n 's/^  *-\([A-Za-z]\), --\([a-z-]*\).*/\1 \2/p' \
		    <<<"$line")
		[ -n "$opt" ] || continue
		set -- $opt
		t_expect "$name: -$1 and --$2 in one entry" \
		    "$(grep -c "^\.It Fl $1\( .*\)\{0,1\}, Fl -$2\( \|$\)" "$page")" 1
	done <<<"$help"
}

# conf_keys SECTION: the .It Li keys of one .Ss of muster.conf.5.
conf_keys() {
	sed -n "/^\.Ss $1\$/,/^\.S[sh] /p" "$CONF" |
	    sed -n 's/^\.It Li \([a-z][a-z-]*\)$/\1/p' | sorted
}

CONF=$MAN/muster.conf.5.in

check_page musterd "$MUSTERD" "$MAN/musterd.8.in"
t_expect "muster.conf.5 lists the keys of musterd" "$(conf_keys musterd)" \
    "$("$MUSTERD" --help | help_keys | sorted)"

if [ -x "$PROBE" ]; then
	check_page muster-probe "$PROBE" "$MAN/muster-probe.8"
	t_expect "muster.conf.5 lists the keys of muster-probe" \
	    "$(conf_keys muster-probe)" "$("$PROBE" --help | help_keys | sorted)"
else
	t_log "muster-probe is not built: its page is not compared"
fi

# The sample configuration: every key, and valid.
sample=$top_srcdir/contrib/musterd.conf
t_expect "contrib/musterd.conf names every key" \
    "$(sed -n 's/^#\{0,1\}\([a-z][a-z-]*\) .*/\1/p' "$sample" |
	grep -Fx -f <("$MUSTERD" --help | help_keys) | sorted)" \
    "$("$MUSTERD" --help | help_keys | sorted)"
t_expect "musterd -n accepts contrib/musterd.conf" \
    "$("$MUSTERD" -n -c "$sample" >"$T/n.out" 2>&1; echo $?)" 0

# mandoc: nothing but manuals this host does not have.
if command -v mandoc >/dev/null 2>&1; then
	for page in "$MAN"/*.[1-9] "$MAN"/*.[1-9].in; do
		[ -f "$page" ] || continue
		mandoc -Tlint "$page" >"$T/lint" 2>&1
		t_expect "mandoc -Tlint $(basename "$page")" \
		    "$(grep -v -e 'referenced manual not found' \
			-e 'outdated mandoc.db' "$T/lint")" ""
	done
else
	t_log "mandoc is not installed: the pages are not linted"
fi

t_done
