/* The settings of `kabar mqtt`: defaults, then the [mqtt] section of the
 * config file (and `spool` of its [spool] section, so a screen's one
 * config serves the ticker and the bridge), then the flags
 * (src/cli/cmd_mqtt.c). The bound on topics is KB_MQTT_TOPICS_MAX in
 * core/limits.h. */
#ifndef KB_FLEET_SETTINGS_H
#define KB_FLEET_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/limits.h"

struct kb_mqtt_settings {
    /* Owned strings (free with kb_mqtt_settings_free); NULL when unset. */
    char *host;
    char *group;
    char *screen; /* NULL: the host name */
    char *spool;
    char *cafile;
    char *user;
    char *password_file;
    char *stats; /* the ticker's --stats file, to publish what the screen shows */
    char *topics[KB_MQTT_TOPICS_MAX]; /* filters besides kabar/<group>/items/+ */
    size_t ntopics;
    int port;                 /* 0: 1883, or 8883 with cafile */
    int keepalive_s;          /* MQTT keepalive: how soon a dead link is noticed */
    double status_interval_s; /* how often the stats file is looked at */
};

void kb_mqtt_settings_init(struct kb_mqtt_settings *s);
void kb_mqtt_settings_free(struct kb_mqtt_settings *s);

/* Sets one key by its config name (host, port, group, screen, spool,
 * cafile, user, password_file, stats, topics, keepalive_s,
 * status_interval_s); `topics` is a comma-separated list that adds to the
 * filters. where names the source in messages ("file.conf:12",
 * "--port"). */
bool kb_mqtt_settings_set(struct kb_mqtt_settings *s, const char *key, const char *value,
                          const char *where, struct kb_error *err);

/* Reads the [mqtt] section (unknown keys there are warned about) and
 * [spool] spool of an INI file; other sections belong to the ticker and
 * are not looked at. */
bool kb_mqtt_settings_load(struct kb_mqtt_settings *s, const char *path, struct kb_error *err);

/* Checks what is required and fills the defaults that need the system
 * (the screen's host name). */
bool kb_mqtt_settings_finish(struct kb_mqtt_settings *s, struct kb_error *err);

#endif
