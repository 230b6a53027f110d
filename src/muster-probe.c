/*
 * muster-probe.c -- the health checker: options, start-up, signals, loop.
 *
 * Everything but the main lives in probe.c (targets, scheduling,
 * writes), check*.c (the checks) and lease.c (which prober writes).
 * SIGHUP reads the configuration again and applies what can change
 * without a restart (log-level, max-checks); SIGUSR1 logs statistics;
 * SIGTERM and SIGINT stop the checks, give the lease up so a standby
 * takes over at once, and exit.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ev.h>

#include "conf.h"
#include "check.h"
#include "daemon.h"
#include "listen.h"
#include "metrics.h"
#include "notify.h"
#include "log.h"
#include "probe.h"
#include "rconn.h"

#define MP_STOP_GRACE	2.0	/* s to wait for the lease release */
#define MP_FD_RESERVE	64	/* descriptors kept for Redis, logs, ... */

struct mp_conf {
	char		*config;
	int		 check;
	int		 foreground;
	int		 help;
	int		 version;
	char		*redis;
	char		*prefix;
	char		*id;
	char		*lease_ttl;
	long		 max_checks;
	char		*log_level;
	char		*pidfile;
	char		*metrics;
};

static int mp_check_addr(const char *, char *, size_t);
static int mp_check_lease(const char *, char *, size_t);
static int mp_check_id(const char *, char *, size_t);

#define OFF(f) offsetof(struct mp_conf, f)
static const struct conf_opt mp_opts[] = {
	{ "config", 'c', CONF_STR, NULL, OFF(config), 0, 0, NULL,
	  CONF_CLI_ONLY, "FILE", "read settings from FILE" },
	{ "check-config", 'n', CONF_FLAG, NULL, OFF(check), 0, 0, NULL,
	  CONF_CLI_ONLY, NULL, "check the configuration, report, exit 0 or 1" },
	{ "foreground", 'f', CONF_FLAG, "no", OFF(foreground), 0, 0, NULL,
	  CONF_RESTART, NULL, "stay in the foreground, log to stderr" },
	{ "redis", 'r', CONF_STR, "redis://127.0.0.1:6379", OFF(redis), 0, 0,
	  rconn_url_check, CONF_RESTART, "URL", "the registry's Redis primary "
	  "(redis://[user:pass@]host[:port][/db], unix:///path[?db=N], "
	  "sentinel://host:port[,host:port...]/MASTER[?db=N])" },
	{ "prefix", 0, CONF_STR, "muster:", OFF(prefix), 0, 0, NULL,
	  CONF_RESTART, "PREFIX", "registry key prefix in Redis" },
	{ "id", 0, CONF_STR, NULL, OFF(id), 0, 0, mp_check_id, CONF_RESTART,
	  "NAME", "this prober's name in logs and in its lease token "
	  "(default: the host name)" },
	{ "lease-ttl", 0, CONF_STR, "10s", OFF(lease_ttl), 0, 0, mp_check_lease,
	  CONF_RESTART, "DURATION", "lease time: a standby takes over within "
	  "it when the active prober dies" },
	{ "max-checks", 0, CONF_INT, "4096", OFF(max_checks), 1, 1000000, NULL,
	  0, "N", "checks in flight at once; more wait in a queue" },
	{ "log-level", 0, CONF_STR, "info", OFF(log_level), 0, 0,
	  log_level_check, 0, "LEVEL", "error, warning, info or debug" },
	{ "pidfile", 0, CONF_STR, NULL, OFF(pidfile), 0, 0, NULL, CONF_RESTART,
	  "FILE", "write the process id to FILE" },
	{ "metrics", 0, CONF_STR, NULL, OFF(metrics), 0, 0, mp_check_addr,
	  CONF_RESTART, "ADDR[:PORT]", "serve Prometheus metrics over HTTP "
	  "at /metrics (off when not given)" },
	{ "version", 'V', CONF_FLAG, NULL, OFF(version), 0, 0, NULL,
	  CONF_CLI_ONLY, NULL, "print the version and exit" },
	{ "help", 'h', CONF_FLAG, NULL, OFF(help), 0, 0, NULL, CONF_CLI_ONLY,
	  NULL, "print this help and exit" },
	{ NULL, 0, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL }
};
#undef OFF

struct mp {
	struct mp_conf	 conf;
	int		 argc;
	char		**argv;
	struct ev_loop	*loop;
	ev_signal	 sighup, sigterm, sigint, sigusr1;
	ev_timer	 grace;
	struct probe	*probe;
	bool		 stopping;
	struct metrics_server *metrics;
};

