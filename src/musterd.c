/*
 * musterd.c -- the DNS server: options, start-up, signals, the main loop.
 *
 * The main thread owns configuration and data: it parses the option table,
 * loads the zones, builds a view (view.h) and publishes it; the workers
 * (worker.h) answer queries from whatever view is current.  SIGHUP builds
 * a new view from scratch and swaps it in only when everything loaded;
 * SIGTERM and SIGINT stop the workers and exit; SIGUSR1 logs counters.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "acl.h"
#include "conf.h"
#include "daemon.h"
#include "db.h"
#include "fwd.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "qsbr.h"
#include "rconn.h"
#include "record.h"
#include "registry.h"
#include "mirror.h"
#include "notify.h"
#include "sync.h"
#include "view.h"
#include "worker.h"
#include "zones.h"

#define MUSTERD_MAXWORKERS	64
#define MUSTERD_MAXLISTEN	32

struct musterd_conf {
	char			*config;
	int			 check;
	int			 foreground;
	int			 help;
	int			 version;
	struct conf_list	 listen;
	struct conf_list	 zone;
	long			 workers;
	long			 udp_payload;
	long			 tcp_clients;
	long			 tcp_idle;
	char			*log_level;
	char			*pidfile;
	char			*redis;
	char			*prefix;
	char			*domain;
	char			*datacenter;
	int			 only_passing;
	long			 panic;
	long			 answer_limit;
	long			 service_ttl;
	long			 node_ttl;
	char			*state_file;
	struct conf_list	 forward;
	char			*forward_from;
	struct conf_list	 allow_recursion;
	long			 forward_timeout;
	long			 forward_max;
	char			*metrics;
	char			*user;
	int			 allow_root;
};

static int check_listen(const char *, char *, size_t);
static int check_zone(const char *, char *, size_t);
static int check_domain(const char *, char *, size_t);
static int check_label(const char *, char *, size_t);
static int check_cidr(const char *, char *, size_t);

#define OFF(f) offsetof(struct musterd_conf, f)
static const struct conf_opt musterd_opts[] = {
	{ "config", 'c', CONF_STR, NULL, OFF(config), 0, 0, NULL,
	  CONF_CLI_ONLY, "FILE", "read settings from FILE" },
	{ "check-config", 'n', CONF_FLAG, NULL, OFF(check), 0, 0, NULL,
	  CONF_CLI_ONLY, NULL, "load config and zones, report, exit 0 or 1" },
	{ "foreground", 'f', CONF_FLAG, "no", OFF(foreground), 0, 0, NULL,
	  CONF_RESTART, NULL, "stay in the foreground, log to stderr" },
	{ "listen", 'l', CONF_LIST, "127.0.0.1:53,[::1]:53", OFF(listen), 0, 0,
	  check_listen, CONF_RESTART, "ADDR[:PORT]",
	  "UDP and TCP address to serve on (repeatable)" },
	{ "zone", 'z', CONF_LIST, NULL, OFF(zone), 0, 0, check_zone, 0,
	  "[ORIGIN=]FILE", "serve the zone in master file FILE (repeatable)" },
	{ "workers", 'w', CONF_INT, "0", OFF(workers), 0, MUSTERD_MAXWORKERS,
	  NULL, CONF_RESTART, "N", "serving threads (0: one per CPU)" },
	{ "udp-payload", 0, CONF_INT, "1232", OFF(udp_payload), 512, 4096, NULL,
	  0, "BYTES", "largest UDP answer offered with EDNS" },
	{ "tcp-clients", 0, CONF_INT, "256", OFF(tcp_clients), 1, 65536, NULL,
	  CONF_RESTART, "N", "open TCP connections at most" },
	{ "tcp-idle-timeout", 0, CONF_INT, "10", OFF(tcp_idle), 1, 3600, NULL,
	  CONF_RESTART, "SECONDS", "close a TCP connection idle this long" },
	{ "log-level", 0, CONF_STR, "info", OFF(log_level), 0, 0,
	  log_level_check, 0, "LEVEL", "error, warning, info or debug" },
	{ "pidfile", 0, CONF_STR, NULL, OFF(pidfile), 0, 0, NULL, CONF_RESTART,
	  "FILE", "write the process id to FILE" },
	{ "redis", 'r', CONF_STR, NULL, OFF(redis), 0, 0, rconn_url_check,
	  CONF_RESTART, "URL", "serve the registry in this Redis "
	  "(redis://[user:pass@]host[:port][/db], unix:///path[?db=N], "
	  "sentinel://host:port[,...]/MASTER)" },
	{ "prefix", 0, CONF_STR, "muster:", OFF(prefix), 0, 0, NULL,
	  CONF_RESTART, "PREFIX", "registry key prefix in Redis" },
	{ "domain", 'd', CONF_STR, "consul.", OFF(domain), 0, 0, check_domain, 0,
	  "DOMAIN", "the domain registry names live under" },
	{ "datacenter", 0, CONF_STR, "dc1", OFF(datacenter), 0, 0, check_label,
	  0, "DC", "the local datacenter (names without a dc label)" },
	{ "only-passing", 0, CONF_FLAG, "no", OFF(only_passing), 0, 0, NULL, 0,
	  NULL, "serve passing instances only, not warning ones" },
	{ "panic-threshold", 0, CONF_INT, "0", OFF(panic), 0, 100, NULL, 0,
	  "PCT", "serve every instance when fewer than PCT % are healthy "
	  "(0: off)" },
	{ "answer-limit", 0, CONF_INT, "0", OFF(answer_limit), 0, 4096, NULL, 0,
	  "N", "at most N A/AAAA/SRV records per answer (0: all that fit)" },
	{ "service-ttl", 0, CONF_INT, "5", OFF(service_ttl), 0, 86400, NULL, 0,
	  "SECONDS", "TTL of service answers when an instance sets none" },
	{ "node-ttl", 0, CONF_INT, "5", OFF(node_ttl), 0, 86400, NULL, 0,
	  "SECONDS", "TTL of node answers" },
	{ "state-file", 0, CONF_STR, NULL, OFF(state_file), 0, 0, NULL,
	  CONF_RESTART, "FILE", "keep the last registry copy in FILE, served "
	  "at start while Redis is down" },
	{ "forward", 0, CONF_LIST, NULL, OFF(forward), 0, 0, check_listen,
	  CONF_RESTART, "ADDR[:PORT]", "forward names outside our zones to "
	  "this resolver (repeatable)" },
	{ "forward-from", 0, CONF_STR, NULL, OFF(forward_from), 0, 0, NULL,
	  CONF_RESTART, "FILE", "forward to the nameservers of this "
	  "resolv.conf-format file" },
	{ "allow-recursion", 0, CONF_LIST, "127.0.0.0/8,::1", OFF(allow_recursion),
	  0, 0, check_cidr, 0, "CIDR", "clients that may use forwarding; "
	  "others get REFUSED (repeatable)" },
	{ "forward-timeout", 0, CONF_INT, "2000", OFF(forward_timeout), 100,
	  60000, NULL, CONF_RESTART, "MS", "answer SERVFAIL when the "
	  "forwarders have not answered within about this time" },
	{ "forward-max", 0, CONF_INT, "1024", OFF(forward_max), 1, 65536, NULL,
	  CONF_RESTART, "N", "forwarded queries in flight per worker" },
	{ "metrics", 0, CONF_STR, NULL, OFF(metrics), 0, 0, check_listen,
	  CONF_RESTART, "ADDR[:PORT]", "serve Prometheus metrics over HTTP "
	  "at /metrics (off when not given)" },
	{ "user", 'u', CONF_STR, NULL, OFF(user), 0, 0, NULL, CONF_RESTART,
	  "USER", "after binding the sockets, run as USER and its group" },
	{ "allow-root", 0, CONF_FLAG, "no", OFF(allow_root), 0, 0, NULL,
	  CONF_RESTART, NULL, "serve as root without -u (also: environment "
	  "MUSTERD_ALLOW_ROOT=1)" },
	{ "version", 'V', CONF_FLAG, NULL, OFF(version), 0, 0, NULL,
	  CONF_CLI_ONLY, NULL, "print the version and exit" },
	{ "help", 'h', CONF_FLAG, NULL, OFF(help), 0, 0, NULL, CONF_CLI_ONLY,
	  NULL, "print this help and exit" },
	{ NULL, 0, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL }
};
#undef OFF

struct musterd {
	struct musterd_conf	 conf;
	int			 argc;
	char			**argv;
	struct ev_loop		*loop;
	ev_signal		 sighup, sigterm, sigint, sigusr1;
	ev_timer		 reclaim;
	struct worker		*workers[MUSTERD_MAXWORKERS];
	unsigned		 nworkers;
	struct listen_addr	 addrs[MUSTERD_MAXLISTEN];
	size_t			 naddrs;
	struct sync		*sync;
	struct mirror		*mirror;
	struct fwd_config	 fwd;
	int			 udp[MUSTERD_MAXWORKERS][MUSTERD_MAXLISTEN];
	int			 tcp[MUSTERD_MAXWORKERS][MUSTERD_MAXLISTEN];
	struct worker_shared	*shared;
	int			 ready_fd;	/* daemon: tell the starter */
	struct metrics_server	*metrics;
	time_t			 started;
	bool			 ready_sent;
};

