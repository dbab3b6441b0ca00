/* The bound of a spool's rejected/ (core/limits.h, KB_SPOOL_REJECTED_*):
 * kb_spool_reject calls it after each file it puts there, so the ticker's
 * own moves, kabar feed and kabar mqtt all obey it. The folder is read
 * once and then counted in memory (what each call adds), read again every
 * 64 additions, every 10 s, or when the count says the bound is crossed,
 * so a flood of rejections does not read 2,000 names each. Safe from any
 * thread (one lock). */
#ifndef KB_SPOOL_REJECT_BOUND_H
#define KB_SPOOL_REJECT_BOUND_H

#include <stddef.h>
#include <stdint.h>

/* Keeps the folder rfd (a spool's rejected/) within
 * KB_SPOOL_REJECTED_MAX_FILES files and KB_SPOOL_REJECTED_MAX_BYTES bytes:
 * once over either, removes the oldest files (by mtime, each with its
 * NAME.error.txt or the file it explains) until it is under three quarters
 * of both, so a flood prunes now and then rather than at every file. Never
 * removes keep or keep.error.txt (what was just put there), nor a dot name
 * (a writer's temp file). Returns the number of files removed. */
size_t kb_spool_rejected_bound(int rfd, const char *keep);

/* Files the bound removed since the process started, all spools together. */
uint64_t kb_spool_rejected_pruned(void);

#endif
