/* Allocation that never returns NULL: on exhaustion the process logs and
 * aborts, so callers need no NULL checks (as foot's xmalloc). Memory from
 * these functions is freed with free(). */
#ifndef KB_CORE_XMALLOC_H
#define KB_CORE_XMALLOC_H

#include <stddef.h>

void *kb_xmalloc(size_t size);
void *kb_xcalloc(size_t n, size_t size);
void *kb_xrealloc(void *p, size_t size);
/* Grow an array of n elements of size each; reallocates and aborts on overflow. */
void *kb_xreallocarray(void *p, size_t n, size_t size);
char *kb_xstrdup(const char *s);
char *kb_xstrndup(const char *s, size_t n);
/* printf into a new string; the caller frees it. */
char *kb_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
