#include "fleet/thumb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MODULE "mqtt"
#include "core/file.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "fleet/conn.h"

/* The file last handed to the broker: a change sends it again. */
static struct kb_file_sig sent;

void kb_mqtt_thumb_tick(struct mosquitto *mosq, const char *group, const char *screen,
                        const char *stats_path)
{
    if (stats_path == NULL)
        return;
    size_t n = strlen(stats_path);
    if (n > 5 && strcmp(stats_path + n - 5, ".json") == 0)
        n -= 5;
    char *path = kb_xasprintf("%.*s.thumb.png", (int)n, stats_path);
    /* A look at the name first: no picture (thumb_interval_s = 0, or none
     * yet) or the one sent is not read. */
    struct stat sb;
    if (fstatat(AT_FDCWD, path, &sb, AT_SYMLINK_NOFOLLOW) != 0 || kb_file_sig_same(&sent, &sb)) {
        free(path);
        return;
    }
    char *png = NULL;
    size_t len = 0;
    struct kb_error err;
    enum kb_read_result r =
        kb_file_read(AT_FDCWD, path, path, KB_MQTT_THUMB_MAX, &png, &len, &sb, &err);
    if (r == KB_READ_OK && len == 0) {
        r = KB_READ_ERROR;
        kb_error_set(&err, "%s: empty, not a picture kabar wrote", path);
    }
    if (r != KB_READ_OK) {
        /* Gone since the look: the ticker is replacing it; look again. */
        if (r != KB_READ_GONE)
            LOG_WARN_ONCE("thumb", "%s", err.msg);
        free(png);
        free(path);
        return;
    }
    char *topic = kb_xasprintf("kabar/%s/thumb/%s", group, screen);
    int rc = mosquitto_publish(mosq, NULL, topic, (int)len, png, 1, true);
    if (rc == MOSQ_ERR_SUCCESS) {
        kb_file_sig_set(&sent, &sb);
        kb_log_forget("thumb");
    } else {
        LOG_DBG("%s: cannot publish the picture now: %s", topic, kb_mqtt_strerror(rc));
    }
    free(topic);
    free(png);
    free(path);
}