static int
check_listen(const char *v, char *why, size_t whylen)
{
	struct listen_addr a;

	return listen_parse(v, 53, &a, why, whylen);
}

static int
check_zone(const char *v, char *why, size_t whylen)
{
	if (*v == '\0' || v[strlen(v) - 1] == '=') {
		snprintf(why, whylen, "expected [ORIGIN=]FILE");
		return -1;
	}
	return 0;
}

static int
check_domain(const char *v, char *why, size_t whylen)
{
	uint8_t wire[DNAME_MAXLEN];
	const char *e;

	if (dname_from_str(wire, v, &e) < 0) {
		snprintf(why, whylen, "bad domain \"%s\" (%s)", v, e);
		return -1;
	}
	return 0;
}

static int
check_label(const char *v, char *why, size_t whylen)
{
	if (!rec_label_ok(v, strlen(v))) {
		snprintf(why, whylen, "\"%s\" is not a DNS label (letters, "
		    "digits, hyphens; at most 63)", v);
		return -1;
	}
	return 0;
}

static int
check_cidr(const char *v, char *why, size_t whylen)
{
	struct acl a = { 0 };

	return acl_add(&a, v, why, whylen);
}

static int
musterd_read_conf(struct musterd *d, struct musterd_conf *c, char *err,
    size_t errlen)
{
	return conf_read(musterd_opts, c, sizeof(*c), d->argc, d->argv, err,
	    errlen);
}

