# man/local.mk -- manual pages (mdoc); check with mandoc -Tlint.
#
# musterd.8 and muster.conf.5 name installed paths, which are known only
# at make time ($(sysconfdir) may be "${prefix}/etc"), so they are made
# here from their .in sources, in the build tree (as NSD does with
# $(EDIT)).  tests/integration/manpages checks every page.
#
# The generated pages are removed by MOSTLYCLEANFILES, not CLEANFILES:
# contrib/ops.mk, included after this file, sets CLEANFILES with "=".
#
# SPDX-License-Identifier: BSD-2-Clause
dist_man_MANS = man/musterctl.1 man/muster-registry.7
dist_man_MANS += man/muster-probe.8
man_MANS = man/musterd.8 man/muster.conf.5
EXTRA_DIST += man/musterd.8.in man/muster.conf.5.in
MOSTLYCLEANFILES = $(man_MANS)

muster_man_edit = sed \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@pkgdatadir[@]|$(pkgdatadir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g'

man/musterd.8: $(srcdir)/man/musterd.8.in Makefile
	$(AM_V_GEN)$(MKDIR_P) man && \
	$(muster_man_edit) $(srcdir)/man/musterd.8.in >$@.tmp && mv $@.tmp $@
man/muster.conf.5: $(srcdir)/man/muster.conf.5.in Makefile
	$(AM_V_GEN)$(MKDIR_P) man && \
	$(muster_man_edit) $(srcdir)/man/muster.conf.5.in >$@.tmp && \
	mv $@.tmp $@
