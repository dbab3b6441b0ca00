#define LOG_MODULE "spool"

#include "spool/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/file.h"
#include "spool/map.h"
#include "spool/table.h"

#define DEFAULT_SETTLE_MS 2000
#define DEFAULT_POLL_MS 1000
/* With inotify the folder is still rescanned this often: a cheap safety net
 * (one fstatat per file) for changes inotify cannot see, as on network file
 * systems, and for events lost in ways the kernel does not report. */
#define BACKSTOP_RESCAN_MS 60000
/* Reads of the inotify queue per update: bounds one update's work while a
 * producer floods the folder; the rest waits for the next update. */
#define EVENT_READS_MAX 64
#define REJECTED_DIR "rejected"
#define INOTIFY_MASK                                                                               \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_DELETE_SELF |       \
     IN_MOVE_SELF | IN_ONLYDIR)

enum file_state {
    FS_NEW,     /* seen, not read yet */
    FS_OK,      /* its items are in the table */
    FS_PENDING, /* failed while young: read again at retry_ms */
    FS_BAD,     /* failed after settling and could not be moved away: left alone until it changes */
};

/* A *.json regular file in the folder. */
struct sfile {
    char *name; /* the map key */
    enum file_state state;
    /* What the file was when last read; a rescan that finds it unchanged
     * does not read it again. */
    bool have_sig;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtim;
    int64_t retry_ms;
    char **ids; /* the ids it claimed when last read */
    size_t nids;
    uint64_t seen; /* scan generation */
};

struct kb_spool {
    char *dir;
    size_t max_file_bytes, max_items;
    int64_t settle_ms;
    int poll_ms;
    bool move_rejected;
    kb_spool_change_fn fn;
    void *user;

    int dirfd; /* -1 while the folder is missing */
    int ifd;   /* inotify, or -1 when polling */
    int wd;    /* the folder's watch, or -1 */
    dev_t dir_dev;
    ino_t dir_ino;
    bool present, was_present, started, need_rescan;
    int64_t next_scan_ms; /* the next full rescan (the poll, or inotify's safety net) */
    /* The next look at the folder itself: is it still there (an open
     * folder being removed raises no inotify event until it is closed), or
     * is it back. */
    int64_t next_check_ms;
    int64_t next_retry_ms; /* the earliest retry of a young bad file */
    int64_t last_change_ms;
    size_t rejected;
    uint64_t scan_gen;

    struct kb_map files; /* name -> struct sfile */
    struct kb_table table;
    char *absent_key;
};

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

/* ---- files ---- */

static void free_ids(struct sfile *f)
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
    free_ids(f);
}

static void drop_file(struct kb_spool *s, struct sfile *f)
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

static void remember(struct sfile *f, const struct stat *st)
{
    f->have_sig = true;
    f->dev = st->st_dev;
    f->ino = st->st_ino;
    f->size = st->st_size;
    f->mtim = st->st_mtim;
}

static bool unchanged(const struct sfile *f, const struct stat *st)
{
    return f->have_sig && f->dev == st->st_dev && f->ino == st->st_ino && f->size == st->st_size &&
           f->mtim.tv_sec == st->st_mtim.tv_sec && f->mtim.tv_nsec == st->st_mtim.tv_nsec;
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
    free_ids(f);
    f->ids = ids;
    f->nids = nids;
}