/* Registry settings from the configuration. */
static void
musterd_reg_settings(const struct musterd_conf *c, struct reg_settings *set)
{
	const char *why;
	int n;
	size_t i;

	memset(set, 0, sizeof(*set));
	n = dname_from_str(set->domain, c->domain, &why);
	set->domain_len = (uint8_t)(n > 0 ? n : 1);
	dname_copy_lower(set->domain, set->domain, set->domain_len);
	for (i = 0; c->datacenter[i] != '\0' && i < sizeof(set->local_dc) - 1;
	    i++)
		set->local_dc[i] = (char)(c->datacenter[i] >= 'A'
		    && c->datacenter[i] <= 'Z' ? c->datacenter[i] + 32
		    : c->datacenter[i]);
	set->only_passing = c->only_passing != 0;
	set->panic_pct = (unsigned)c->panic;
	set->answer_limit = (unsigned)c->answer_limit;
	set->service_ttl = (uint32_t)c->service_ttl;
	set->node_ttl = (uint32_t)c->node_ttl;
}

/*
 * The registry's domain without a zone file gets a zone made here: SOA
 * (negative TTL 5 s), NS ns.DOMAIN, and ns.DOMAIN's addresses from the
 * listen addresses that are not wildcards.
 */
static struct zones_zone *
musterd_domain_zone(const struct musterd_conf *c, char *err, size_t errlen)
{
	char text[8192], origin[DNAME_STRLEN];
	size_t o = 0, i;
	struct reg_settings set;

	musterd_reg_settings(c, &set);
	dname_to_str(origin, sizeof(origin), set.domain);
	o += (size_t)snprintf(text + o, sizeof(text) - o,
	    "$ORIGIN %s\n@ 60 IN SOA ns hostmaster 1 3600 600 86400 5\n"
	    "@ 60 IN NS ns\n", origin);
	for (i = 0; i < c->listen.n && o < sizeof(text) - 128; i++) {
		struct listen_addr a;
		char why[128], host[INET6_ADDRSTRLEN];
		const void *ip;

		if (listen_parse(c->listen.v[i].value, 53, &a, why,
		    sizeof(why)) < 0 || a.wildcard)
			continue;
		ip = a.ss.ss_family == AF_INET
		    ? (const void *)&((struct sockaddr_in *)&a.ss)->sin_addr
		    : (const void *)&((struct sockaddr_in6 *)&a.ss)->sin6_addr;
		if (inet_ntop(a.ss.ss_family, ip, host, sizeof(host)) == NULL)
			continue;
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		    "ns 60 IN %s %s\n", a.ss.ss_family == AF_INET ? "A" : "AAAA",
		    host);
	}
	return zones_load_string("(built-in zone for the domain)", text, o,
	    NULL, err, errlen);
}

/* Is origin (text) the registry's domain (when there is a registry)? */
static bool
musterd_is_domain(const struct musterd_conf *c, const char *origin)
{
	struct reg_settings set;
	uint8_t wire[DNAME_MAXLEN];
	const char *why;
	int n;

	if (c->redis == NULL || (n = dname_from_str(wire, origin, &why)) < 0)
		return false;
	musterd_reg_settings(c, &set);
	dname_copy_lower(wire, wire, (size_t)n);
	return (size_t)n == set.domain_len
	    && memcmp(wire, set.domain, (size_t)n) == 0;
}

/*
 * Load every zone and compile them; NULL with err set on any error.  With
 * lenient (start-up), a zone that does not load is logged and, when its
 * origin is known, answered SERVFAIL, as NSD and Knot do; a reload or -n
 * fails instead, so that the old data keeps serving.
 */
static struct db *
musterd_load_zones(const struct musterd_conf *c, bool lenient, char *err,
    size_t errlen)
{
	struct zones_zone **zones = calloc(c->zone.n + 2, sizeof(*zones));
	struct db *db = NULL;
	size_t i, n = 0;

	if (zones == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < c->zone.n; i++) {
		const char *v = c->zone.v[i].value, *eq = strchr(v, '=');
		char origin[DNAME_STRLEN];
		const char *file = v;

		if (eq != NULL && memchr(v, '/', (size_t)(eq - v)) == NULL
		    && (size_t)(eq - v) < sizeof(origin)) {
			memcpy(origin, v, (size_t)(eq - v));
			origin[eq - v] = '\0';
			file = eq + 1;
		}
		zones[n] = zones_load(file, file == v ? NULL : origin, err,
		    errlen);
		if (zones[n] == NULL && lenient) {
			log_errx("zone, not served: %s", err);
			err[0] = '\0';
			/* the registry's domain falls back to the built-in zone */
			if (file != v && !musterd_is_domain(c, origin)
			    && (zones[n] = zones_broken(file, origin)) == NULL)
				continue;
			if (zones[n] == NULL)
				continue;
		}
		if (zones[n] == NULL)
			goto out;
		n++;
	}
	if (c->redis != NULL) {
		struct reg_settings set;

		musterd_reg_settings(c, &set);
		for (i = 0; i < n; i++)
			if (zones[i]->origin_len == set.domain_len
			    && memcmp(zones[i]->origin, set.domain,
			    set.domain_len) == 0)
				break;
		if (i == n && (zones[n++] = musterd_domain_zone(c, err,
		    errlen)) == NULL) {
			n--;
			goto out;
		}
	}
	db = db_build(zones, n, err, errlen);
out:
	for (i = 0; i < n; i++)
		zones_free(zones[i]);
	free(zones);
	return db;
}

