/* What a screen says about itself on kabar/<group>/status/<screen>
 * (docs/fleet.md, "Status"): the ticker's own figures, read from the stats
 * file it rewrites every stats_interval_s, and the bridge's counters. One
 * JSON object per message; its names are a contract monitoring scripts
 * read. Internal to app/; not thread-safe (the bridge's main thread owns
 * the kb_mqtt_status). */
#ifndef KB_APP_MQTT_STATUS_H
#define KB_APP_MQTT_STATUS_H

#include <stdint.h>

#include "core/error.h"

/* What the bridge did with the messages it got. */
struct kb_mqtt_counters {
    uint64_t received;  /* item messages taken from the broker */
    uint64_t written;   /* valid items written into the spool */
    uint64_t unchanged; /* valid items identical to the file already there */
    uint64_t retracted; /* empty messages: files removed */
    uint64_t rejected;  /* invalid payloads, or item topics that name no valid id */
    uint64_t failed;    /* valid items the spool could not take (disk full, read-only) */
    char last_rejection[KB_ERROR_MAX]; /* the line of the last rejection; "" if none */
    /* Reconciliation (fleet/round.h): "pending", "complete" or "incomplete"
     * (a static string), and the files it removed. */
    const char *sync;
    uint64_t reconciled;
    uint64_t rejected_pruned; /* files removed from rejected/ to keep its bound */
};

struct kb_mqtt_status;

/* stats_path may be NULL (no ticker figures, "stats": "none"). The
 * strings are copied. Caller frees with kb_mqtt_status_free. */
struct kb_mqtt_status *kb_mqtt_status_new(const char *group, const char *screen,
                                          const char *stats_path);
void kb_mqtt_status_free(struct kb_mqtt_status *st);

/* The online status now, as compact JSON (a new string the caller frees).
 * The stats file is parsed again only when it changed (inode, size,
 * mtime), so asking every few seconds costs a stat. */
char *kb_mqtt_status_online(struct kb_mqtt_status *st, const struct kb_mqtt_counters *c);

/* {"state":"offline","group":G,"screen":S,"reason":R}: the last will
 * (reason "lost") and the goodbye of a clean stop ("stopped"). A new
 * string the caller frees. */
char *kb_mqtt_status_offline(const char *group, const char *screen, const char *reason);

#endif
