/* When the bridge tries the broker again (docs/fleet.md, "Reconnecting").
 *
 * A broker that restarts is back within seconds, and every screen should
 * be back within a second of it: after a link that worked is lost, and
 * while the broker does not accept connections at all, the bridge tries
 * every 0.25 to 1 s (uniformly at random, so a fleet spreads its arrivals
 * over that second) for FAST_WINDOW_S. A broker that accepts the
 * connection but refuses it (login, TLS) or one still down after that
 * window is tried with an exponential backoff from 2 s to 60 s, plus up to
 * a quarter of jitter. Pure arithmetic: no clock, no I/O. */
#ifndef KB_FLEET_RETRY_H
#define KB_FLEET_RETRY_H

#include <stdbool.h>

struct kb_mqtt_retry {
    double lost_at;   /* when the last working link was lost (or the first try): monotonic s */
    double backoff_s; /* the next slow delay */
    bool up;          /* the broker accepted the current link */
    unsigned seed;
};

void kb_mqtt_retry_init(struct kb_mqtt_retry *r, unsigned seed, double now);

/* The broker accepted the link: its loss starts a fast window. */
void kb_mqtt_retry_connected(struct kb_mqtt_retry *r);

/* A try failed (or a link was lost) at now. refused: the broker answered
 * and said no (CONNACK error, TLS failure), as opposed to not answering or
 * not accepting connections. Returns the delay before the next try. */
double kb_mqtt_retry_delay(struct kb_mqtt_retry *r, bool refused, double now);

#endif