static void
musterd_log_zones(const struct db *db)
{
	size_t i;

	for (i = 0; i < db_zone_count(db); i++) {
		struct db_zone_info zi;
		char name[DNAME_STRLEN];

		db_zone_info(db, i, &zi);
		if (zi.broken)
			log_warnx("zone %s, from %s: not loaded, answering "
			    "SERVFAIL", dname_to_str(name, sizeof(name),
			    zi.origin), zi.file);
		else
			log_info("zone %s, loaded from %s: %zu records, serial "
			    "%u", dname_to_str(name, sizeof(name), zi.origin),
			    zi.file, zi.records, zi.serial);
	}
}

static struct view *
musterd_view(const struct musterd_conf *c, bool lenient, char *err,
    size_t errlen)
{
	struct view *v = calloc(1, sizeof(*v));
	size_t i;

	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	v->db = musterd_load_zones(c, lenient, err, errlen);
	if (v->db == NULL) {
		free(v);
		return NULL;
	}
	v->udp_max = (uint16_t)c->udp_payload;
	for (i = 0; i < c->allow_recursion.n; i++)
		if (acl_add(&v->recursion, c->allow_recursion.v[i].value, err,
		    errlen) < 0) {
			view_free(v);
			return NULL;
		}
	v->forwarding = c->forward.n > 0 || c->forward_from != NULL;
	return v;
}

/*
 * Settings that need a restart keep the values the process runs with
 * (sockets, workers, forwarders, the registry connection...): a change
 * is logged and left for the next start.
 */
static void
musterd_keep_restart_keys(struct musterd *d, struct musterd_conf *c)
{
	const struct conf_opt *o;

	for (o = musterd_opts; o->name != NULL; o++) {
		if (!(o->flags & CONF_RESTART) || conf_same(o, c, &d->conf))
			continue;
		log_warnx("reload, %s changed: takes effect at restart", o->name);
		if (conf_copy(o, c, &d->conf) < 0)
			log_warnx("reload, out of memory keeping %s", o->name);
	}
}

static void
musterd_reload(struct musterd *d)
{
	struct musterd_conf c;
	struct view *v;
	char err[1024] = "";

	log_info("reload, started (SIGHUP)");
	(void)notify_send("RELOADING=1");
	if (musterd_read_conf(d, &c, err, sizeof(err)) == 0)
		musterd_keep_restart_keys(d, &c);
	if (err[0] != '\0'
	    || (v = musterd_view(&c, false, err, sizeof(err))) == NULL) {
		log_errx("reload, failed, still serving the old data: %s", err);
		conf_clear(musterd_opts, &c);
		(void)notify_send("READY=1\nSTATUS=reload failed, serving the "
		    "old data");
		return;
	}
	if (view_publish(v) < 0) {
		log_errx("reload, out of memory");
		view_free(v);
		conf_clear(musterd_opts, &c);
		return;
	}
	log_set_level((enum log_level)log_level_parse(c.log_level));
	if (d->mirror != NULL) {
		struct reg_settings set;

		musterd_reg_settings(&c, &set);
		mirror_set_settings(d->mirror, &set);
	}
	musterd_log_zones(v->db);
	log_info("reload, done");
	(void)notify_send("READY=1\nSTATUS=serving");
	conf_clear(musterd_opts, &d->conf);
	d->conf = c;
}

static void
musterd_log_stats(struct musterd *d)
{
	struct answer_stats s;
	unsigned i, tcp = 0;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < d->nworkers; i++) {
		worker_stats(d->workers[i], &s);
		tcp += worker_tcp_active(d->workers[i]);
	}
	log_info("stats, queries udp %llu tcp %llu; noerror %llu nxdomain %llu "
	    "refused %llu formerr %llu notimp %llu; truncated %llu, dropped "
	    "%llu, tcp open %u", (unsigned long long)s.queries[0],
	    (unsigned long long)s.queries[1], (unsigned long long)s.rcode[0],
	    (unsigned long long)s.rcode[3], (unsigned long long)s.rcode[5],
	    (unsigned long long)s.rcode[1], (unsigned long long)s.rcode[4],
	    (unsigned long long)s.truncated, (unsigned long long)s.dropped,
	    tcp);
}

/* ---- metrics ---- */

static void
musterd_metrics_dns(struct metrics_buf *b, const struct answer_stats *s)
{
	char l[64];
	unsigned i;

	metrics_family(b, "muster_dns_queries_total", "counter",
	    "Queries received, by transport.");
	metrics_value(b, "muster_dns_queries_total", "transport=\"udp\"",
	    (double)s->queries[0]);
	metrics_value(b, "muster_dns_queries_total", "transport=\"tcp\"",
	    (double)s->queries[1]);
	metrics_family(b, "muster_dns_queries_by_type_total", "counter",
	    "Well-formed queries, by question type.");
	for (i = 0; i < ANSWER_QTYPES; i++) {
		snprintf(l, sizeof(l), "type=\"%s\"", answer_qtype_name(i));
		metrics_value(b, "muster_dns_queries_by_type_total", l,
		    (double)s->qtype[i]);
	}
	metrics_family(b, "muster_dns_responses_total", "counter",
	    "Responses sent by musterd itself, by RCODE.");
	for (i = 0; i < ANSWER_RCODES; i++) {
		if (answer_rcode_name(i) == NULL)
			continue;
		snprintf(l, sizeof(l), "rcode=\"%s\"", answer_rcode_name(i));
		metrics_value(b, "muster_dns_responses_total", l,
		    (double)s->rcode[i]);
	}
	metrics_family(b, "muster_dns_truncated_total", "counter",
	    "UDP responses sent with TC set.");
	metrics_value(b, "muster_dns_truncated_total", NULL,
	    (double)s->truncated);
	metrics_family(b, "muster_dns_dropped_total", "counter",
	    "Packets dropped without an answer (malformed, too big, "
	    "send failed).");
	metrics_value(b, "muster_dns_dropped_total", NULL, (double)s->dropped);
	metrics_family(b, "muster_dns_edns_queries_total", "counter",
	    "Queries with an EDNS OPT record.");
	metrics_value(b, "muster_dns_edns_queries_total", NULL, (double)s->edns);
}

