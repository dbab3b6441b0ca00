#include "fleet/images.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "mqtt"
#include "core/log.h"
#include "core/xmalloc.h"
#include "fleet/conn.h"
#include "spool/images_put.h"
#include "spool/put.h"

/* A sweep lists images/ and, only when a picture is old enough to go,
 * reads the item files: cheap, but not at every message. */
#define SWEEP_DELAY_S 1.0
#define SWEEP_PERIOD_S 600.0

void kb_mqtt_images_init(struct kb_mqtt_images *im, const char *spool, const char *group,
                         double now)
{
    memset(im, 0, sizeof(*im));
    im->spool = spool;
    im->filter = kb_mqtt_images_topic(group, NULL);
    im->filter_len = strlen(im->filter) - 1;
    im->grace_s = KB_IMAGE_SWEEP_GRACE_S;
    /* The first sweep soon after the start: pictures may have been left
     * by items retracted while the screen was off. */
    im->sweep_at = now + SWEEP_DELAY_S;
}

void kb_mqtt_images_free(struct kb_mqtt_images *im)
{
    free(im->filter);
    im->filter = NULL;
}

static enum kb_mqtt_applied reject(struct kb_mqtt_images *im, const char *name, const void *payload,
                                   size_t len, struct kb_error *err)
{
    im->rejected++;
    struct kb_error werr;
    /* Not a file name kabar could keep: the line alone says it. */
    if (kb_image_name_valid(name) && kb_spool_reject(im->spool, "mqtt", name, payload, len,
                                                     err->msg, &werr) == KB_SPOOL_REJECT_FAILED)
        LOG_WARN_ONCE(im->spool, "cannot keep a rejected picture: %s", werr.msg);
    return KB_MQTT_REJECTED;
}

bool kb_mqtt_images_message(struct kb_mqtt_images *im, const char *topic, const void *payload,
                            size_t len, enum kb_mqtt_applied *result, struct kb_error *err)
{
    if (strncmp(topic, im->filter, im->filter_len) != 0 ||
        strchr(topic + im->filter_len, '/') != NULL)
        return false;
    const char *name = topic + im->filter_len;
    if (!kb_mqtt_name_valid(name) || !kb_image_name_valid(name)) {
        kb_error_set(err,
                     "topic \"%s\": the last level is not a picture name (the characters of an "
                     "id, ending in .png, .jpg, .jpeg or .webp)",
                     topic);
        *result = reject(im, name, payload, len, err);
        return true;
    }
    if (len == 0) {
        /* Another item may name it: the sweep decides. */
        *result = KB_MQTT_RETRACTED;
        return true;
    }
    struct kb_image_header hdr;
    struct kb_error why;
    if (!kb_image_check(payload, len, name, NULL, &hdr, &why)) {
        kb_error_set(err, "%s/" KB_SPOOL_IMAGES_DIR "/%s: %s", im->spool, name, why.msg);
        *result = reject(im, name, payload, len, err);
        return true;
    }
    switch (kb_spool_image_put(im->spool, "mqtt", name, payload, len, err)) {
    case KB_IMAGE_PUT_WRITTEN:
        im->written++;
        *result = KB_MQTT_WRITTEN;
        LOG_DBG("%s: written to %s/" KB_SPOOL_IMAGES_DIR "/%s (%ux%u %s)", topic, im->spool, name,
                hdr.width, hdr.height, kb_image_format_name(hdr.format));
        break;
    case KB_IMAGE_PUT_UNCHANGED:
        *result = KB_MQTT_UNCHANGED;
        break;
    case KB_IMAGE_PUT_FAILED:
        *result = KB_MQTT_FAILED;
        break;
    }
    return true;
}

void kb_mqtt_images_soon(struct kb_mqtt_images *im, double now)
{
    if (im->sweep_at == 0 || im->sweep_at > now + SWEEP_DELAY_S)
        im->sweep_at = now + SWEEP_DELAY_S;
}

size_t kb_mqtt_images_tick(struct kb_mqtt_images *im, double now, uint64_t reconciled)
{
    if (reconciled != im->reconciled) {
        im->reconciled = reconciled;
        kb_mqtt_images_soon(im, now);
    }
    if (im->sweep_at == 0 || now < im->sweep_at)
        return 0;
    im->sweep_at = now + SWEEP_PERIOD_S;
    size_t n = kb_spool_images_sweep_files(im->spool, (int64_t)time(NULL), im->grace_s);
    im->swept += n;
    return n;
}
