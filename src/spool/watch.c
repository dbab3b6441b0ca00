#define LOG_MODULE "spool"

/* The spool's folder: opened and watched with inotify (or polled), scanned,
 * lost and found again; each name it reports goes to load.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/images_put.h"
#include "spool/spool_internal.h"

/* With inotify the folder is still rescanned this often: a cheap safety net
 * (one fstatat per file) for changes inotify cannot see, as on network file
 * systems, and for events lost in ways the kernel does not report. */
#define BACKSTOP_RESCAN_MS 60000
/* Reads of the inotify queue per update: bounds one update's work while a
 * producer floods the folder; the rest waits for the next update. */
#define EVENT_READS_MAX 64
/* Pictures no item names are looked for at most this often (images_put.h). */
#define IMAGE_SWEEP_MS 60000
#define INOTIFY_MASK                                                                               \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_DELETE_SELF |       \
     IN_MOVE_SELF | IN_ONLYDIR)

static void drop_all_files(struct kb_spool *s)
{
    while (s->files.count > 0) {
        size_t pos = 0;
        void *value;
        kb_map_next(&s->files, &pos, NULL, &value);
        kb_spool_drop_file(s, value);
    }
}

void kb_spool_close_folder(struct kb_spool *s)
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
    kb_spool_close_folder(s);
    drop_all_files(s);
    s->last_change_ms = now_ms;
    LOG_WARN_ONCE(s->absent_key, "%s: spool folder is gone; showing nothing until it returns",
                  s->dir);
}

bool kb_spool_open_folder(struct kb_spool *s, int64_t now_ms)
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
        kb_spool_close_folder(s);
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
            kb_spool_check_name(s, de->d_name, now_ms, false);
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
        kb_spool_drop_file(s, gone[i]);
    if (ngone > 0)
        s->last_change_ms = now_ms;
    free(gone);
    /* A ticker that keeps the spool (moves bad files away) also removes
     * the pictures its items stopped naming, once the grace is over. */
    if (s->move_rejected && now_ms >= s->next_sweep_ms) {
        s->next_sweep_ms = now_ms + IMAGE_SWEEP_MS;
        size_t n = 0;
        const struct kb_item *const *items = kb_spool_items(s, &n);
        kb_spool_images_sweep_items(s->dir, items, n, now_ms / 1000, KB_IMAGE_SWEEP_GRACE_S);
    }
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
        kb_spool_open_folder(s, now_ms);
    } else if (!s->need_rescan) {
        for (size_t i = 0; i < n; i++)
            kb_spool_check_name(s, names[i], now_ms, true);
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
            kb_spool_check_name(s, due[i], now_ms, false);
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

void kb_spool_watch(struct kb_spool *s, int64_t now_ms)
{
    if (!s->started) {
        s->started = true;
        kb_spool_open_folder(s, now_ms);
    } else if (!s->present) {
        if (now_ms >= s->next_check_ms)
            kb_spool_open_folder(s, now_ms);
    } else if (s->wd >= 0) {
        process_events(s, now_ms);
    }

    if (s->present && (s->need_rescan || now_ms >= s->next_scan_ms || now_ms >= s->next_check_ms)) {
        s->next_check_ms = now_ms + s->poll_ms;
        if (!folder_still_there(s)) {
            lose_folder(s, now_ms);
            kb_spool_open_folder(s, now_ms);
        }
    }
    if (s->present && (s->need_rescan || now_ms >= s->next_scan_ms))
        scan(s, now_ms);
    retry_due(s, now_ms);
    next_retry(s);
}
