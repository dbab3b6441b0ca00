#define LOG_MODULE "spool"

/* One file of the spool's folder into the item table: read (bounded, no
 * symlinks), parsed, applied, or failed, retried while young and rejected
 * once settled. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/parse.h"
#include "spool/images.h"
#include "spool/put.h"
#include "spool/spool_internal.h"

static int64_t ms_of(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static void path_of(const struct kb_spool *s, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", s->dir, name);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Names a producer is still writing (SPOOL-FORMAT.md "Files"): never read. */
static bool in_progress_name(const char *name)
{
    return name[0] == '.' || ends_with(name, ".tmp") || ends_with(name, ".part") ||
           ends_with(name, "~");
}

void kb_spool_free_ids(struct sfile *f)
{
    for (size_t i = 0; i < f->nids; i++)
        free(f->ids[i]);
    free(f->ids);
    f->ids = NULL;
    f->nids = 0;
}

static void retract(struct kb_spool *s, struct sfile *f)
{
    for (size_t i = 0; i < f->nids; i++)
        kb_table_unclaim(&s->table, f->ids[i], f->name);
    kb_spool_free_ids(f);
}

void kb_spool_drop_file(struct kb_spool *s, struct sfile *f)
{
    char path[PATH_MAX + NAME_MAX + 2];
    path_of(s, f->name, path, sizeof(path));
    retract(s, f);
    kb_map_del(&s->files, f->name);
    /* A file that comes back under this name is reported afresh. */
    kb_log_forget(path);
    free(f->name);
    free(f);
}

/* Puts the new contents of f in the table: unchanged items keep their
 * record (no report), changed ones replace it, vanished ones go. Takes
 * ownership of items and the array. */
static void apply(struct kb_spool *s, struct sfile *f, struct kb_item **items, size_t n,
                  int64_t now_ms)
{
    struct kb_map fresh;
    kb_map_init(&fresh);
    char **ids = kb_xcalloc(n ? n : 1, sizeof(*ids));
    size_t nids = 0;
    for (size_t i = 0; i < n; i++) {
        struct kb_item *item = items[i];
        free(item->file);
        item->file = kb_xstrdup(f->name);
        if (item->expires != 0 && item->expires * 1000 <= now_ms) {
            /* Valid, but its time is over: nothing to show. */
            kb_item_free(item);
            continue;
        }
        ids[nids] = kb_xstrdup(item->id);
        kb_map_put(&fresh, ids[nids], item);
        nids++;
        const struct kb_item *old = kb_table_claim_of(&s->table, item->id, f->name);
        if (old != NULL && kb_item_same_content(old, item)) {
            kb_item_free(item);
            continue;
        }
        if (old != NULL)
            kb_table_unclaim(&s->table, item->id, f->name);
        kb_table_claim(&s->table, item);
    }
    for (size_t i = 0; i < f->nids; i++) {
        if (kb_map_get(&fresh, f->ids[i]) == NULL)
            kb_table_unclaim(&s->table, f->ids[i], f->name);
    }
    kb_map_release(&fresh);
    free(items);
    kb_spool_free_ids(f);
    f->ids = ids;
    f->nids = nids;
}

/* Moves name to rejected/ beside NAME.error.txt. False (logged once) if it
 * cannot: a read-only or full disk leaves the file where it is. */
static bool move_to_rejected(struct kb_spool *s, const char *name, const char *line)
{
    char path[PATH_MAX + NAME_MAX + 2];
    path_of(s, name, path, sizeof(path));
    struct kb_error err;
    switch (kb_spool_reject(s->dir, "kabar", name, NULL, 0, line, &err)) {
    case KB_SPOOL_REJECT_FAILED:
        LOG_WARN_ONCE(path, "%s", err.msg);
        return false;
    case KB_SPOOL_REJECT_NO_REASON:
        LOG_WARN("%s: moved to %s/ but cannot write %s.error.txt: %s", path, KB_SPOOL_REJECTED_DIR,
                 name, err.msg);
        break;
    case KB_SPOOL_REJECT_DONE:
        break;
    }
    return true;
}

/* A file that failed after settling: said once, its items retracted, and
 * moved to rejected/ if allowed and possible. */
static void reject(struct kb_spool *s, struct sfile *f, const struct kb_error *err,
                   const struct stat *st)
{
    char path[PATH_MAX + NAME_MAX + 2];
    path_of(s, f->name, path, sizeof(path));

    /* The producer may have replaced the file since it was read: never move
     * a file that was not the one found bad. */
    struct stat now;
    if (st->st_mode != 0 &&
        (fstatat(s->dirfd, f->name, &now, AT_SYMLINK_NOFOLLOW) != 0 || now.st_ino != st->st_ino ||
         now.st_size != st->st_size || now.st_mtim.tv_sec != st->st_mtim.tv_sec ||
         now.st_mtim.tv_nsec != st->st_mtim.tv_nsec)) {
        f->sig.have = false;
        s->need_rescan = true;
        return;
    }
    bool again = f->state == FS_BAD && kb_file_sig_same(&f->sig, st);
    retract(s, f);
    if (st->st_mode != 0)
        kb_file_sig_set(&f->sig, st);
    f->state = FS_BAD;
    if (again)
        return;
    LOG_WARN_ONCE(path, "%s", err->msg);
    s->rejected++;
    if (s->move_rejected && move_to_rejected(s, f->name, err->msg))
        kb_spool_drop_file(s, f);
}

