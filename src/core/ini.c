#include "core/ini.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/limits.h"

struct state {
    const char *path;
    FILE *f;
    int line;
    kb_ini_fn fn;
    void *user;
    struct kb_error *err;
    bool failed;
};

/* inih calls this for each line, so the line number is known. */
static char *reader(char *buf, int size, void *stream)
{
    struct state *st = stream;
    char *got = fgets(buf, size, st->f);
    if (got == NULL)
        return NULL;
    st->line++;
    size_t n = strlen(buf);
    /* inih reads lines of a fixed size and would take the rest of a longer
     * one as a line of its own: say so instead of reading half a value. */
    if (n > 0 && buf[n - 1] != '\n' && !feof(st->f) && !st->failed) {
        kb_error_set(st->err, "%s:%d: line longer than %d bytes", st->path, st->line, size - 3);
        st->failed = true;
    }
    return got;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct state *st = user;
    if (st->failed)
        return 1;
    char where[PATH_MAX + 16];
    snprintf(where, sizeof(where), "%s:%d", st->path, st->line);
    if (!st->fn(st->user, section, name, value, where, st->line, st->err))
        st->failed = true;
    return 1;
}

bool kb_ini_read(const char *path, kb_ini_fn fn, void *user, struct kb_error *err)
{
    /* Read whole through core/file (bounded, never a FIFO that would hang
     * the start), then parsed from memory. */
    char *text;
    size_t len;
    if (!kb_file_read_named(path, KB_CONFIG_MAX_BYTES, &text, &len, err))
        return false;
    FILE *f = len > 0 ? fmemopen(text, len, "r") : NULL;
    if (f == NULL) {
        free(text);
        if (len == 0)
            return true; /* an empty file: no keys */
        return kb_error_set(err, "%s: %s", path, strerror(errno));
    }
    struct state st = {path, f, 0, fn, user, err, false};
    int r = ini_parse_stream(reader, &st, handler, &st);
    fclose(f);
    free(text);
    if (st.failed)
        return false;
    if (r != 0)
        return kb_error_set(err, "%s:%d: not a key = value line or [section]", path, r);
    return true;
}
