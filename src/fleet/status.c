#include "fleet/status.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "mqtt"
#include "core/date.h"
#include "core/file.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "kabar_build.h"

/* The ticker's stats file carries up to 20,000 `shown` entries of up to
 * ~200 bytes each when indented: 4 MiB. Anything past this is not it. */
#define STATS_MAX_BYTES (16 * 1024 * 1024)
/* Ids listed under "showing": a 4K wall shows a dozen headlines at most. */
#define SHOWING_MAX 32
/* Bytes of an item's text under "showing_items": the ticker writes at most
 * 480; a longer string is not its. */
#define SHOWING_TEXT_MAX 1024
/* An appearance whose last visible time is this close to the newest one
 * was still on screen when the stats were written (a frame is at most
 * 1/24 s; the slack covers a quote panel updated less often). */
#define SHOWING_SLACK_S 0.25

/* Figures copied from the stats file, in the order they are published. */
static const char *const ticker_keys[] = {"frames",         "dropped_frames", "items_loaded",
                                          "items_rejected", "last_error",     "version"};

struct kb_mqtt_status {
    char *group, *screen, *stats_path;
    char since[KB_DATE_RFC3339_SIZE];
    /* The file the cached figures came from; a change re-reads it. */
    struct kb_file_sig sig;
    json_t *ticker; /* the ticker's part of the status, or NULL before the first look */
};

struct kb_mqtt_status *kb_mqtt_status_new(const char *group, const char *screen,
                                          const char *stats_path)
{
    struct kb_mqtt_status *st = kb_xcalloc(1, sizeof(*st));
    st->group = kb_xstrdup(group);
    st->screen = kb_xstrdup(screen);
    st->stats_path = stats_path != NULL ? kb_xstrdup(stats_path) : NULL;
    kb_date_format_rfc3339(time(NULL), st->since);
    return st;
}

void kb_mqtt_status_free(struct kb_mqtt_status *st)
{
    if (st == NULL)
        return;
    json_decref(st->ticker);
    free(st->group);
    free(st->screen);
    free(st->stats_path);
    free(st);
}

/* The ids on screen when the stats were written: the appearances that were
 * still visible at the newest `last` time, in list order, each once. */
static json_t *showing_of(json_t *shown)
{
    json_t *ids = json_array();
    if (!json_is_array(shown))
        return ids;
    double newest = -1;
    size_t i;
    json_t *a;
    json_array_foreach(shown, i, a)
    {
        double last = json_number_value(json_object_get(a, "last"));
        if (last > newest)
            newest = last;
    }
    json_array_foreach(shown, i, a)
    {
        json_t *id = json_object_get(a, "id");
        if (!json_is_string(id) ||
            json_number_value(json_object_get(a, "last")) < newest - SHOWING_SLACK_S)
            continue;
        bool seen = false;
        size_t j;
        json_t *have;
        json_array_foreach(ids, j, have)
        {
            if (json_equal(have, id))
                seen = true;
        }
        if (!seen && json_array_size(ids) < SHOWING_MAX)
            json_array_append(ids, id);
    }
    return ids;
}

/* The words on screen, from the ticker's own `showing` list ({id, lang,
 * text}): only those three strings of each, so a status stays small
 * whatever the stats file holds (the ticker already cuts each text). */
static json_t *showing_items_of(json_t *showing)
{
    json_t *items = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(showing, i, a)
    {
        if (json_array_size(items) >= SHOWING_MAX || !json_is_string(json_object_get(a, "id")))
            continue;
        json_t *it = json_object();
        static const char *const fields[] = {"id", "lang", "text"};
        for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
            json_t *v = json_object_get(a, fields[f]);
            if (json_is_string(v) && json_string_length(v) <= SHOWING_TEXT_MAX)
                json_object_set(it, fields[f], v);
        }
        json_array_append_new(items, it);
    }
    return items;
}

/* A video wall's tile: which wall, which tile, and how far it is from the
 * wall's shared schedule (docs/wall.md), copied field by field so that a
 * status stays small. NULL when the stats have no wall. */
static json_t *wall_of(json_t *wall)
{
    if (!json_is_object(wall))
        return NULL;
    json_t *w = json_object();
    static const char *const names[] = {"wall", "tile"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        json_t *v = json_object_get(wall, names[i]);
        if (json_is_string(v) && json_string_length(v) <= 32)
            json_object_set(w, names[i], v);
    }
    static const char *const figures[] = {"frame", "offset_ms"};
    for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++) {
        json_t *v = json_object_get(wall, figures[i]);
        if (json_is_number(v))
            json_object_set(w, figures[i], v);
    }
    return w;
}

static json_t *ticker_part(const char *state, const char *why)
{
    json_t *t = json_object();
    json_object_set_new(t, "stats", json_string(state));
    if (why != NULL)
        json_object_set_new(t, "stats_error", json_string(why));
    return t;
}

