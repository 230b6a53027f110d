# normalize.awk -- reduce dig output to what must match between servers.
#
# Drops what differs by run or by server without meaning: dig's banner,
# timing, server address, message size, the query ID, the COOKIE and NSID
# EDNS options.  Squeezes white space.  Sorts the records of each RRset
# (consecutive records of one owner, class and type): their order carries
# no meaning (RFC 2181 5).  Variables:
#   all=1    sort each whole section (zone transfers: RRset order is free);
#   loose=1  also sort whole AUTHORITY and ADDITIONAL sections, for the
#            "differs only in RRset order" classification;
#   prefix=P the input is a dig batch: write query N's response to P.M,
#            where N counts dig's "; <<>> DiG ... <<>> QUERY" banners and
#            M is line N of the file named by map (or N without map).
# kdig's zone transfer output is understood too (run with all=1).
#
# SPDX-License-Identifier: BSD-2-Clause

function flush(   i, j, t) {
	for (i = 2; i <= n; i++) {
		t = buf[i]
		for (j = i - 1; j >= 1 && buf[j] > t; j--)
			buf[j + 1] = buf[j]
		buf[j + 1] = t
	}
	for (i = 1; i <= n; i++)
		print buf[i] > out
	n = 0
	key = ""
}

BEGIN {
	n = 0; key = ""; sect = ""; out = "/dev/stdout"; nq = 0; nm = 0
	if (map != "")
		while ((getline l < map) > 0)
			idx[++nm] = l
}

/^; <<>> DiG/ && prefix != "" {
	flush()
	if (nq > 0)
		close(out)
	nq++
	out = prefix "." (nq in idx ? idx[nq] : nq)
	printf "" > out
	sect = ""
	all = ($0 ~ / AXFR( |$)/ || $0 ~ / IXFR=/)
	next
}

/^; <<>> DiG/ || /^; \([0-9]+ servers? found\)/ || /^;; global options:/ \
    || /^;; Got answer:/ || /^;; Query time:/ || /^;; SERVER:/ \
    || /^;; WHEN:/ || /^;; MSG SIZE/ || /^; COOKIE:/ || /^; NSID:/ \
    || /^;; XFR size:/ || /^;; (Time|From|Received) / { next }

/^[ \t]*$/ { next }

{
	gsub(/[ \t]+/, " ")
	sub(/ $/, "")
	gsub(/127\.0\.0\.1[#@][0-9]+/, "SERVER")
	gsub(/\(127\.0\.0\.1\)/, "")
}

/^;; ->>HEADER<<-/ { sub(/id: [0-9]+/, "id: ID") }

/^;;? ?[A-Z ]*(SECTION|PSEUDOSECTION):/ || /^;/ {
	flush()
	if ($0 ~ /SECTION:/)
		sect = $0
	print > out
	next
}

{
	if (all || (loose && (sect ~ /AUTHORITY|ADDITIONAL/)))
		k = sect
	else
		k = tolower($1) " " $3 " " $4
	if (k != key)
		flush()
	key = k
	buf[++n] = $0
}

END { flush() }