static int
mp_check_addr(const char *v, char *why, size_t whylen)
{
	struct listen_addr a;

	return listen_parse(v, 9154, &a, why, whylen);
}

/* ---- metrics ---- */

static const char *
mp_kind_name(unsigned k)
{
	static const char *names[PROBE_KINDS] = { "none", "tcp", "http",
	    "https", "ttl" };

	return k < PROBE_KINDS ? names[k] : "none";
}

static void
mp_metrics_checks(struct metrics_buf *b, const struct probe_metrics *m)
{
	char l[96];
	unsigned k, r, t;

	metrics_family(b, "muster_probe_checks_total", "counter",
	    "Checks completed, by kind and outcome.");
	for (k = 1; k < PROBE_KINDS; k++)
		for (r = 0; r < PROBE_RESULTS; r++) {
			snprintf(l, sizeof(l), "kind=\"%s\",outcome=\"%s\"",
			    mp_kind_name(k), check_result_str(r));
			metrics_value(b, "muster_probe_checks_total", l,
			    (double)m->checks[k][r]);
		}
	metrics_family(b, "muster_probe_transitions_total", "counter",
	    "Status changes seen by this prober (written when it is active).");
	for (r = 0; r < PROBE_RESULTS; r++)
		for (t = 0; t < PROBE_RESULTS; t++) {
			if (r == t)
				continue;
			snprintf(l, sizeof(l), "from=\"%s\",to=\"%s\"",
			    check_result_str(r), check_result_str(t));
			metrics_value(b, "muster_probe_transitions_total", l,
			    (double)m->transitions[r][t]);
		}
	metrics_family(b, "muster_probe_check_duration_seconds", "histogram",
	    "Time from starting a check to its result, by kind.");
	for (k = 1; k < PROBE_KINDS; k++) {
		snprintf(l, sizeof(l), "kind=\"%s\"", mp_kind_name(k));
		metrics_histogram(b, "muster_probe_check_duration_seconds", l,
		    probe_dur_bounds, m->dur[k], PROBE_DUR_BUCKETS,
		    m->dur_sum[k], m->dur_n[k]);
	}
}

static void
mp_metrics(struct metrics_buf *b, void *arg)
{
	struct mp *d = arg;
	struct probe_metrics m;
	char l[64];

	probe_get_metrics(d->probe, &m);
	metrics_family(b, "muster_probe_build_info", "gauge",
	    "Version of muster-probe.");
	snprintf(l, sizeof(l), "version=\"%s\"", PACKAGE_VERSION);
	metrics_value(b, "muster_probe_build_info", l, 1);
	mp_metrics_checks(b, &m);
	metrics_family(b, "muster_probe_lease_held", "gauge",
	    "1 while this prober holds the lease (is the active one).");
	metrics_value(b, "muster_probe_lease_held", NULL, m.lease_held);
	metrics_family(b, "muster_probe_redis_up", "gauge",
	    "1 while the connection for writes is up.");
	metrics_value(b, "muster_probe_redis_up", NULL, m.redis_up);
	metrics_family(b, "muster_probe_targets", "gauge",
	    "Instances known; probed: those with a check, not in maintenance.");
	metrics_value(b, "muster_probe_targets", "state=\"known\"",
	    (double)m.targets);
	metrics_value(b, "muster_probe_targets", "state=\"probed\"",
	    (double)m.probed);
	metrics_family(b, "muster_probe_checks_in_flight", "gauge",
	    "Checks running now.");
	metrics_value(b, "muster_probe_checks_in_flight", NULL,
	    (double)m.in_flight);
	metrics_family(b, "muster_probe_queue", "gauge",
	    "Checks due and waiting for a free slot (--max-checks).");
	metrics_value(b, "muster_probe_queue", NULL, (double)m.queue);
	metrics_family(b, "muster_probe_writes_total", "counter",
	    "Status writes (muster_check), by result.");
	metrics_value(b, "muster_probe_writes_total", "result=\"sent\"",
	    (double)m.writes);
	metrics_value(b, "muster_probe_writes_total", "result=\"changed\"",
	    (double)m.changed);
	metrics_value(b, "muster_probe_writes_total", "result=\"refused\"",
	    (double)m.refused);
	metrics_value(b, "muster_probe_writes_total", "result=\"error\"",
	    (double)m.errors);
	metrics_family(b, "muster_probe_reaped_total", "counter",
	    "Instances deregistered after deregister-after.");
	metrics_value(b, "muster_probe_reaped_total", NULL, (double)m.reaped);
}