static int open_rejected_dir(struct kb_spool *s)
{
    int fd = openat(s->dirfd, REJECTED_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        if (mkdirat(s->dirfd, REJECTED_DIR, 0755) != 0 && errno != EEXIST)
            return -1;
        fd = openat(s->dirfd, REJECTED_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    return fd;
}

static bool write_error_file(int rfd, const char *name, const char *line)
{
    char ename[NAME_MAX * 2];
    snprintf(ename, sizeof(ename), "%s.error.txt", name);
    int fd = openat(rfd, ename, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    size_t len = strlen(line);
    bool ok = write(fd, line, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
    ok = close(fd) == 0 && ok;
    if (!ok)
        unlinkat(rfd, ename, 0);
    return ok;
}

/* Moves name to rejected/ beside NAME.error.txt. False (logged once) if it
 * cannot: a read-only or full disk leaves the file where it is. */
static bool move_to_rejected(struct kb_spool *s, const char *name, const char *line)
{
    char path[PATH_MAX + NAME_MAX + 2];
    path_of(s, name, path, sizeof(path));
    int rfd = open_rejected_dir(s);
    if (rfd < 0) {
        LOG_WARN_ONCE(path, "%s: cannot move to %s/: %s", path, REJECTED_DIR, strerror(errno));
        return false;
    }
    /* The reason first, so the file never sits in rejected/ without one. */
    bool have_reason = write_error_file(rfd, name, line);
    int e = errno;
    if (renameat(s->dirfd, name, rfd, name) != 0) {
        LOG_WARN_ONCE(path, "%s: cannot move to %s/: %s", path, REJECTED_DIR, strerror(errno));
        if (have_reason) {
            char ename[NAME_MAX * 2];
            snprintf(ename, sizeof(ename), "%s.error.txt", name);
            unlinkat(rfd, ename, 0);
        }
        close(rfd);
        return false;
    }
    if (!have_reason)
        LOG_WARN("%s: moved to %s/ but cannot write %s.error.txt: %s", path, REJECTED_DIR, name,
                 strerror(e));
    close(rfd);
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
        f->have_sig = false;
        s->need_rescan = true;
        return;
    }
    bool again = f->state == FS_BAD && unchanged(f, st);
    retract(s, f);
    if (st->st_mode != 0)
        remember(f, st);
    f->state = FS_BAD;
    if (again)
        return;
    LOG_WARN_ONCE(path, "%s", err->msg);
    s->rejected++;
    if (s->move_rejected && move_to_rejected(s, f->name, err->msg))
        drop_file(s, f);
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
            remember(f, st);
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
        kb_spool_read(s->dirfd, f->name, path, s->max_file_bytes, &buf, &len, &st, &err);
    switch (r) {
    case KB_READ_GONE:
        drop_file(s, f);
        return;
    case KB_READ_NOT_REGULAR:
        drop_file(s, f);
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
        f->have_sig = false;
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
    remember(f, &st);
}

/* Looks at one name in the folder; forced reads it even if it looks
 * unchanged (an inotify event said it was written). */
static void check_name(struct kb_spool *s, const char *name, int64_t now_ms, bool forced)
{
    if (in_progress_name(name) || strcmp(name, REJECTED_DIR) == 0)
        return;
    char path[PATH_MAX + NAME_MAX + 2];
    path_of(s, name, path, sizeof(path));
    struct sfile *f = kb_map_get(&s->files, name);
    struct stat st;
    if (fstatat(s->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT)
            LOG_WARN_ONCE(path, "%s: cannot stat: %s", path, strerror(errno));
        if (f != NULL && errno == ENOENT)
            drop_file(s, f);
        return;
    }
    if (!ends_with(name, ".json")) {
        if (f != NULL)
            drop_file(s, f);
        kb_log_once(path, KB_LOG_INFO, LOG_MODULE, "%s: ignored: not a .json file", path);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        if (f != NULL)
            drop_file(s, f);
        LOG_WARN_ONCE(path, "%s: %s, not a regular file", path, kb_spool_file_kind(st.st_mode));
        return;
    }
    if (f == NULL) {
        f = kb_xcalloc(1, sizeof(*f));
        f->name = kb_xstrdup(name);
        kb_map_put(&s->files, f->name, f);
    }
    f->seen = s->scan_gen;
    bool due = f->state == FS_PENDING && now_ms >= f->retry_ms;
    if (!forced && !due && unchanged(f, &st))
        return;
    s->last_change_ms = now_ms;
    load(s, f, &st, now_ms);
}

/* ---- the folder ---- */

static void drop_all_files(struct kb_spool *s)
{
    while (s->files.count > 0) {
        size_t pos = 0;
        void *value;
        kb_map_next(&s->files, &pos, NULL, &value);
        drop_file(s, value);
    }
}

static void close_folder(struct kb_spool *s)
{
    if (s->wd >= 0) {
        inotify_rm_watch(s->ifd, s->wd);
        s->wd = -1;
    }
    if (s->dirfd >= 0) {
        close(s->dirfd);
        s->dirfd = -1;
    }
    s->present = false;
}

/* The folder went away: the screen shows nothing from it until it returns. */
static void lose_folder(struct kb_spool *s, int64_t now_ms)
{
    close_folder(s);
    drop_all_files(s);
    s->last_change_ms = now_ms;
    LOG_WARN_ONCE(s->absent_key, "%s: spool folder is gone; showing nothing until it returns",
                  s->dir);
}

static bool open_folder(struct kb_spool *s, int64_t now_ms)
{
    s->next_check_ms = now_ms + s->poll_ms;
    /* The watch before the first scan, so nothing written in between is missed. */
    if (s->ifd >= 0) {
        s->wd = inotify_add_watch(s->ifd, s->dir, INOTIFY_MASK);
        if (s->wd < 0 && errno != ENOENT && errno != ENOTDIR)
            LOG_WARN_ONCE(s->absent_key, "%s: cannot watch (%s); polling every %d ms", s->dir,
                          strerror(errno), s->poll_ms);
    }
    s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (s->dirfd < 0 || fstat(s->dirfd, &st) != 0) {
        /* A folder that went was reported by lose_folder already. */
        if (errno != ENOENT)
            LOG_WARN_ONCE(s->absent_key,
                          "%s: spool folder cannot be opened (%s); looking again "
                          "every %d ms",
                          s->dir, strerror(errno), s->poll_ms);
        else if (!s->was_present)
            LOG_WARN_ONCE(s->absent_key,
                          "%s: spool folder missing; showing nothing until it appears", s->dir);
        close_folder(s);
        return false;
    }
    s->dir_dev = st.st_dev;
    s->dir_ino = st.st_ino;
    s->present = true;
    s->need_rescan = true;
    kb_log_forget(s->absent_key);
    if (s->was_present)
        LOG_INFO("%s: spool folder is back", s->dir);
    s->was_present = true;
    return true;
}

/* Checks the folder is still the one we hold: not removed, not renamed,
 * not replaced by another. */
static bool folder_still_there(const struct kb_spool *s)
{
    struct stat st, held;
    return stat(s->dir, &st) == 0 && st.st_dev == s->dir_dev && st.st_ino == s->dir_ino &&
           fstat(s->dirfd, &held) == 0 && held.st_nlink > 0;
}

static void scan(struct kb_spool *s, int64_t now_ms)
{
    s->need_rescan = false;
    s->next_scan_ms = now_ms + (s->wd >= 0 ? BACKSTOP_RESCAN_MS : s->poll_ms);
    int fd = dup(s->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        LOG_WARN_ONCE(s->absent_key, "%s: cannot read the spool folder: %s", s->dir,
                      strerror(errno));
        return;
    }
    rewinddir(d);
    s->scan_gen++;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            check_name(s, de->d_name, now_ms, false);
    }
    closedir(d);

    /* What the scan did not see is gone. */
    size_t ngone = 0;
    struct sfile **gone = kb_xcalloc(s->files.count + 1, sizeof(*gone));
    void *value;
    for (size_t i = 0; kb_map_next(&s->files, &i, NULL, &value);) {
        struct sfile *f = value;
        if (f->seen != s->scan_gen)
            gone[ngone++] = f;
    }
    for (size_t i = 0; i < ngone; i++)
        drop_file(s, gone[i]);
    if (ngone > 0)
        s->last_change_ms = now_ms;
    free(gone);
}

/* Reads the inotify queue: names to look at in *names (deduplicated), or a
 * rescan, or the folder gone. */
static void read_events(struct kb_spool *s, char ***names, size_t *nnames, bool *folder_gone)
{
    struct kb_map seen;
    kb_map_init(&seen);
    size_t cap = 0;
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (int reads = 0; reads < EVENT_READS_MAX; reads++) {
        ssize_t len = read(s->ifd, buf, sizeof(buf));
        if (len <= 0)
            break;
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            p += sizeof(*ev) + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                s->need_rescan = true;
                continue;
            }
            if (ev->wd != s->wd)
                continue; /* a watch of a folder already gone */
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)) {
                *folder_gone = true;
                continue;
            }
            if (ev->len == 0 || ev->name[0] == '\0' || kb_map_get(&seen, ev->name) != NULL)
                continue;
            if (*nnames == cap) {
                cap = cap ? cap * 2 : 16;
                *names = kb_xreallocarray(*names, cap, sizeof(**names));
            }
            (*names)[*nnames] = kb_xstrdup(ev->name);
            kb_map_put(&seen, (*names)[*nnames], *names);
            (*nnames)++;
        }
    }
    kb_map_release(&seen);
}