static void
musterd_metrics_fwd(struct metrics_buf *b, const struct fwd_stats *f)
{
	metrics_family(b, "muster_forward_queries_total", "counter",
	    "Queries forwarded upstream.");
	metrics_value(b, "muster_forward_queries_total", NULL,
	    (double)f->queries);
	metrics_family(b, "muster_forward_answers_total", "counter",
	    "Upstream answers relayed to clients.");
	metrics_value(b, "muster_forward_answers_total", NULL,
	    (double)f->answers);
	metrics_family(b, "muster_forward_failures_total", "counter",
	    "Forwarded queries answered SERVFAIL (timeout or error).");
	metrics_value(b, "muster_forward_failures_total", NULL,
	    (double)f->failures);
	metrics_family(b, "muster_forward_overflow_total", "counter",
	    "Queries answered SERVFAIL because too many were in flight.");
	metrics_value(b, "muster_forward_overflow_total", NULL, (double)f->full);
	metrics_family(b, "muster_forward_latency_seconds", "histogram",
	    "Time from forwarding to the upstream answer.");
	metrics_histogram(b, "muster_forward_latency_seconds", NULL,
	    fwd_bucket_bounds, f->bucket, FWD_BUCKETS,
	    (double)f->latency_us / 1e6, f->answers);
}

static void
musterd_metrics_sync(struct metrics_buf *b, const struct musterd *d)
{
	struct sync_stats ss;
	struct mirror_stats ms;
	double now = (double)time(NULL);

	sync_get_stats(d->sync, &ss);
	mirror_get_stats(d->mirror, &ms);
	metrics_family(b, "muster_registry_instances", "gauge",
	    "Instances in the served registry copy.");
	metrics_value(b, "muster_registry_instances", NULL, (double)ms.instances);
	metrics_family(b, "muster_registry_services", "gauge",
	    "Services (per datacenter) in the served registry copy.");
	metrics_value(b, "muster_registry_services", NULL, (double)ms.services);
	metrics_family(b, "muster_registry_nodes", "gauge",
	    "Nodes in the served registry copy.");
	metrics_value(b, "muster_registry_nodes", NULL, (double)ms.nodes);
	metrics_family(b, "muster_sync_connected", "gauge",
	    "1 while musterd is connected to Redis.");
	metrics_value(b, "muster_sync_connected", NULL, ss.connected ? 1 : 0);
	metrics_family(b, "muster_sync_stale_seconds", "gauge",
	    "Seconds since the copy was last known current (0 while "
	    "following the change stream).");
	metrics_value(b, "muster_sync_stale_seconds", NULL, ss.down_since_ms
	    ? now - (double)ss.down_since_ms / 1000 : 0);
	metrics_family(b, "muster_sync_lag_seconds", "gauge",
	    "Age of the newest change applied while more were waiting "
	    "(0 when caught up).");
	metrics_value(b, "muster_sync_lag_seconds", NULL,
	    (double)ss.lag_ms / 1000);
	metrics_family(b, "muster_sync_entries_total", "counter",
	    "Change-stream entries applied.");
	metrics_value(b, "muster_sync_entries_total", NULL, (double)ss.entries);
	metrics_family(b, "muster_sync_full_loads_total", "counter",
	    "Full loads of the registry from Redis.");
	metrics_value(b, "muster_sync_full_loads_total", NULL,
	    (double)ss.full_loads);
	metrics_family(b, "muster_sync_bad_records_total", "counter",
	    "Registry records skipped as malformed.");
	metrics_value(b, "muster_sync_bad_records_total", NULL,
	    (double)ss.bad_records);
}

static void
musterd_metrics(struct metrics_buf *b, void *arg)
{
	struct musterd *d = arg;
	struct answer_stats s;
	struct fwd_stats f;
	unsigned i, tcp = 0;
	uint64_t accepted = 0;
	char l[64];

	memset(&s, 0, sizeof(s));
	memset(&f, 0, sizeof(f));
	for (i = 0; i < d->nworkers; i++) {
		worker_stats(d->workers[i], &s);
		worker_fwd_stats(d->workers[i], &f);
		tcp += worker_tcp_active(d->workers[i]);
		accepted += worker_tcp_accepted(d->workers[i]);
	}
	metrics_family(b, "muster_build_info", "gauge", "Version of musterd.");
	snprintf(l, sizeof(l), "version=\"%s\"", PACKAGE_VERSION);
	metrics_value(b, "muster_build_info", l, 1);
	metrics_family(b, "muster_start_time_seconds", "gauge",
	    "When musterd started, seconds since the epoch.");
	metrics_value(b, "muster_start_time_seconds", NULL, (double)d->started);
	musterd_metrics_dns(b, &s);
	metrics_family(b, "muster_tcp_connections", "gauge",
	    "Open TCP connections.");
	metrics_value(b, "muster_tcp_connections", NULL, tcp);
	metrics_family(b, "muster_tcp_accepted_total", "counter",
	    "TCP connections accepted.");
	metrics_value(b, "muster_tcp_accepted_total", NULL, (double)accepted);
	musterd_metrics_fwd(b, &f);
	if (d->sync != NULL)
		musterd_metrics_sync(b, d);
}

