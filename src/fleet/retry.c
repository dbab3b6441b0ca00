#include "fleet/retry.h"

#include <math.h>
#include <stdlib.h>

/* How long after a loss the bridge keeps trying every second. */
#define FAST_WINDOW_S 60.0
#define FAST_MIN_S 0.25
#define FAST_MAX_S 1.0
#define SLOW_MIN_S 2.0
#define SLOW_MAX_S 60.0

static double unit(struct kb_mqtt_retry *r)
{
    return (double)(rand_r(&r->seed) % 10000) / 10000.0;
}

void kb_mqtt_retry_init(struct kb_mqtt_retry *r, unsigned seed, double now)
{
    r->seed = seed;
    r->lost_at = now;
    r->backoff_s = SLOW_MIN_S;
    r->up = false;
}

void kb_mqtt_retry_connected(struct kb_mqtt_retry *r)
{
    r->up = true;
    r->backoff_s = SLOW_MIN_S;
}

double kb_mqtt_retry_delay(struct kb_mqtt_retry *r, bool refused, double now)
{
    if (r->up) {
        r->up = false;
        r->lost_at = now;
    }
    if (!refused && now - r->lost_at < FAST_WINDOW_S)
        return FAST_MIN_S + (FAST_MAX_S - FAST_MIN_S) * unit(r);
    double d = r->backoff_s * (1.0 + 0.25 * unit(r));
    r->backoff_s = fmin(r->backoff_s * 2, SLOW_MAX_S);
    return d;
}
