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
#include "core/log.h"
#include "core/xmalloc.h"
#include "fleet/conn.h"

/* The file last handed to the broker: a change of any of these sends it
 * again. */
static struct {
    bool have;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtim;
} sent;

/* Reads the whole picture (at most KB_MQTT_THUMB_MAX bytes) into a new
 * buffer; NULL with a message in why. */
static unsigned char *read_picture(int fd, off_t size, const char *path, char *why, size_t why_size)
{
    if (size <= 0 || size > KB_MQTT_THUMB_MAX) {
        snprintf(why, why_size, "%s: %lld bytes is not a picture kabar wrote", path,
                 (long long)size);
        return NULL;
    }
    unsigned char *buf = kb_xmalloc((size_t)size);
    size_t got = 0;
    while (got < (size_t)size) {
        ssize_t n = read(fd, buf + got, (size_t)size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(why, why_size, "%s: %s", path,
                     n < 0 ? strerror(errno) : "shorter than it was");
            free(buf);
            return NULL;
        }
        got += (size_t)n;
    }
    return buf;
}

void kb_mqtt_thumb_tick(struct mosquitto *mosq, const char *group, const char *screen,
                        const char *stats_path)
{
    if (stats_path == NULL)
        return;
    size_t n = strlen(stats_path);
    if (n > 5 && strcmp(stats_path + n - 5, ".json") == 0)
        n -= 5;
    char *path = kb_xasprintf("%.*s.thumb.png", (int)n, stats_path);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        (sent.have && sb.st_dev == sent.dev && sb.st_ino == sent.ino && sb.st_size == sent.size &&
         sb.st_mtim.tv_sec == sent.mtim.tv_sec && sb.st_mtim.tv_nsec == sent.mtim.tv_nsec)) {
        /* No picture (thumb_interval_s = 0, or none yet), or the one sent. */
        if (fd >= 0)
            close(fd);
        free(path);
        return;
    }
    char why[512];
    unsigned char *png = read_picture(fd, sb.st_size, path, why, sizeof(why));
    close(fd);
    if (png == NULL) {
        LOG_WARN_ONCE("thumb", "%s", why);
        free(path);
        return;
    }
    char *topic = kb_xasprintf("kabar/%s/thumb/%s", group, screen);
    int rc = mosquitto_publish(mosq, NULL, topic, (int)sb.st_size, png, 1, true);
    if (rc == MOSQ_ERR_SUCCESS) {
        sent.have = true;
        sent.dev = sb.st_dev;
        sent.ino = sb.st_ino;
        sent.size = sb.st_size;
        sent.mtim = sb.st_mtim;
        kb_log_forget("thumb");
    } else {
        LOG_DBG("%s: cannot publish the picture now: %s", topic, kb_mqtt_strerror(rc));
    }
    free(topic);
    free(png);
    free(path);
}
