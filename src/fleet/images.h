/* Pictures over the fleet (docs/fleet.md, "Pictures"): `kabar post --mqtt
 * --image` publishes a picture retained on kabar/<group>/images/<name>
 * before the item that names it; the bridge subscribes to
 * kabar/<group>/images/+, checks each picture as the ticker would
 * (spool/images_put.h: header, size, pixels, the format its name says) and
 * writes it into the spool's images/, or keeps a bad one in rejected/
 * beside its reason (bounded like every rejection). An empty message
 * removes nothing: another item may name the same picture, and the sweep
 * removes what no item names once its grace is over. The bridge sweeps
 * images/ a moment after a retraction or a complete reconciliation round,
 * and every ten minutes. Not thread-safe: the bridge's thread owns it. */
#ifndef KB_FLEET_IMAGES_H
#define KB_FLEET_IMAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "fleet/store.h"

struct kb_mqtt_images {
    const char *spool;   /* borrowed */
    char *filter;        /* kabar/<group>/images/+ */
    size_t filter_len;   /* its length without the "+" */
    double sweep_at;     /* monotonic seconds; 0: none planned */
    int64_t grace_s;     /* how long an unnamed picture is kept (KB_IMAGE_SWEEP_GRACE_S) */
    uint64_t reconciled; /* reconciliation's removals at the last tick */
    uint64_t written, rejected, swept;
};

void kb_mqtt_images_init(struct kb_mqtt_images *im, const char *spool, const char *group,
                         double now);
void kb_mqtt_images_free(struct kb_mqtt_images *im);

/* True if topic is a picture topic of the group; then the message was
 * handled and *result says how (WRITTEN, UNCHANGED, RETRACTED for an empty
 * message, REJECTED or FAILED with err set to one line). */
bool kb_mqtt_images_message(struct kb_mqtt_images *im, const char *topic, const void *payload,
                            size_t len, enum kb_mqtt_applied *result, struct kb_error *err);

/* An item left the spool (or a round completed): sweep soon. */
void kb_mqtt_images_soon(struct kb_mqtt_images *im, double now);

/* From the bridge's loop: sweeps when one is due, or soon after
 * reconciled (the files reconciliation has removed so far) grew. Returns
 * how many pictures went. */
size_t kb_mqtt_images_tick(struct kb_mqtt_images *im, double now, uint64_t reconciled);

#endif