static int
mp_check_lease(const char *v, char *why, size_t whylen)
{
	long ms = conf_duration_ms(v);

	if (ms < 500 || ms > 3600L * 1000) {
		snprintf(why, whylen, "expected a duration from 500ms to 1h "
		    "(500ms, 10s, 2m), not \"%s\"", v);
		return -1;
	}
	return 0;
}

#define MP_ID_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

static int
mp_check_id(const char *v, char *why, size_t whylen)
{
	size_t n = strlen(v);

	if (n == 0 || n > 64 || strspn(v, MP_ID_CHARS) != n) {
		snprintf(why, whylen, "expected 1-64 characters of A-Z a-z 0-9 "
		    ". _ -, not \"%s\"", v);
		return -1;
	}
	return 0;
}

static int
mp_read_conf(struct mp *d, struct mp_conf *c, char *err, size_t errlen)
{
	return conf_read(mp_opts, c, sizeof(*c), d->argc, d->argv, err, errlen);
}

/* The lease token: <id>-<pid>-<random hex>. */
static void
mp_token(const struct mp_conf *c, char *out, size_t outlen)
{
	char host[256] = "probe", id[65];
	unsigned char rnd[8];
	size_t i, n = 0;

	if (c->id != NULL) {
		snprintf(id, sizeof(id), "%s", c->id);
	} else {
		if (gethostname(host, sizeof(host) - 1) < 0)
			snprintf(host, sizeof(host), "probe");
		host[sizeof(host) - 1] = '\0';
		for (i = 0; host[i] != '\0' && n < sizeof(id) - 1; i++)
			if (strchr(MP_ID_CHARS, host[i]) != NULL)
				id[n++] = host[i];
		id[n] = '\0';
		if (n == 0)
			snprintf(id, sizeof(id), "probe");
	}
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		uint64_t v = (uint64_t)(ev_time() * 1e9);

		memcpy(rnd, &v, sizeof(rnd));
	}
	n = (size_t)snprintf(out, outlen, "%s-%ld-", id, (long)getpid());
	for (i = 0; i < sizeof(rnd) && n + 2 < outlen; i++, n += 2)
		snprintf(out + n, outlen - n, "%02x", rnd[i]);
}

/*
 * Raise the open-file limit to the hard limit; lower max-checks to what
 * it allows, with one line, rather than fail checks for want of sockets.
 */
static void
mp_rlimit(struct mp_conf *c)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warn("limits, cannot raise the open-file limit");
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY
	    && (rlim_t)c->max_checks + MP_FD_RESERVE > rl.rlim_cur) {
		long n = rl.rlim_cur > MP_FD_RESERVE * 2
		    ? (long)(rl.rlim_cur - MP_FD_RESERVE) : MP_FD_RESERVE;

		log_warnx("limits, max-checks %ld is more than the open-file "
		    "limit %llu allows: using %ld", c->max_checks,
		    (unsigned long long)rl.rlim_cur, n);
		c->max_checks = n;
	}
}

static void
mp_reload(struct mp *d)
{
	struct mp_conf c;
	char err[1024] = "";
	const struct conf_opt *o;

	log_info("reload, started (SIGHUP)");
	if (mp_read_conf(d, &c, err, sizeof(err)) < 0) {
		log_errx("reload, failed, keeping the old settings: %s", err);
		conf_clear(mp_opts, &c);
		return;
	}
	for (o = mp_opts; o->name != NULL; o++)
		if ((o->flags & CONF_RESTART) && !conf_same(o, &c, &d->conf))
			log_warnx("reload, %s changed: takes effect at restart",
			    o->name);
	log_set_level((enum log_level)log_level_parse(c.log_level));
	mp_rlimit(&c);
	probe_set_max_checks(d->probe, (size_t)c.max_checks);
	conf_clear(mp_opts, &d->conf);
	d->conf = c;
	log_info("reload, done");
}

static void
mp_stopped(void *arg)
{
	struct mp *d = arg;

	ev_break(d->loop, EVBREAK_ALL);
}

static void
mp_grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	log_warnx("stopping, redis did not answer the lease release in time");
	ev_break(loop, EVBREAK_ALL);
}

static void
mp_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct mp *d = w->data;

	(void)revents;
	switch (w->signum) {
	case SIGHUP:
		mp_reload(d);
		break;
	case SIGUSR1:
		probe_log_stats(d->probe);
		break;
	default:
		log_info("stopping (signal %d)", w->signum);
		if (d->stopping) {
			ev_break(loop, EVBREAK_ALL);
			break;
		}
		d->stopping = true;
		ev_timer_start(loop, &d->grace);
		probe_stop(d->probe, mp_stopped, d);
		break;
	}
}

