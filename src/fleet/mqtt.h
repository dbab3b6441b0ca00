/* Fleets over MQTT (docs/fleet.md): one newsroom feeding many screens.
 *
 * kabar invents no network protocol. A newsroom publishes each item as a
 * retained QoS 1 message on kabar/<group>/items/<id>; a retained empty
 * message on that topic retracts it. On each screen, `kabar mqtt` mirrors
 * those messages into the local spool (validated exactly as the spool
 * validates a file, written by temp name + rename), so the spool stays the
 * one way items enter a screen, and publishes what the screen shows on
 * kabar/<group>/status/<screen>.
 *
 * The three entry points below are whole commands: they call mosquitto_lib_init
 * and mosquitto_lib_cleanup themselves and ignore SIGPIPE while they run
 * (a broker that drops a TLS connection must not kill the process). */
#ifndef KB_FLEET_MQTT_H
#define KB_FLEET_MQTT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct kb_mqtt_settings; /* fleet/settings.h */

/* `kabar mqtt`: runs the bridge that set describes (checked with
 * kb_mqtt_settings_finish; borrowed for the call) until SIGINT or SIGTERM,
 * then publishes the screen's offline status and returns 0. Returns 1 when
 * it cannot start (an unreadable password file, a spool it cannot create),
 * the reason on stderr. While it runs it handles SIGINT and SIGTERM itself
 * (the previous handlers come back when it returns); a caller running it in
 * a thread stops it with pthread_kill(thread, SIGTERM). Not reentrant: one
 * bridge per process. The flags are read by src/cli/cmd_mqtt.c. */
int kb_mqtt_bridge_run(const struct kb_mqtt_settings *set);

/* How to reach a broker beyond host and port. Every member may be NULL:
 * no TLS, anonymous. The strings are the caller's. */
struct kb_mqtt_auth {
    const char *cafile;        /* PEM CA certificate(s): connect with TLS and check the broker */
    const char *user;          /* MQTT user name */
    const char *password_file; /* its password, the first line of this file (never a flag) */
};

/* `kabar post --mqtt HOST`: publishes json_text (one item, as `kabar post`
 * would write it to a file) retained with QoS 1 on kabar/<group>/items/<id>,
 * the id taken from the item, and waits for the broker's acknowledgement
 * (10 s at most). The item is validated first as a screen would validate
 * it, so nothing a screen would reject is ever sent; one without
 * `published` is dated now (UTC), so every screen dates and orders it
 * alike. port 0 means 1883, or 8883 with auth->cafile; auth may be NULL.
 * On failure err has one line for stderr and nothing was published. */
bool kb_mqtt_publish_item(const char *host, int port, const char *group, const char *json_text,
                          const struct kb_mqtt_auth *auth, struct kb_error *err);

/* `kabar post --mqtt HOST --group G --retract ID`: publishes the retained
 * empty message on kabar/<group>/items/<id> that takes the item off every
 * screen of the group (and off screens that are offline now, when they
 * come back). Same port, auth and error rules as kb_mqtt_publish_item. */
bool kb_mqtt_retract_item(const char *host, int port, const char *group, const char *id,
                          const struct kb_mqtt_auth *auth, struct kb_error *err);

/* `kabar post --mqtt HOST --image FILE`: publishes a picture (data, len
 * bytes, already checked with kb_image_check) retained with QoS 1 on
 * kabar/<group>/images/<name>, before the item that names it, so a screen
 * has it when the item comes. The broker keeps it as long as item_json's
 * item (its expires, or the default expiry) and a minute more; item_json
 * may be NULL (no expiry). Same port, auth and error rules as
 * kb_mqtt_publish_item. */
bool kb_mqtt_publish_image(const char *host, int port, const char *group, const char *name,
                           const void *data, size_t len, const char *item_json,
                           const struct kb_mqtt_auth *auth, struct kb_error *err);

#endif
