#define _GNU_SOURCE
#include "core/xmalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p, size_t size)
{
    if (p == NULL && size != 0) {
        fprintf(stderr, "kabar: out of memory (%zu bytes)\n", size);
        abort();
    }
    return p;
}

void *kb_xmalloc(size_t size)
{
    return check(malloc(size ? size : 1), size);
}

void *kb_xcalloc(size_t n, size_t size)
{
    return check(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *kb_xrealloc(void *p, size_t size)
{
    return check(realloc(p, size ? size : 1), size);
}

void *kb_xreallocarray(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        fprintf(stderr, "kabar: array size overflow\n");
        abort();
    }
    return kb_xrealloc(p, n * size);
}

char *kb_xstrdup(const char *s)
{
    return check(strdup(s), strlen(s) + 1);
}

char *kb_xstrndup(const char *s, size_t n)
{
    return check(strndup(s, n), n + 1);
}

char *kb_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = NULL;
    int n = vasprintf(&out, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fprintf(stderr, "kabar: out of memory (asprintf)\n");
        abort();
    }
    return out;
}
