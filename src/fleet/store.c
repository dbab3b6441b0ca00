#include "fleet/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MODULE "mqtt"
#include "fleet/conn.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/put.h"
#include "spool/spool.h"

/* The bridge's temp names: a dot name, so the spool never reads one, and a
 * prefix of its own, so a restarted bridge can tell its leftovers from
 * another producer's temp files. */
#define TEMP_PREFIX ".mqtt."

bool kb_mqtt_topic_id(const char *topic, char *id, size_t size, struct kb_error *err)
{
    const char *slash = strrchr(topic, '/');
    const char *last = slash != NULL ? slash + 1 : topic;
    if (!kb_mqtt_name_valid(last))
        return kb_error_set(err,
                            "topic \"%s\": the last level is not an item id (1-128 of "
                            "A-Z a-z 0-9 . _ : -, not starting with '.')",
                            topic);
    if (strlen(last) >= size)
        return kb_error_set(err, "topic \"%s\": id too long", topic);
    strcpy(id, last);
    return true;
}

/* Files are written with kb_spool_put and kb_spool_reject. No fsync: the
 * broker is the durable copy, and the bridge rewrites every retained item
 * each time it connects, so a file lost to a power cut comes back with the
 * screen. */

static void remove_file(const char *dir, const char *name)
{
    char *path = kb_xasprintf("%s/%s", dir, name);
    if (unlink(path) != 0 && errno != ENOENT)
        LOG_WARN("%s: cannot remove: %s", path, strerror(errno));
    free(path);
}

/* rejected/NAME and NAME.error.txt, as the spool does, so the payload
 * never sits there without its reason. */
static bool write_rejected(const char *dir, const char *name, const void *payload, size_t len,
                           const char *line)
{
    struct kb_error werr;
    bool ok =
        kb_spool_reject(dir, "mqtt", name, payload, len, line, &werr) != KB_SPOOL_REJECT_FAILED;
    if (!ok) {
        char *rdir = kb_xasprintf("%s/" KB_SPOOL_REJECTED_DIR, dir);
        LOG_WARN_ONCE(rdir, "cannot keep a rejected message: %s", werr.msg);
        free(rdir);
    }
    return ok;
}

enum kb_mqtt_applied kb_mqtt_spool_apply(const char *dir, const char *id, const void *payload,
                                         size_t len, int64_t now, struct kb_error *err)
{
    char name[KB_ID_MAX + sizeof(".json")];
    snprintf(name, sizeof(name), "%s.json", id);
    if (len == 0) {
        remove_file(dir, name);
        return KB_MQTT_RETRACTED;
    }

    /* The ticker's own words for the same file under the same --spool, so
     * a screen's log and rejected/ read the same whichever way an item
     * came. */
    char *where = kb_xasprintf("%s/%s", dir, name);
    bool valid;
    if (len > KB_SPOOL_FILE_MAX_BYTES)
        valid = kb_error_set(err, "%s: %zu bytes, more than the limit of %d", where, len,
                             KB_SPOOL_FILE_MAX_BYTES);
    else
        valid = kb_spool_validate_buffer(payload, len, where, now, err) >= 0;
    enum kb_mqtt_applied result;
    if (!valid) {
        write_rejected(dir, name, payload, len, err->msg);
        /* The retained message is this id's state now, and it is no item:
         * a bad rewrite of a spool file takes the old one off the screen
         * too. */
        remove_file(dir, name);
        result = KB_MQTT_REJECTED;
    } else {
        switch (kb_spool_put(dir, "mqtt", name, payload, len, err)) {
        case KB_SPOOL_PUT_UNCHANGED:
            result = KB_MQTT_UNCHANGED;
            break;
        case KB_SPOOL_PUT_WRITTEN:
            result = KB_MQTT_WRITTEN;
            break;
        default:
            result = KB_MQTT_FAILED;
            break;
        }
    }
    free(where);
    return result;
}

static void clean_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0 &&
            unlinkat(dirfd(d), e->d_name, 0) == 0)
            LOG_DBG("%s/%s: removed a temp file left by an earlier run", dir, e->d_name);
    }
    closedir(d);
}

void kb_mqtt_spool_clean(const char *dir)
{
    clean_dir(dir);
    char *rdir = kb_xasprintf("%s/" KB_SPOOL_REJECTED_DIR, dir);
    clean_dir(rdir);
    free(rdir);
}