static void
musterd_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct musterd *d = w->data;

	(void)revents;
	switch (w->signum) {
	case SIGHUP:
		musterd_reload(d);
		break;
	case SIGUSR1:
		musterd_log_stats(d);
		break;
	default:
		log_info("stopping (signal %d)", w->signum);
		ev_break(loop, EVBREAK_ALL);
		break;
	}
}

/*
 * Retired snapshots (a reload's view, the registry's replaced services,
 * nodes and tables) are freed once every worker has passed a quiescent
 * point: try every 100 ms while any wait.
 */
static void
musterd_reclaim_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)revents;
	if (qsbr_reclaim() == 0)
		ev_timer_stop(loop, t);
}

static void
musterd_reclaim_kick(void *arg)
{
	struct musterd *d = arg;

	if (!ev_is_active(&d->reclaim))
		ev_timer_again(d->loop, &d->reclaim);
}

/* Is the forwarder a one of our own listening addresses? */
static bool
musterd_is_self(const struct musterd *d, const struct sockaddr_storage *f)
{
	size_t i;

	for (i = 0; i < d->naddrs; i++) {
		const struct listen_addr *a = &d->addrs[i];

		if (a->ss.ss_family != f->ss_family)
			continue;
		if (f->ss_family == AF_INET) {
			const struct sockaddr_in *x = (const void *)&a->ss;
			const struct sockaddr_in *y = (const void *)f;

			if (x->sin_port == y->sin_port && (a->wildcard
			    || x->sin_addr.s_addr == y->sin_addr.s_addr))
				return true;
		} else {
			const struct sockaddr_in6 *x = (const void *)&a->ss;
			const struct sockaddr_in6 *y = (const void *)f;

			if (x->sin6_port == y->sin6_port && (a->wildcard
			    || memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0))
				return true;
		}
	}
	return false;
}

