/* What the spool's files share (spool.c, load.c, watch.c): the open spool
 * and the record of each file in its folder. Internal to spool/. */
#ifndef KB_SPOOL_INTERNAL_H
#define KB_SPOOL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "core/file.h"
#include "spool/map.h"
#include "spool/spool.h"
#include "spool/table.h"

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
    struct kb_file_sig sig;
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
    int64_t next_sweep_ms; /* the next look for pictures no item names (watch.c) */
    int64_t last_change_ms;
    size_t rejected;
    uint64_t scan_gen;

    struct kb_map files; /* name -> struct sfile */
    struct kb_table table;
    char *absent_key;
};

/* ---- load.c: one file into the table ---- */

/* Looks at one name in the folder: reads it if it is new, changed, due for
 * a retry, or forced (an inotify event said it was written), and puts its
 * items in the table or fails it. */
void kb_spool_check_name(struct kb_spool *s, const char *name, int64_t now_ms, bool forced);
/* Forgets f: its items leave the table; f is freed. */
void kb_spool_drop_file(struct kb_spool *s, struct sfile *f);
/* Frees f's list of ids (not its claims in the table). */
void kb_spool_free_ids(struct sfile *f);

/* ---- watch.c: the folder ---- */

/* Opens the folder and its inotify watch; false (said once) if it is not there. */
bool kb_spool_open_folder(struct kb_spool *s, int64_t now_ms);
void kb_spool_close_folder(struct kb_spool *s);
/* Looks at the folder as kb_spool_update must: events, the folder's
 * presence, the periodic rescan, the settle retries. */
void kb_spool_watch(struct kb_spool *s, int64_t now_ms);

#endif