static void process_events(struct kb_spool *s, int64_t now_ms)
{
    char **names = NULL;
    size_t n = 0;
    bool gone = false;
    read_events(s, &names, &n, &gone);
    if (n > 0 || gone)
        s->last_change_ms = now_ms;
    if (gone) {
        lose_folder(s, now_ms);
        /* It may be back already (rm -r and mkdir in a row). */
        open_folder(s, now_ms);
    } else if (!s->need_rescan) {
        for (size_t i = 0; i < n; i++)
            check_name(s, names[i], now_ms, true);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void retry_due(struct kb_spool *s, int64_t now_ms)
{
    size_t ndue = 0;
    char **due = NULL;
    void *value;
    for (size_t i = 0; kb_map_next(&s->files, &i, NULL, &value);) {
        struct sfile *f = value;
        if (f->state == FS_PENDING && now_ms >= f->retry_ms) {
            due = kb_xreallocarray(due, ndue + 1, sizeof(*due));
            due[ndue++] = kb_xstrdup(f->name);
        }
    }
    for (size_t i = 0; i < ndue; i++) {
        if (s->present)
            check_name(s, due[i], now_ms, false);
        free(due[i]);
    }
    free(due);
}

static void next_retry(struct kb_spool *s)
{
    int64_t next = INT64_MAX;
    void *value;
    for (size_t i = 0; kb_map_next(&s->files, &i, NULL, &value);) {
        struct sfile *f = value;
        if (f->state == FS_PENDING && f->retry_ms < next)
            next = f->retry_ms;
    }
    s->next_retry_ms = next;
}

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
        free_ids(f);
        free(f->name);
        free(f);
    }
    kb_map_release(&spool->files);
    kb_table_release(&spool->table);
    close_folder(spool);
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
    if (!s->started) {
        s->started = true;
        open_folder(s, now_ms);
    } else if (!s->present) {
        if (now_ms >= s->next_check_ms)
            open_folder(s, now_ms);
    } else if (s->wd >= 0) {
        process_events(s, now_ms);
    }

    if (s->present && (s->need_rescan || now_ms >= s->next_scan_ms || now_ms >= s->next_check_ms)) {
        s->next_check_ms = now_ms + s->poll_ms;
        if (!folder_still_there(s)) {
            lose_folder(s, now_ms);
            open_folder(s, now_ms);
        }
    }
    if (s->present && (s->need_rescan || now_ms >= s->next_scan_ms))
        scan(s, now_ms);
    retry_due(s, now_ms);
    next_retry(s);
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
        kb_spool_read(AT_FDCWD, path, path, KB_SPOOL_FILE_MAX_BYTES, &buf, &len, &st, err);
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