static void
mp_signals(struct mp *d)
{
	ev_signal *s[] = { &d->sighup, &d->sigterm, &d->sigint, &d->sigusr1 };
	int num[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1 };
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		ev_signal_init(s[i], mp_signal_cb, num[i]);
		s[i]->data = d;
		ev_signal_start(d->loop, s[i]);
	}
}

/* The probe's settings from the configuration (checked by the table). */
static int
mp_probe_config(const struct mp_conf *c, struct probe_config *pc)
{
	char why[512];

	memset(pc, 0, sizeof(*pc));
	if (rconn_url_parse(c->redis, &pc->url, why, sizeof(why)) < 0) {
		log_errx("redis: %s", why);
		return -1;
	}
	if (strlen(c->prefix) >= sizeof(pc->prefix)) {
		log_errx("prefix: longer than %zu bytes", sizeof(pc->prefix) - 1);
		return -1;
	}
	snprintf(pc->prefix, sizeof(pc->prefix), "%s", c->prefix);
	pc->lease_ms = (uint32_t)conf_duration_ms(c->lease_ttl);
	pc->max_checks = (size_t)c->max_checks;
	return 0;
}

static int
mp_run(struct mp *d)
{
	struct probe_config pc;
	char err[1024] = "";
	int ready = -1;

	if (mp_probe_config(&d->conf, &pc) < 0)
		return 1;
	if (d->conf.check) {
		log_info("configuration is valid");
		return 0;
	}
	mp_rlimit(&d->conf);
	pc.max_checks = (size_t)d->conf.max_checks;
	if (!d->conf.foreground) {
		ready = daemon_background("muster-probe");
		log_init("muster-probe", 0, log_get_level());
	}
	daemon_pidfile(d->conf.pidfile);
	mp_token(&d->conf, pc.token, sizeof(pc.token));
	d->loop = ev_default_loop(EVFLAG_AUTO);
	mp_signals(d);
	ev_timer_init(&d->grace, mp_grace_cb, MP_STOP_GRACE, 0.);
	d->probe = probe_new(d->loop, &pc, err, sizeof(err));
	if (d->probe == NULL) {
		log_errx("%s", err);
		daemon_report(&ready, err);
		return 1;
	}
	probe_start(d->probe);
	if (d->conf.metrics != NULL) {
		struct listen_addr a;
		char why[256];

		if (listen_parse(d->conf.metrics, 9154, &a, why,
		    sizeof(why)) < 0 || (d->metrics = metrics_start(d->loop,
		    &a, mp_metrics, d, err, sizeof(err))) == NULL) {
			if (err[0] == '\0')
				snprintf(err, sizeof(err), "metrics: %s", why);
			log_errx("%s", err);
			daemon_report(&ready, err);
			return 1;
		}
		log_info("metrics on http://%s/metrics", a.text);
	}
	daemon_report(&ready, "ok");
	(void)notify_send("READY=1\nSTATUS=probing");
	log_info("muster-probe %s started, redis %s, lease %u ms, max-checks "
	    "%zu, token %s", PACKAGE_VERSION, pc.url.text, (unsigned)pc.lease_ms,
	    pc.max_checks, pc.token);
	ev_run(d->loop, 0);
	(void)notify_send("STOPPING=1");
	metrics_stop(d->metrics);
	probe_free(d->probe);
	if (d->conf.pidfile != NULL)
		unlink(d->conf.pidfile);
	log_info("stopped");
	return 0;
}

int
main(int argc, char **argv)
{
	static struct mp d;
	char err[1024] = "";
	int rc;

	d.argc = argc;
	d.argv = argv;
	log_init("muster-probe", 1, LOG_LEVEL_INFO);
	if (mp_read_conf(&d, &d.conf, err, sizeof(err)) < 0) {
		log_errx("%s", err);
		fprintf(stderr, "Try 'muster-probe --help'.\n");
		return 1;
	}
	if (d.conf.help) {
		conf_usage(mp_opts, stdout, "Usage: muster-probe [options]\n"
		    "Health-check the instances of the muster registry.");
		return 0;
	}
	if (d.conf.version) {
		printf("muster-probe %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (optind < argc) {
		log_errx("command line: unexpected argument \"%s\"", argv[optind]);
		return 1;
	}
	log_set_level((enum log_level)log_level_parse(d.conf.log_level));
	rc = mp_run(&d);
	conf_clear(mp_opts, &d.conf);
	return rc;
}
