/*
 * enc.h -- encode resource records into a response template.
 *
 * A template is the part of a response after the question: answer,
 * authority and additional records, compressed, ready to be copied behind
 * a query's header and question.  Names compress against the question
 * (which always starts at offset 12) and against names already written.
 *
 * A template may be "relocatable": laid out for a question name of
 * base_qlen bytes (the closest encloser of a wildcard, or a delegation
 * point) and used for longer names below it.  Every pointer that refers
 * to the question's suffix or into the template itself is then listed in
 * reloc[] and moves by (qlen - base_qlen) when the template is emitted;
 * a pointer to the whole question (0xc00c) never moves.
 *
 * Build-time only: the encoder allocates; emitting (answer.c) does not.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_ENC_H
#define MUSTER_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "dname.h"

/* Largest template: a TCP message less header, longest question, OPT. */
#define ENC_MAXLEN	(65535 - 12 - DNAME_MAXLEN - 4 - 11)

enum enc_section { ENC_AN = 0, ENC_NS, ENC_AR };

/* A place where a truncated response may end: after a whole RRset. */
struct enc_cut {
	uint16_t	end;		/* template bytes kept */
	uint16_t	an, ns, ar;	/* records kept per section */
};

/* A finished template; lives in the arena it was built into. */
struct enc_tmpl {
	uint16_t	 len;
	uint16_t	 an, ns, ar;
	uint16_t	 ar_req;	/* leading additional records that must
					   fit (referral glue), else TC */
	uint16_t	 base_qlen;	/* question length pointers assume */
	uint16_t	 nreloc;
	uint16_t	 ncut;
	uint8_t		 rcode;
	uint8_t		 aa;		/* set AA in the header */
	const uint16_t	*reloc;		/* ascending template offsets */
	const struct enc_cut *cut;	/* ascending */
	const uint8_t	*data;
};

struct enc;

/* A reusable encoder (about 200 KiB); NULL when out of memory. */
struct enc *enc_new(void);
void enc_free(struct enc *e);

/*
 * Start a template for a question name qname (lowercase wire, qlen
 * bytes).  relocatable: see above.  Forgets any previous template.
 */
void enc_begin(struct enc *e, const uint8_t *qname, size_t qlen,
    bool relocatable);

/* Records go to the section last selected (ENC_AN at start). */
void enc_section(struct enc *e, enum enc_section s);

/*
 * Append one record.  owner NULL means "the question name" (0xc00c, for
 * wildcard answers); else a wire name (case as written).  rdata is the
 * uncompressed wire RDATA; names in it are compressed for the RFC 1035
 * types that allow it (RFC 3597 4).
 */
void enc_rr(struct enc *e, const uint8_t *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);

/* Mark the end of an RRset: a place where truncation may cut. */
void enc_rrset_end(struct enc *e);

/* The additional records written so far are required (glue). */
void enc_mark_required(struct enc *e);

void enc_set_rcode(struct enc *e, uint8_t rcode, bool aa);

/* Records written to a section so far. */
unsigned enc_count(const struct enc *e, enum enc_section s);

/*
 * Copy the finished template into arena a.  Returns NULL when out of
 * memory or when the records did not fit in a DNS message (*why says so).
 */
const struct enc_tmpl *enc_finish(struct enc *e, struct arena *a,
    const char **why);

/*
 * Where the name inside a record's RDATA is, for the types whose targets
 * get additional-section processing (NS, MX, SRV, KX, MB, SVCB, HTTPS);
 * -1 otherwise.
 */
int enc_rdata_target(uint16_t type, const uint8_t *rdata, uint16_t rdlen);

#endif /* MUSTER_ENC_H */
