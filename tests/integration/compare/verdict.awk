# verdict.awk -- classify musterd's response against NSD's and Knot's when
# it is byte-for-byte like neither.  Arguments: three normalized responses
# (normalize.awk), musterd's, NSD's, Knot's.  Prints one line:
#   order         like one of them once the RRsets of the authority and
#                 additional sections are put in one order (sorted);
#   mixed NOTE    each section (with that sorting) is like that section
#                 from NSD or from Knot; NOTE names the sections that
#                 differ between the two and whose musterd took, e.g.
#                 "authority=knot additional=nsd";
#   DIFF          neither.
# Sections: misc (dig's remarks), hdr (opcode, status), flags (without the
# counts), opt, question, answer, authority, additional.
#
# SPDX-License-Identifier: BSD-2-Clause

function sortsec(f, s,   n, i, j, t, a, out) {
	n = split(sec[f, s], a, "\n")
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
	out = ""
	for (i = 1; i <= n; i++)
		out = out a[i] "\n"
	sec[f, s] = out
}

FNR == 1 { f++; cur = "misc" }
/^;; ->>HEADER<<-/ { sec[f, "hdr"] = sec[f, "hdr"] $0 "\n"; next }
/^;; flags:/ {
	t = $0
	sub(/;[^;]*$/, "", t)
	sec[f, "flags"] = sec[f, "flags"] t "\n"
	next
}
/^;; OPT PSEUDOSECTION:/ { cur = "opt" }
/^;; QUESTION SECTION:/ { cur = "question" }
/^;; ANSWER SECTION:/ { cur = "answer" }
/^;; AUTHORITY SECTION:/ { cur = "authority"; next }
/^;; ADDITIONAL SECTION:/ { cur = "additional"; next }
{ sec[f, cur] = sec[f, cur] $0 "\n" }

END {
	ns = split("misc hdr flags opt question answer authority additional", name, " ")
	for (f = 1; f <= 3; f++) {
		sortsec(f, "authority")
		sortsec(f, "additional")
	}
	for (g = 2; g <= 3; g++) {
		same = 1
		for (i = 1; i <= ns; i++)
			if (sec[1, name[i]] != sec[g, name[i]])
				same = 0
		if (same) {
			print "order"
			exit
		}
	}
	note = ""
	for (i = 1; i <= ns; i++) {
		s = name[i]
		if (sec[1, s] == sec[2, s]) {
			if (sec[1, s] != sec[3, s])
				note = note " " s "=nsd"
		} else if (sec[1, s] == sec[3, s])
			note = note " " s "=knot"
		else {
			print "DIFF"
			exit
		}
	}
	print "mixed" note
}
