/* The logo of the config in the label box (app/logo.h): read when the key
 * changes, sized to the bar at each layout. */
#include <math.h>
#include <string.h>

#define LOG_MODULE "run"
#include "app/logo.h"
#include "app/loop.h"
#include "core/log.h"

/* The logo's box: seven tenths of the bar's height, at most three bars
 * wide (a wide wordmark is scaled down to that width). */
#define LOGO_HEIGHT 0.7
#define LOGO_MAX_WIDTH 3.0

void kb_loop_logo_apply(struct kb_loop *L)
{
    const char *key = L->cfg.logo;
    if (strcmp(key, L->logo_key) != 0) {
        kb_logo_free(L->logo);
        L->logo = NULL;
        snprintf(L->logo_key, sizeof(L->logo_key), "%s", key);
        struct kb_error err;
        if (key[0] != '\0' && (L->logo = kb_logo_load(key, &err)) == NULL)
            LOG_ERR_ONCE(err.msg, "%s; the label box shows no logo", err.msg);
    }
    int bar_h = L->base_bar.h;
    if (L->logo == NULL || bar_h <= 0) {
        kb_chrome_set_logo(L->chrome, NULL, 0, 0);
        return;
    }
    int w, h;
    kb_logo_fit(L->logo, (int)lround(bar_h * LOGO_MAX_WIDTH), (int)lround(bar_h * LOGO_HEIGHT), &w,
                &h);
    kb_chrome_set_logo(L->chrome, kb_logo_texture(L->logo, L->screen.renderer, w, h), w, h);
}

void kb_loop_logo_reset(struct kb_loop *L)
{
    kb_logo_drop_texture(L->logo);
    kb_loop_logo_apply(L);
}
