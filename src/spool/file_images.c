#include "spool/file_images.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file.h"
#include "core/limits.h"
#include "core/xmalloc.h"
#include "spool/parse.h"

bool kb_spool_file_images(const char *path, char ***names, size_t *n, struct kb_error *err)
{
    *names = NULL;
    *n = 0;
    char *buf = NULL;
    size_t len = 0;
    struct stat st;
    enum kb_read_result r =
        kb_file_read(AT_FDCWD, path, path, KB_SPOOL_FILE_MAX_BYTES, &buf, &len, &st, err);
    if (r == KB_READ_GONE)
        kb_error_set(err, "%s: cannot open: %s", path, strerror(ENOENT));
    if (r != KB_READ_OK)
        return false;
    struct kb_item **items = NULL;
    size_t count = 0;
    /* Unknown fields were already warned about by kb_spool_validate_file. */
    bool ok =
        kb_spool_parse(buf, len, path, st.st_mtime, KB_SPOOL_ITEMS_MAX, NULL, &items, &count, err);
    free(buf);
    for (size_t i = 0; ok && i < count; i++) {
        bool seen = items[i]->image[0] == '\0';
        for (size_t k = 0; !seen && k < *n; k++)
            seen = strcmp((*names)[k], items[i]->image) == 0;
        if (!seen) {
            *names = kb_xrealloc(*names, (*n + 1) * sizeof(**names));
            (*names)[(*n)++] = kb_xstrdup(items[i]->image);
        }
    }
    for (size_t i = 0; i < count; i++)
        kb_item_free(items[i]);
    free(items);
    return ok;
}