static int
musterd_add_forwarder(struct musterd *d, const char *spec, const char *where,
    char *err, size_t errlen)
{
	struct listen_addr a;
	char why[256];

	if (listen_parse(spec, 53, &a, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: forward: %s", where, why);
		return -1;
	}
	if (musterd_is_self(d, &a.ss)) {
		log_warnx("forward, %s is this server: not used", a.text);
		return 0;
	}
	if (d->fwd.nservers == FWD_MAXSERVERS) {
		log_warnx("forward, more than %d forwarders: %s not used",
		    FWD_MAXSERVERS, a.text);
		return 0;
	}
	d->fwd.server[d->fwd.nservers++] = a.ss;
	return 0;
}

/* Forwarders from --forward and the nameserver lines of --forward-from. */
static int
musterd_forwarders(struct musterd *d, char *err, size_t errlen)
{
	const struct musterd_conf *c = &d->conf;
	char line[512], where[PATH_MAX + 32];
	unsigned lineno = 0;
	size_t i;
	FILE *fp;

	memset(&d->fwd, 0, sizeof(d->fwd));
	d->fwd.timeout_ms = (unsigned)c->forward_timeout;
	d->fwd.max_pending = (unsigned)c->forward_max;
	d->fwd.udp_max = (uint16_t)c->udp_payload;
	for (i = 0; i < c->forward.n; i++)
		if (musterd_add_forwarder(d, c->forward.v[i].value,
		    c->forward.v[i].where, err, errlen) < 0)
			return -1;
	if (c->forward_from == NULL)
		goto check;
	fp = fopen(c->forward_from, "r");
	if (fp == NULL) {
		snprintf(err, errlen, "forward-from: cannot open %s (%s)",
		    c->forward_from, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *w = strtok(line, " \t\r\n"), *addr;

		lineno++;
		if (w == NULL || strcmp(w, "nameserver") != 0
		    || (addr = strtok(NULL, " \t\r\n")) == NULL)
			continue;
		addr[strcspn(addr, "%")] = '\0';	/* no scope ids */
		snprintf(where, sizeof(where), "%s:%u", c->forward_from, lineno);
		if (strchr(addr, ':') != NULL) {
			char v6[INET6_ADDRSTRLEN + 2];

			snprintf(v6, sizeof(v6), "[%s]", addr);
			if (musterd_add_forwarder(d, v6, where, err, errlen) < 0)
				break;
		} else if (musterd_add_forwarder(d, addr, where, err,
		    errlen) < 0) {
			break;
		}
	}
	fclose(fp);
	if (err[0] != '\0')
		return -1;
check:
	if ((c->forward.n > 0 || c->forward_from != NULL)
	    && d->fwd.nservers == 0) {
		snprintf(err, errlen, "forward: no forwarder left (none given, "
		    "or each one is this server)");
		return -1;
	}
	return 0;
}

/* Parse the listen addresses and check nobody else holds them. */
static int
musterd_addresses(struct musterd *d, char *err, size_t errlen)
{
	size_t i;

	if (d->conf.listen.n > MUSTERD_MAXLISTEN) {
		snprintf(err, errlen, "listen: at most %d addresses",
		    MUSTERD_MAXLISTEN);
		return -1;
	}
	for (i = 0; i < d->conf.listen.n; i++) {
		char why[256];

		if (listen_parse(d->conf.listen.v[i].value, 53, &d->addrs[i],
		    why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: listen: %s",
			    d->conf.listen.v[i].where, why);
			return -1;
		}
	}
	d->naddrs = d->conf.listen.n;
	return 0;
}

/*
 * Claim every address (lock, probe) and open every worker's sockets, all
 * before daemonizing: a port in use is then an exit status, not a log line.
 */
static int
musterd_open_sockets(struct musterd *d, char *err, size_t errlen)
{
	unsigned i;
	size_t k;

	for (k = 0; k < d->naddrs; k++)
		if (listen_lock(&d->addrs[k], err, errlen) < 0
		    || listen_probe(&d->addrs[k], err, errlen) < 0)
			return -1;
	for (i = 0; i < d->nworkers; i++)
		for (k = 0; k < d->naddrs; k++) {
			d->udp[i][k] = listen_udp(&d->addrs[k], err, errlen);
			if (d->udp[i][k] < 0)
				return -1;
			d->tcp[i][k] = listen_tcp(&d->addrs[k], err, errlen);
			if (d->tcp[i][k] < 0)
				return -1;
		}
	return 0;
}

static int
musterd_start_workers(struct musterd *d, char *err, size_t errlen)
{
	bool pktinfo[MUSTERD_MAXLISTEN];
	unsigned i;
	size_t k;

	for (k = 0; k < d->naddrs; k++)
		pktinfo[k] = d->addrs[k].wildcard;
	d->shared = worker_shared_new((unsigned)d->conf.tcp_clients,
	    d->nworkers);
	if (d->shared == NULL) {
		snprintf(err, errlen, "workers: out of memory");
		return -1;
	}
	for (i = 0; i < d->nworkers; i++) {
		struct worker_config wc = {
			.id = i, .udp_fds = d->udp[i], .udp_pktinfo = pktinfo,
			.nudp = d->naddrs, .tcp_fds = d->tcp[i],
			.ntcp = d->naddrs, .shared = d->shared,
			.tcp_idle = (double)d->conf.tcp_idle,
			.fwd = d->fwd.nservers > 0 ? &d->fwd : NULL,
		};

		d->workers[i] = worker_new(&wc, err, errlen);
		if (d->workers[i] == NULL)
			return -1;
	}
	for (i = 0; i < d->nworkers; i++)
		if (worker_start(d->workers[i]) < 0) {
			snprintf(err, errlen, "workers: %s", strerror(errno));
			return -1;
		}
	return 0;
}

/* Serving what it should: tell systemd (with a registry: once loaded). */
static void
musterd_ready(void *arg)
{
	struct musterd *d = arg;

	if (d->ready_sent)
		return;
	d->ready_sent = true;
	if (notify_send("READY=1\nSTATUS=serving") < 0)
		log_warn("systemd, cannot notify");
}

/*
 * Run as -u USER from now on (the sockets are bound).  As root without
 * -u, refuse unless allowed: a DNS server has no business running as root.
 */
static int
musterd_drop_privileges(struct musterd *d, char *err, size_t errlen)
{
	const char *env = getenv("MUSTERD_ALLOW_ROOT");
	struct passwd *pw;

	if (d->conf.user == NULL) {
		if (geteuid() != 0 || d->conf.allow_root
		    || (env != NULL && strcmp(env, "1") == 0))
			return 0;
		snprintf(err, errlen, "refusing to serve as root: give -u USER, "
		    "or --allow-root");
		return -1;
	}
	pw = getpwnam(d->conf.user);
	if (pw == NULL) {
		snprintf(err, errlen, "user: no such user \"%s\"", d->conf.user);
		return -1;
	}
	if (pw->pw_uid == 0 && !d->conf.allow_root
	    && !(env != NULL && strcmp(env, "1") == 0)) {
		snprintf(err, errlen, "user: refusing to serve as root (%s): "
		    "give --allow-root", d->conf.user);
		return -1;
	}
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid)
			return 0;	/* already that user */
		snprintf(err, errlen, "user: cannot become %s without root",
		    d->conf.user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0
	    || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		snprintf(err, errlen, "user: cannot become %s: %s",
		    d->conf.user, strerror(errno));
		return -1;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() != pw->pw_uid)) {
		snprintf(err, errlen, "user: still root after dropping to %s",
		    d->conf.user);
		return -1;
	}
	log_info("running as %s (uid %u)", pw->pw_name, (unsigned)pw->pw_uid);
	return 0;
}

static int
musterd_start_metrics(struct musterd *d, char *err, size_t errlen)
{
	struct listen_addr a;
	char why[256];

	if (listen_parse(d->conf.metrics, 9153, &a, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "metrics: %s", why);
		return -1;
	}
	d->metrics = metrics_start(d->loop, &a, musterd_metrics, d, err, errlen);
	if (d->metrics == NULL)
		return -1;
	log_info("metrics on http://%s/metrics", a.text);
	return 0;
}