/* A file that cannot be used: retried while young (a producer writing in
 * place gets its second chance), rejected once settled. */
static void fail(struct kb_spool *s, struct sfile *f, const struct kb_error *err,
                 const struct stat *st, int64_t now_ms)
{
    int64_t mtime_ms = ms_of(&st->st_mtim);
    /* A file dated a little in the future (a producer's clock a bit ahead)
     * is young until it settles; one dated far ahead would never settle,
     * so it counts as settled. */
    bool young = now_ms < mtime_ms + s->settle_ms && mtime_ms <= now_ms + s->settle_ms;
    if (young) {
        if (f->state != FS_PENDING)
            LOG_DBG("%s (retrying while the file settles)", err->msg);
        f->state = FS_PENDING;
        f->retry_ms = mtime_ms + s->settle_ms;
        if (st->st_mode != 0)
            kb_file_sig_set(&f->sig, st);
        return;
    }
    reject(s, f, err, st);
}

/* Reads f and puts its items in the table, or fails it. lst is what
 * fstatat said of the name (used when the file cannot even be opened). */
static void load(struct kb_spool *s, struct sfile *f, const struct stat *lst, int64_t now_ms)
{
    char path[PATH_MAX + NAME_MAX + 2];
    path_of(s, f->name, path, sizeof(path));
    struct kb_error err;
    kb_error_clear(&err);
    char *buf = NULL;
    size_t len = 0;
    struct stat st;
    enum kb_read_result r =
        kb_file_read(s->dirfd, f->name, path, s->max_file_bytes, &buf, &len, &st, &err);
    switch (r) {
    case KB_READ_GONE:
        kb_spool_drop_file(s, f);
        return;
    case KB_READ_NOT_REGULAR:
        kb_spool_drop_file(s, f);
        LOG_WARN_ONCE(path, "%s", err.msg);
        return;
    case KB_READ_ERROR:
        fail(s, f, &err, st.st_mode != 0 ? &st : lst, now_ms);
        return;
    case KB_READ_BUSY:
        /* Out of file descriptors for now: the file may be fine. Look again
         * in a poll period, said once, never counted bad or moved away;
         * what it held stays on screen meanwhile. */
        LOG_WARN_ONCE(path, "%s (retrying)", err.msg);
        f->state = FS_PENDING;
        f->sig.have = false;
        f->retry_ms = now_ms + s->poll_ms;
        return;
    case KB_READ_OK:
        break;
    }

    if (f->state == FS_PENDING || f->state == FS_BAD)
        kb_log_forget(path);
    struct kb_item **items = NULL;
    size_t n = 0;
    /* The bundle bound is the built-in one, as for `kabar validate`, so both
     * judge a file alike; a lower configured limit is met by eviction. */
    bool ok =
        kb_spool_parse(buf, len, path, st.st_mtime, KB_SPOOL_ITEMS_MAX, path, &items, &n, &err);
    free(buf);
    if (!ok) {
        fail(s, f, &err, &st, now_ms);
        return;
    }
    apply(s, f, items, n, now_ms);
    f->state = FS_OK;
    kb_file_sig_set(&f->sig, &st);
}

/* Looks at one name in the folder; forced reads it even if it looks
 * unchanged (an inotify event said it was written). */
void kb_spool_check_name(struct kb_spool *s, const char *name, int64_t now_ms, bool forced)
{
    if (in_progress_name(name) || strcmp(name, KB_SPOOL_REJECTED_DIR) == 0 ||
        strcmp(name, KB_SPOOL_IMAGES_DIR) == 0)
        return;
    char path[PATH_MAX + NAME_MAX + 2];
    path_of(s, name, path, sizeof(path));
    struct sfile *f = kb_map_get(&s->files, name);
    struct stat st;
    if (fstatat(s->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT)
            LOG_WARN_ONCE(path, "%s: cannot stat: %s", path, strerror(errno));
        if (f != NULL && errno == ENOENT)
            kb_spool_drop_file(s, f);
        return;
    }
    if (!ends_with(name, ".json")) {
        if (f != NULL)
            kb_spool_drop_file(s, f);
        kb_log_once(path, KB_LOG_INFO, LOG_MODULE, "%s: ignored: not a .json file", path);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        if (f != NULL)
            kb_spool_drop_file(s, f);
        LOG_WARN_ONCE(path, "%s: %s, not a regular file", path, kb_file_kind(st.st_mode));
        return;
    }
    if (f == NULL) {
        f = kb_xcalloc(1, sizeof(*f));
        f->name = kb_xstrdup(name);
        kb_map_put(&s->files, f->name, f);
    }
    f->seen = s->scan_gen;
    bool due = f->state == FS_PENDING && now_ms >= f->retry_ms;
    if (!forced && !due && kb_file_sig_same(&f->sig, &st))
        return;
    s->last_change_ms = now_ms;
    load(s, f, &st, now_ms);
}
