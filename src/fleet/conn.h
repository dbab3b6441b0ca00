/* What the bridge and the publisher share: the topic layout, the rules for
 * the names that go into topics, and setting up a libmosquitto client
 * (TLS, user and password). Internal to src/fleet/. */
#ifndef KB_APP_MQTT_CONN_H
#define KB_APP_MQTT_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include <mosquitto.h>

#include "fleet/mqtt.h"
#include "core/error.h"
#include "core/limits.h"

#define KB_MQTT_PORT 1883
#define KB_MQTT_TLS_PORT 8883
/* KB_MQTT_PASSWORD_MAX and KB_MQTT_TOPIC_MAX: core/limits.h. */

/* A group, a screen or an item id as one topic level: the spool's id rules
 * (1-128 of A-Z a-z 0-9 . _ : -), so it can never hold the topic
 * separators '/', '+' or '#', and it must not start with '.' (the spool
 * ignores dot files, so "<.x>.json" would never be shown). */
bool kb_mqtt_name_valid(const char *name);

/* The port to use: port itself, or the default for plain or TLS. */
int kb_mqtt_port_or_default(int port, const struct kb_mqtt_auth *auth);

/* kabar/<group>/items/<id>, kabar/<group>/items/+ (id NULL),
 * kabar/<group>/status/<screen>: new strings the caller frees. */
char *kb_mqtt_items_topic(const char *group, const char *id);
char *kb_mqtt_status_topic(const char *group, const char *screen);
/* kabar/<group>/images/<name>, kabar/<group>/images/+ (name NULL). */
char *kb_mqtt_images_topic(const char *group, const char *name);

/* Reads the first line of a password file (at most KB_MQTT_PASSWORD_MAX
 * bytes, the newline dropped) into a new string the caller frees (and
 * should wipe). Warns when the file is readable by others. */
bool kb_mqtt_read_password(const char *path, char **password, struct kb_error *err);

/* Applies auth (may be NULL) to a new client: TLS with the CA file, user
 * name and the password from its file. */
bool kb_mqtt_apply_auth(struct mosquitto *mosq, const struct kb_mqtt_auth *auth,
                        struct kb_error *err);

/* A libmosquitto return code as words (MOSQ_ERR_ERRNO says errno's). */
const char *kb_mqtt_strerror(int rc);

#endif
