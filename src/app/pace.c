#include "app/pace.h"

#include <math.h>

#define LOG_MODULE "run"
#include "core/log.h"

void kb_pace_init(struct kb_pace *p, double hz, double t0, bool virtual_clock, bool vsync)
{
    *p = (struct kb_pace){
        .hz = hz,
        .period = 1.0 / hz,
        .t0 = t0,
        .virtual_clock = virtual_clock,
        .vsync = vsync,
        .last_present = t0,
    };
}

double kb_pace_time(const struct kb_pace *p)
{
    return (double)p->frame * p->period;
}

bool kb_pace_done(const struct kb_pace *p, uint64_t n, long long frames, double seconds)
{
    if (frames > 0 && (long long)n >= frames)
        return true;
    return seconds > 0 && (double)p->frame * p->period >= seconds;
}

bool kb_pace_last(const struct kb_pace *p, uint64_t n, long long frames, double seconds)
{
    return (frames > 0 && (long long)n + 1 >= frames) ||
           (seconds > 0 && (double)(p->frame + 1) * p->period >= seconds);
}

bool kb_pace_presented(struct kb_pace *p, uint64_t n, double now)
{
    bool dropped = !p->virtual_clock && n > 0 && now - p->last_present > 1.5 * p->period;
    p->last_present = now;
    return dropped;
}

bool kb_pace_check_vsync(struct kb_pace *p, uint64_t n, double frame_s)
{
    if (p->virtual_clock || !p->vsync || n >= KB_PACE_VSYNC_PROBE)
        return false;
    p->vsync_fast += frame_s < 0.5 / p->hz;
    if (n == KB_PACE_VSYNC_PROBE - 1 && p->vsync_fast > KB_PACE_VSYNC_FAST) {
        LOG_WARN("the renderer does not wait for vsync; pacing to %.0f Hz by the clock", p->hz);
        p->vsync = false;
        return true;
    }
    return false;
}

bool kb_pace_sleep(const struct kb_pace *p, uint64_t n, double *until)
{
    if (p->virtual_clock || p->vsync)
        return false;
    *until = p->t0 + (double)(n + 1) * p->period;
    return true;
}

void kb_pace_advance(struct kb_pace *p, double now)
{
    if (p->virtual_clock) {
        p->frame++;
        return;
    }
    uint64_t f = (uint64_t)llround((now - p->t0) * p->hz);
    p->frame = f > p->frame ? f : p->frame + 1;
}
