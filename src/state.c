/*
 * state.c -- the registry's last known copy on disk (--state-file).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "record.h"
#include "state.h"

#define STATE_MAXSTR	(64 * 1024)

struct state_w {
	FILE	*fp;
	int	 err;
};

static void
state_put_str(FILE *fp, const char *s, size_t n)
{
	fprintf(fp, "%zu ", n);
	fwrite(s, 1, n, fp);
}

static void
state_put_fields(FILE *fp, const struct rec_kv *kv, size_t n)
{
	size_t i;

	fprintf(fp, " %zu\n", n);
	for (i = 0; i < n; i++) {
		state_put_str(fp, kv[i].k, kv[i].klen);
		fputc(' ', fp);
		state_put_str(fp, kv[i].v, kv[i].vlen);
		fputc('\n', fp);
	}
}

static void
state_put_inst(const char *id, size_t idlen, const struct rec_inst *r,
    void *arg)
{
	struct rec_kv kv[REC_MAXFIELDS];
	char buf[REC_FMTBUF];
	FILE *fp = arg;
	size_t n = rec_inst_format(r, kv, buf, sizeof(buf));

	fputs("inst ", fp);
	state_put_str(fp, id, idlen);
	state_put_fields(fp, kv, n);
}

static void
state_put_node(const struct rec_node *r, void *arg)
{
	struct rec_kv kv[REC_MAXFIELDS];
	char buf[REC_FMTBUF];
	FILE *fp = arg;
	size_t n = rec_node_format(r, kv, buf, sizeof(buf));

	fputs("node ", fp);
	state_put_str(fp, r->name, strlen(r->name));
	state_put_fields(fp, kv, n);
}

int
state_save(const char *path, const struct model *m, const char *stream_id,
    const char *source)
{
	char tmp[4096];
	FILE *fp;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return -1;
	fputs("muster-state 1\nstream ", fp);
	state_put_str(fp, stream_id, strlen(stream_id));
	fputs("\nsource ", fp);
	state_put_str(fp, source, strlen(source));
	fputc('\n', fp);
	model_each_inst(m, state_put_inst, fp);
	model_each_node(m, state_put_node, fp);
	fputs("end\n", fp);
	rc = fflush(fp) == 0 && fsync(fileno(fp)) == 0 && !ferror(fp) ? 0 : -1;
	if (fclose(fp) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -1;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* ---- reading ---- */

struct state_r {
	FILE	*fp;
	char	*buf;		/* strings of the current record */
	size_t	 used;
};

/* "LEN SP BYTES" into the buffer; returns its start or NULL. */
static const char *
state_get_str(struct state_r *r, size_t *len)
{
	size_t n;
	char *p;

	if (fscanf(r->fp, "%zu", &n) != 1 || fgetc(r->fp) != ' '
	    || n > STATE_MAXSTR || r->used + n + 1 > 2 * STATE_MAXSTR)
		return NULL;
	p = r->buf + r->used;
	if (fread(p, 1, n, r->fp) != n)
		return NULL;
	p[n] = '\0';
	r->used += n + 1;
	*len = n;
	return p;
}

/* NFIELDS NL then the fields, into kv; returns the count or -1. */
static long
state_get_fields(struct state_r *r, struct rec_kv *kv)
{
	size_t n, i;

	if (fscanf(r->fp, " %zu", &n) != 1 || fgetc(r->fp) != '\n'
	    || n > REC_MAXFIELDS)
		return -1;
	for (i = 0; i < n; i++) {
		kv[i].k = state_get_str(r, &kv[i].klen);
		if (kv[i].k == NULL || fgetc(r->fp) != ' ')
			return -1;
		kv[i].v = state_get_str(r, &kv[i].vlen);
		if (kv[i].v == NULL || fgetc(r->fp) != '\n')
			return -1;
	}
	return (long)n;
}

/* One "inst" or "node" record; 1 read, 0 at "end", -1 malformed. */
static int
state_record(struct state_r *r, struct model *m, long *ninst)
{
	struct rec_kv kv[REC_MAXFIELDS];
	char word[8], why[256];
	const char *id;
	size_t idlen;
	long n;

	r->used = 0;
	if (fscanf(r->fp, "%7s", word) != 1)
		return -1;
	if (strcmp(word, "end") == 0)
		return 0;
	if (fgetc(r->fp) != ' ' || (id = state_get_str(r, &idlen)) == NULL
	    || (n = state_get_fields(r, kv)) < 0)
		return -1;
	if (strcmp(word, "inst") == 0) {
		struct rec_inst rec;

		if (rec_inst_parse(&rec, kv, (size_t)n, why, sizeof(why)) < 0)
			log_warnx("state, instance %s skipped: %s", id, why);
		else if (model_inst_put(m, id, idlen, &rec) == 0)
			(*ninst)++;
		return 1;
	}
	if (strcmp(word, "node") == 0) {
		struct rec_node rec;

		if (rec_node_parse(&rec, id, idlen, kv, (size_t)n, why,
		    sizeof(why)) < 0)
			log_warnx("state, node %s skipped: %s", id, why);
		else
			(void)model_node_put(m, &rec);
		return 1;
	}
	return -1;
}

long
state_load(const char *path, struct model *m, const char *source, char *id,
    char *err, size_t errlen)
{
	struct state_r r = { 0 };
	char head[32];
	const char *sid, *src;
	size_t len, slen;
	long ninst = 0;
	int rc;

	r.fp = fopen(path, "r");
	if (r.fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	r.buf = malloc(2 * STATE_MAXSTR);
	if (r.buf == NULL || fgets(head, sizeof(head), r.fp) == NULL
	    || strcmp(head, "muster-state 1\n") != 0
	    || fscanf(r.fp, "stream ") != 0
	    || (sid = state_get_str(&r, &len)) == NULL || len >= STATE_IDLEN
	    || fgetc(r.fp) != '\n') {
		snprintf(err, errlen, "%s: not a muster state file", path);
		ninst = -1;
		goto out;
	}
	memcpy(id, sid, len + 1);
	if (fscanf(r.fp, "source ") != 0
	    || (src = state_get_str(&r, &slen)) == NULL || fgetc(r.fp) != '\n') {
		snprintf(err, errlen, "%s: not a muster state file", path);
		ninst = -1;
		goto out;
	}
	if (slen != strlen(source) || memcmp(src, source, slen) != 0) {
		snprintf(err, errlen, "%s: written for another registry (%.*s)",
		    path, (int)(slen > 200 ? 200 : slen), src);
		ninst = -1;
		goto out;
	}
	while ((rc = state_record(&r, m, &ninst)) == 1)
		;
	if (rc < 0) {
		snprintf(err, errlen, "%s: malformed (cut short?)", path);
		ninst = -1;
	}
out:
	free(r.buf);
	fclose(r.fp);
	return ninst;
}