/* Builds the ticker's part from a parsed stats file. */
static json_t *ticker_from_stats(json_t *root, time_t mtime)
{
    json_t *t = ticker_part("ok", NULL);
    char when[KB_DATE_RFC3339_SIZE];
    kb_date_format_rfc3339(mtime, when);
    json_object_set_new(t, "stats_time", json_string(when));
    for (size_t i = 0; i < sizeof(ticker_keys) / sizeof(ticker_keys[0]); i++) {
        json_t *v = json_object_get(root, ticker_keys[i]);
        /* Numbers and strings only: the stats file is the ticker's, but a
         * status must stay small whatever is in it. */
        if (json_is_number(v) || json_is_string(v))
            json_object_set(t, ticker_keys[i], v);
    }
    json_object_set_new(t, "showing", showing_of(json_object_get(root, "shown")));
    if (json_is_array(json_object_get(root, "showing")))
        json_object_set_new(t, "showing_items", showing_items_of(json_object_get(root, "showing")));
    json_t *wall = wall_of(json_object_get(root, "wall"));
    if (wall != NULL)
        json_object_set_new(t, "wall", wall);
    return t;
}

/* The ticker's part from the stats file's bytes. */
static json_t *ticker_from_bytes(const char *buf, size_t len, time_t mtime)
{
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, 0, &jerr);
    json_t *fresh;
    if (json_is_object(root)) {
        fresh = ticker_from_stats(root, mtime);
    } else {
        char why[JSON_ERROR_TEXT_LENGTH + 32];
        snprintf(why, sizeof(why), "%d:%d: %s", jerr.line, jerr.column,
                 root == NULL ? jerr.text : "not an object");
        fresh = ticker_part("unreadable", why);
    }
    json_decref(root);
    return fresh;
}

/* Re-reads the stats file if it changed since the last look. The ticker
 * renames a finished file into place, so a read sees one whole file. */
static void refresh(struct kb_mqtt_status *st)
{
    if (st->stats_path == NULL) {
        if (st->ticker == NULL)
            st->ticker = ticker_part("none", NULL);
        return;
    }
    /* A look at the name first: an unchanged file is not read again. */
    struct stat sb;
    if (st->ticker != NULL && fstatat(AT_FDCWD, st->stats_path, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
        kb_file_sig_same(&st->sig, &sb))
        return;
    char *buf = NULL;
    size_t len = 0;
    struct kb_error err;
    enum kb_read_result r = kb_file_read(AT_FDCWD, st->stats_path, st->stats_path, STATS_MAX_BYTES,
                                         &buf, &len, &sb, &err);
    if (r == KB_READ_BUSY && st->ticker != NULL)
        return; /* out of descriptors for now: keep the last figures, look again next time */
    json_t *fresh;
    if (r == KB_READ_OK)
        fresh = ticker_from_bytes(buf, len, sb.st_mtim.tv_sec);
    else if (r == KB_READ_GONE)
        fresh = ticker_part("missing", strerror(ENOENT));
    else if (r == KB_READ_NOT_REGULAR)
        fresh = ticker_part("missing", err.msg);
    else if (sb.st_size > STATS_MAX_BYTES)
        fresh = ticker_part("unreadable", "larger than a stats file can be");
    else
        fresh = ticker_part("unreadable", err.msg);
    free(buf);
    json_decref(st->ticker);
    st->ticker = fresh;
    /* A file read, well or not (too big, not JSON), is not read again
     * until it changes; a missing one is looked for every time. */
    if (sb.st_mode != 0)
        kb_file_sig_set(&st->sig, &sb);
    else
        st->sig.have = false;
}

char *kb_mqtt_status_online(struct kb_mqtt_status *st, const struct kb_mqtt_counters *c)
{
    refresh(st);
    json_t *root = json_object();
    json_object_set_new(root, "state", json_string("online"));
    json_object_set_new(root, "group", json_string(st->group));
    json_object_set_new(root, "screen", json_string(st->screen));
    json_object_set_new(root, "online_since", json_string(st->since));
    json_object_update(root, st->ticker);

    char last_error[KB_ERROR_MAX];
    kb_log_last_error(last_error, sizeof(last_error));
    json_t *bridge = json_object();
    json_object_set_new(bridge, "version", json_string(KABAR_VERSION));
    json_object_set_new(bridge, "received", json_integer((json_int_t)c->received));
    json_object_set_new(bridge, "written", json_integer((json_int_t)c->written));
    json_object_set_new(bridge, "unchanged", json_integer((json_int_t)c->unchanged));
    json_object_set_new(bridge, "retracted", json_integer((json_int_t)c->retracted));
    json_object_set_new(bridge, "rejected", json_integer((json_int_t)c->rejected));
    json_object_set_new(bridge, "failed", json_integer((json_int_t)c->failed));
    json_object_set_new(bridge, "last_rejection", json_string(c->last_rejection));
    json_object_set_new(bridge, "rejected_pruned", json_integer((json_int_t)c->rejected_pruned));
    json_object_set_new(bridge, "sync", json_string(c->sync != NULL ? c->sync : "pending"));
    json_object_set_new(bridge, "reconciled", json_integer((json_int_t)c->reconciled));
    json_object_set_new(bridge, "last_error", json_string(last_error));
    json_object_set_new(root, "bridge", bridge);

    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (text == NULL)
        abort(); /* only on exhaustion: every value above is valid UTF-8 */
    return text;
}

char *kb_mqtt_status_offline(const char *group, const char *screen, const char *reason)
{
    json_t *root = json_pack("{s:s, s:s, s:s, s:s}", "state", "offline", "group", group, "screen",
                             screen, "reason", reason);
    char *text = root != NULL ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (text == NULL)
        abort(); /* group and screen are checked names: only exhaustion gets here */
    return text;
}