static int
musterd_start_sync(struct musterd *d)
{
	struct sync_config sc;
	struct reg_settings set;
	char why[256], source[sizeof(sc.prefix) + sizeof(sc.url.text) + 2];

	memset(&sc, 0, sizeof(sc));
	if (rconn_url_parse(d->conf.redis, &sc.url, why, sizeof(why)) < 0) {
		log_errx("redis: %s", why);
		return -1;
	}
	snprintf(sc.prefix, sizeof(sc.prefix), "%s", d->conf.prefix);
	sc.who = "registry";
	musterd_reg_settings(&d->conf, &set);
	snprintf(source, sizeof(source), "%s %s", d->conf.prefix, sc.url.text);
	d->mirror = mirror_new(d->loop, &set, d->conf.state_file, source,
	    musterd_ready, d);
	if (d->mirror != NULL)
		d->sync = sync_new(d->loop, &sc, &mirror_sync_ops, d->mirror);
	if (d->sync == NULL || mirror_start(d->mirror, d->sync) < 0) {
		log_errx("registry, out of memory");
		return -1;
	}
	sync_start(d->sync);
	return 0;
}

static void
musterd_signals(struct musterd *d)
{
	ev_signal *s[] = { &d->sighup, &d->sigterm, &d->sigint, &d->sigusr1 };
	int num[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1 };
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		ev_signal_init(s[i], musterd_signal_cb, num[i]);
		s[i]->data = d;
		ev_signal_start(d->loop, s[i]);
	}
}

static unsigned
musterd_nworkers(long conf)
{
	long n = conf > 0 ? conf : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > MUSTERD_MAXWORKERS)
		n = MUSTERD_MAXWORKERS;
	return (unsigned)n;
}

static int
musterd_run(struct musterd *d)
{
	char err[1024] = "";
	struct view *v;
	unsigned i;

	v = musterd_view(&d->conf, !d->conf.check, err, sizeof(err));
	if (v == NULL || musterd_addresses(d, err, sizeof(err)) < 0
	    || musterd_forwarders(d, err, sizeof(err)) < 0) {
		log_errx("%s", err);
		view_free(v);
		return 1;
	}
	if (d->conf.check) {
		musterd_log_zones(v->db);
		log_info("configuration and zones are valid");
		view_free(v);
		return 0;
	}
	d->nworkers = musterd_nworkers(d->conf.workers);
	if (musterd_open_sockets(d, err, sizeof(err)) < 0
	    || (d->fwd.nservers > 0 && fwd_library_init() < 0)
	    || qsbr_init(d->nworkers) < 0 || view_publish(v) < 0) {
		log_errx("%s", err[0] ? err : "out of memory");
		return 1;
	}
	if (!d->conf.foreground) {
		d->ready_fd = daemon_background("musterd");
		log_init("musterd", 0, log_get_level());
	}
	daemon_pidfile(d->conf.pidfile);
	d->loop = ev_default_loop(EVFLAG_AUTO);
	musterd_signals(d);
	ev_init(&d->reclaim, musterd_reclaim_cb);
	d->reclaim.repeat = 0.1;
	qsbr_set_kick(musterd_reclaim_kick, d);
	if ((d->conf.metrics != NULL && musterd_start_metrics(d, err,
	    sizeof(err)) < 0)
	    || musterd_drop_privileges(d, err, sizeof(err)) < 0
	    || (d->conf.redis != NULL && musterd_start_sync(d) < 0)
	    || musterd_start_workers(d, err, sizeof(err)) < 0) {
		log_errx("%s", err[0] ? err : "cannot start");
		daemon_report(&d->ready_fd, err[0] ? err : "cannot start (see the log)");
		return 1;
	}
	musterd_log_zones(v->db);
	for (i = 0; i < d->naddrs; i++)
		log_info("listening on %s (udp, tcp)", d->addrs[i].text);
	log_info("musterd %s started, %u workers", PACKAGE_VERSION,
	    d->nworkers);
	daemon_report(&d->ready_fd, "ok");
	if (d->sync == NULL)
		musterd_ready(d);	/* zones only: serving now */
	ev_run(d->loop, 0);
	(void)notify_send("STOPPING=1");
	metrics_stop(d->metrics);
	sync_free(d->sync);
	mirror_free(d->mirror);
	for (i = 0; i < d->nworkers; i++)	/* all threads, then memory */
		if (d->workers[i] != NULL)
			worker_stop(d->workers[i]);
	for (i = 0; i < d->nworkers; i++)
		worker_free(d->workers[i]);
	worker_shared_free(d->shared);
	view_publish(NULL);
	reg_publish(NULL);
	qsbr_shutdown();
	if (d->conf.pidfile != NULL)
		unlink(d->conf.pidfile);
	log_info("stopped");
	return 0;
}

int
main(int argc, char **argv)
{
	static struct musterd d;
	char err[1024] = "";
	int rc;

	d.argc = argc;
	d.argv = argv;
	d.ready_fd = -1;
	d.started = time(NULL);
	log_init("musterd", 1, LOG_LEVEL_INFO);
	if (musterd_read_conf(&d, &d.conf, err, sizeof(err)) < 0) {
		log_errx("%s", err);
		fprintf(stderr, "Try 'musterd --help'.\n");
		return 1;
	}
	if (d.conf.help) {
		conf_usage(musterd_opts, stdout, "Usage: musterd [options]\n"
		    "Authoritative DNS server for service discovery.");
		return 0;
	}
	if (d.conf.version) {
		printf("musterd %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (optind < argc) {
		log_errx("command line: unexpected argument \"%s\"", argv[optind]);
		return 1;
	}
	log_set_level((enum log_level)log_level_parse(d.conf.log_level));
	rc = musterd_run(&d);
	conf_clear(musterd_opts, &d.conf);
	return rc;
}
