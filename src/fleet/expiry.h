/* How long the broker keeps an item (docs/fleet.md, "Expiry"): `kabar post
 * --mqtt` publishes with an MQTT 5 message expiry interval that ends when
 * the item's `expires` does, so the broker forgets an expired item by
 * itself and a screen that connects later is never sent it. An item posted
 * without `expires` gets one, the default expiry after now, so the screens
 * drop it when the broker does. Not thread-safe (the default is one value
 * per process, set by the command line). */
#ifndef KB_FLEET_EXPIRY_H
#define KB_FLEET_EXPIRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Seven days: a headline a week old has left every ticker's rotation. */
#define KB_MQTT_DEFAULT_EXPIRY_S (7 * 24 * 3600)

/* Seconds an item without `expires` lives (`kabar post --default-expiry`);
 * 0: for ever, as before (the broker keeps it until it is retracted). */
void kb_mqtt_set_default_expiry(int64_t seconds);
int64_t kb_mqtt_default_expiry(void);

/* For the item object root, at now (Unix seconds): sets its `expires` if
 * it has none and the default is not 0 (*changed is then true), and
 * returns the message expiry interval to publish it with: the seconds left
 * until `expires` (at least 1), or 0 for none. */
uint32_t kb_mqtt_item_expiry(json_t *root, int64_t now, bool *changed);

#endif
