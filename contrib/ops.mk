# contrib/ops.mk -- running muster as a service: systemd units, example
# configuration, Redis ACL users, the keepalived check, the Grafana
# dashboard and the Prometheus scrape example, and where they install.
#
#   $(systemdsystemunitdir)   musterd.service muster-probe.service
#                             (configure --with-systemdsystemunitdir;
#                             default PREFIX/lib/systemd/system)
#   $(sysusersdir)/muster.conf  the daemons' users (systemd-sysusers)
#   $(sysconfdir)/muster/     musterd.conf muster-probe.conf, each also as
#                             .example; an existing .conf is never
#                             overwritten, and uninstall removes it only
#                             when it is still the example
#   $(pkgdatadir)/redis/      users.acl README (ACL users)
#   $(pkgdatadir)/keepalived/ check-musterd
#   $(pkgdatadir)/grafana/    muster.json;  $(pkgdatadir)/prometheus.yml
#   $(docdir)/                deployment.md
# muster.lua (the Function library) and musterctl install from
# contrib/local.mk, the man pages from man/local.mk.
#
# SPDX-License-Identifier: BSD-2-Clause

muster_units = contrib/systemd/musterd.service contrib/systemd/muster-probe.service
muster_ops_sed = sed -e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g' \
	-e 's|@pkgdatadir[@]|$(pkgdatadir)|g'

contrib/systemd/musterd.service: $(srcdir)/contrib/systemd/musterd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib/systemd && \
	$(muster_ops_sed) $(srcdir)/contrib/systemd/musterd.service.in >$@.tmp && \
	mv $@.tmp $@
contrib/systemd/muster-probe.service: $(srcdir)/contrib/systemd/muster-probe.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib/systemd && \
	$(muster_ops_sed) $(srcdir)/contrib/systemd/muster-probe.service.in >$@.tmp && \
	mv $@.tmp $@

# Built with `all' (the tests read them) whether or not they install.
noinst_DATA = $(muster_units)
CLEANFILES = $(muster_units)
if INSTALL_SYSTEMD_UNITS
systemdsystemunit_DATA = $(muster_units)
endif

musterredisdir = $(pkgdatadir)/redis
dist_musterredis_DATA = contrib/redis/users.acl contrib/redis/README
musterkeepaliveddir = $(pkgdatadir)/keepalived
dist_musterkeepalived_SCRIPTS = contrib/keepalived/check-musterd
mustergrafanadir = $(pkgdatadir)/grafana
dist_mustergrafana_DATA = contrib/grafana/muster.json
musterpromdir = $(pkgdatadir)
dist_musterprom_DATA = contrib/prometheus.yml
dist_doc_DATA = contrib/deployment.md

muster_confdir = $(sysconfdir)/muster
muster_confs = contrib/musterd.conf contrib/muster-probe.conf
EXTRA_DIST += contrib/systemd/musterd.service.in \
	contrib/systemd/muster-probe.service.in \
	contrib/systemd/muster.sysusers $(muster_confs)

# The example configurations: FILE.example always, FILE when missing.
install-data-local:
	$(MKDIR_P) '$(DESTDIR)$(muster_confdir)'
	@for f in $(muster_confs); do \
	  b=`basename $$f`; d='$(DESTDIR)$(muster_confdir)'/$$b; \
	  echo " $(INSTALL_DATA) $$f $$d.example"; \
	  $(INSTALL_DATA) '$(srcdir)'/$$f "$$d.example" || exit 1; \
	  if test -f "$$d"; then \
	    echo "  keeping $$d (the new one is $$d.example)"; \
	  else \
	    echo " $(INSTALL_DATA) $$f $$d"; \
	    $(INSTALL_DATA) '$(srcdir)'/$$f "$$d" || exit 1; \
	  fi; \
	done
if INSTALL_SYSTEMD_UNITS
	$(MKDIR_P) '$(DESTDIR)$(sysusersdir)'
	$(INSTALL_DATA) '$(srcdir)/contrib/systemd/muster.sysusers' \
	    '$(DESTDIR)$(sysusersdir)/muster.conf'
endif

uninstall-local:
	@for f in $(muster_confs); do \
	  b=`basename $$f`; d='$(DESTDIR)$(muster_confdir)'/$$b; \
	  if test -f "$$d" && cmp -s '$(srcdir)'/$$f "$$d"; then \
	    echo " rm -f $$d"; rm -f "$$d"; \
	  elif test -f "$$d"; then \
	    echo "  keeping $$d (changed from the example)"; \
	  fi; \
	  echo " rm -f $$d.example"; rm -f "$$d.example"; \
	done
	rmdir '$(DESTDIR)$(muster_confdir)' 2>/dev/null || :
if INSTALL_SYSTEMD_UNITS
	rm -f '$(DESTDIR)$(sysusersdir)/muster.conf'
endif
