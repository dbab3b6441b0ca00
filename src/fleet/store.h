/* The bridge's side of the spool contract (docs/spool.md): one MQTT message
 * for item topic .../<id> becomes the file <spool>/<id>.json, written under
 * a dot name and renamed in, or its removal, or a rejection beside its one
 * error line, exactly as the ticker would have written it. Paths only, no
 * state: safe to call from the libmosquitto thread. Internal to app/. */
#ifndef KB_APP_MQTT_SPOOL_H
#define KB_APP_MQTT_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum kb_mqtt_applied {
    KB_MQTT_WRITTEN,   /* a valid item, now in the spool */
    KB_MQTT_UNCHANGED, /* a valid item, byte for byte the file already there (a resent retained
                          message): the file is left alone, so its mtime, the default
                          `published`, stays put */
    KB_MQTT_RETRACTED, /* an empty message: the file is gone (or was never there) */
    KB_MQTT_REJECTED,  /* invalid: in rejected/ with NAME.error.txt, err has the line, and the
                          id's file left the spool as the ticker would take it off the screen */
    KB_MQTT_FAILED,    /* the spool could not be written (err says why); nothing changed */
};

/* The item id a message's topic names: its last level, which must be a
 * valid name (kb_mqtt_name_valid). Writes it to id (KB_ID_MAX + 1 bytes). */
bool kb_mqtt_topic_id(const char *topic, char *id, size_t size, struct kb_error *err);

/* Applies one message for item id (already checked) to the spool folder
 * dir. now (Unix seconds) stands for the mtime in validation, as the file
 * will get it. err is set for REJECTED and FAILED. */
enum kb_mqtt_applied kb_mqtt_spool_apply(const char *dir, const char *id, const void *payload,
                                         size_t len, int64_t now, struct kb_error *err);

/* Removes the bridge's own temp files (".mqtt-*") left in dir and
 * dir/rejected by a bridge that was killed mid-write. */
void kb_mqtt_spool_clean(const char *dir);

#endif
