#define LOG_MODULE "spool"

#include "spool/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/parse.h"
#include "spool/spool_internal.h"

#define DEFAULT_SETTLE_MS 2000
#define DEFAULT_POLL_MS 1000

/* ---- the interface ---- */

struct kb_spool *kb_spool_new(const struct kb_spool_opts *opts, kb_spool_change_fn fn, void *user)
{
    struct kb_spool *s = kb_xcalloc(1, sizeof(*s));
    s->dir = kb_xstrdup(opts->dir != NULL && opts->dir[0] != '\0' ? opts->dir : ".");
    for (size_t n = strlen(s->dir); n > 1 && s->dir[n - 1] == '/'; n--)
        s->dir[n - 1] = '\0';
    s->max_file_bytes = opts->max_file_bytes && opts->max_file_bytes < KB_SPOOL_FILE_MAX_BYTES
                            ? opts->max_file_bytes
                            : KB_SPOOL_FILE_MAX_BYTES;
    s->max_items = opts->max_items && opts->max_items < KB_SPOOL_ITEMS_MAX ? opts->max_items
                                                                           : KB_SPOOL_ITEMS_MAX;
    s->settle_ms = opts->settle_s < 0 ? DEFAULT_SETTLE_MS : (int64_t)(opts->settle_s * 1000);
    s->poll_ms = opts->poll_ms > 0 ? opts->poll_ms : DEFAULT_POLL_MS;
    s->move_rejected = opts->move_rejected;
    s->fn = fn;
    s->user = user;
    s->dirfd = -1;
    s->wd = -1;
    s->ifd = -1;
    if (opts->use_inotify) {
        s->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (s->ifd < 0)
            LOG_WARN("%s: inotify unavailable (%s); polling every %d ms", s->dir, strerror(errno),
                     s->poll_ms);
    }
    s->absent_key = kb_xasprintf("spool-folder:%s", s->dir);
    s->next_retry_ms = INT64_MAX;
    kb_map_init(&s->files);
    kb_table_init(&s->table, s->dir);
    return s;
}

void kb_spool_free(struct kb_spool *spool)
{
    if (spool == NULL)
        return;
    void *value;
    for (size_t i = 0; kb_map_next(&spool->files, &i, NULL, &value);) {
        struct sfile *f = value;
        kb_spool_free_ids(f);
        free(f->name);
        free(f);
    }
    kb_map_release(&spool->files);
    kb_table_release(&spool->table);
    kb_spool_close_folder(spool);
    if (spool->ifd >= 0)
        close(spool->ifd);
    free(spool->absent_key);
    free(spool->dir);
    free(spool);
}

int kb_spool_fd(const struct kb_spool *spool)
{
    return spool->ifd;
}

int kb_spool_timeout_ms(const struct kb_spool *spool, int64_t now_ms)
{
    if (!spool->started || spool->need_rescan)
        return 0;
    int64_t next = spool->present ? spool->next_scan_ms : INT64_MAX;
    if (spool->next_check_ms < next)
        next = spool->next_check_ms;
    if (spool->next_retry_ms < next)
        next = spool->next_retry_ms;
    if (spool->table.next_expiry_ms < next)
        next = spool->table.next_expiry_ms;
    if (next == INT64_MAX)
        return -1;
    if (next <= now_ms)
        return 0;
    return next - now_ms > INT_MAX ? INT_MAX : (int)(next - now_ms);
}

size_t kb_spool_update(struct kb_spool *spool, int64_t now_ms)
{
    struct kb_spool *s = spool;
    kb_spool_watch(s, now_ms);
    return kb_table_finish(&s->table, now_ms, s->max_items, s->fn, s->user);
}

size_t kb_spool_item_count(const struct kb_spool *spool)
{
    return spool->table.nlive;
}

size_t kb_spool_rejected_count(const struct kb_spool *spool)
{
    return spool->rejected;
}

const struct kb_item *kb_spool_find(const struct kb_spool *spool, const char *id)
{
    return kb_table_find(&spool->table, id);
}

const struct kb_item *const *kb_spool_items(const struct kb_spool *spool, size_t *n)
{
    *n = spool->table.nsorted;
    return spool->table.sorted;
}

const struct kb_item *const *kb_spool_story_items(const struct kb_spool *spool, const char *story,
                                                  size_t *n)
{
    return kb_table_story(&spool->table, story, n);
}

uint64_t kb_spool_generation(const struct kb_spool *spool)
{
    return spool->table.generation;
}

bool kb_spool_present(const struct kb_spool *spool)
{
    return spool->present;
}

int64_t kb_spool_last_change_ms(const struct kb_spool *spool)
{
    return spool->last_change_ms;
}

/* ---- validation without a spool ---- */

int kb_spool_validate_buffer(const char *buf, size_t len, const char *where, int64_t mtime,
                             struct kb_error *err)
{
    struct kb_item **items = NULL;
    size_t n = 0;
    if (!kb_spool_parse(buf, len, where, mtime, KB_SPOOL_ITEMS_MAX, where, &items, &n, err))
        return -1;
    for (size_t i = 0; i < n; i++)
        kb_item_free(items[i]);
    free(items);
    return n > INT_MAX ? INT_MAX : (int)n;
}

int kb_spool_validate_file(const char *path, struct kb_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    struct stat st;
    enum kb_read_result r =
        kb_file_read(AT_FDCWD, path, path, KB_SPOOL_FILE_MAX_BYTES, &buf, &len, &st, err);
    if (r == KB_READ_GONE) {
        kb_error_set(err, "%s: cannot open: %s", path, strerror(ENOENT));
        return -1;
    }
    if (r != KB_READ_OK)
        return -1;
    int n = kb_spool_validate_buffer(buf, len, path, st.st_mtime, err);
    free(buf);
    return n;
}
