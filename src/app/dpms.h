/* The display's power (DPMS) through DRM, for display_schedule: off while
 * the schedule has the screen dark, on again at the next window. Only where
 * kabar drives the display itself (KMSDRM); elsewhere (a desktop window,
 * headless) nothing is done. Best effort: one log line says what happened. */
#ifndef KB_APP_DPMS_H
#define KB_APP_DPMS_H

#include <stdbool.h>

#include "render/screen.h"

void kb_dpms_set(struct kb_screen *s, bool on);

#endif
