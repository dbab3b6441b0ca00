/* The monotonic clock as seconds, the one time base of schedules, frame
 * pacing and durations in logs (the wall clock jumps when NTP or an
 * operator sets it; this one never does). No state; safe from any thread. */
#ifndef KB_CORE_CLOCK_H
#define KB_CORE_CLOCK_H

/* CLOCK_MONOTONIC now, in seconds (since boot on Linux). */
double kb_clock_mono(void);

#endif
