/*
 * state.h -- the registry's last known copy on disk (--state-file).
 *
 * With a state file, a musterd restarted while Redis is down serves the
 * registry it last saw instead of nothing.  The file holds the model's
 * records in the registry's own field layout (record.h) and the id of
 * the last change-stream entry applied, so that on reconnect musterd
 * resumes from there, or reloads in full when the stream was trimmed.
 *
 * Format (all counts and lengths decimal; a "string" is LEN SP BYTES):
 *   muster-state 1 NL
 *   stream STRING NL
 *   source STRING NL   (which registry: prefix and Redis URL)
 *   inst STRING NFIELDS NL   then NFIELDS lines: STRING SP STRING NL
 *   node STRING NFIELDS NL   then the same
 *   end NL
 * Written to FILE.tmp, flushed, fsync'd and renamed over FILE.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_STATE_H
#define MUSTER_STATE_H

#include <stddef.h>

#include "model.h"

#define STATE_IDLEN	64

/* Write the model, stream id and source to path.  0, or -1 with errno. */
int state_save(const char *path, const struct model *m, const char *stream_id,
    const char *source);

/*
 * Read path into m (records added with model_*_put) and the stream id
 * into id (STATE_IDLEN bytes), if the file was written for source.  Bad
 * records are skipped with a log line.  Returns the number of instances
 * read, or -1 when the file is missing (errno ENOENT), not a state file,
 * or another registry's (err set).
 */
long state_load(const char *path, struct model *m, const char *source,
    char *id, char *err, size_t errlen);

#endif /* MUSTER_STATE_H */
