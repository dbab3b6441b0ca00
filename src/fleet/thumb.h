/* The screen's picture on kabar/<group>/thumb/<screen> (docs/fleet.md,
 * "The screens' pictures"): the PNG the ticker writes beside its stats file
 * (app/thumb.c: "<stats without .json>.thumb.png"), published retained and
 * binary, QoS 1, whenever it changed. Internal to src/fleet/; the bridge's
 * main thread only, and its state is static: one bridge per process, as
 * fleet/mqtt.h says. */
#ifndef KB_FLEET_THUMB_H
#define KB_FLEET_THUMB_H

#include <mosquitto.h>

/* A picture is at most this big; a bigger file is not the ticker's. */
#define KB_MQTT_THUMB_MAX (1024 * 1024)

/* Looks at the picture beside stats_path (NULL: none) and publishes it if
 * it changed since it was last handed to the broker. Call on a connected
 * client every status interval; costs a stat when nothing changed. A
 * publish that fails is tried again at the next call. */
void kb_mqtt_thumb_tick(struct mosquitto *mosq, const char *group, const char *screen,
                        const char *stats_path);

#endif
