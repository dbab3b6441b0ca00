#include "app/thumb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "thumb"
#include "core/clock.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/png.h"

static double next_at = -1;

char *kb_thumb_path(const char *stats_path)
{
    size_t n = strlen(stats_path);
    if (n > 5 && strcmp(stats_path + n - 5, ".json") == 0)
        n -= 5;
    return kb_xasprintf("%.*s.thumb.png", (int)n, stats_path);
}

void kb_thumb_scale(const unsigned char *rgb, int w, int h, int pitch, unsigned char *out, int dw,
                    int dh)
{
    for (int y = 0; y < dh; y++) {
        int y0 = (int)((long long)y * h / dh), y1 = (int)((long long)(y + 1) * h / dh);
        if (y1 <= y0)
            y1 = y0 + 1;
        for (int x = 0; x < dw; x++) {
            int x0 = (int)((long long)x * w / dw), x1 = (int)((long long)(x + 1) * w / dw);
            if (x1 <= x0)
                x1 = x0 + 1;
            unsigned sum[3] = {0, 0, 0};
            for (int sy = y0; sy < y1; sy++) {
                const unsigned char *p = rgb + (size_t)sy * (size_t)pitch + (size_t)x0 * 3;
                for (int sx = x0; sx < x1; sx++, p += 3) {
                    sum[0] += p[0];
                    sum[1] += p[1];
                    sum[2] += p[2];
                }
            }
            unsigned count = (unsigned)((y1 - y0) * (x1 - x0));
            unsigned char *o = out + ((size_t)y * (size_t)dw + (size_t)x) * 3;
            for (int c = 0; c < 3; c++)
                o[c] = (unsigned char)((sum[c] + count / 2) / count);
        }
    }
}

/* Reads the frame back as screenshots do (render/screen.h), scales it and
 * writes it by temp name and rename: the bridge never reads half a
 * picture. */
static bool write_thumb(struct kb_screen *screen, const char *path, struct kb_error *err)
{
    int w, h;
    unsigned char *rgb = kb_screen_read_rgb(screen, &w, &h, err);
    if (rgb == NULL)
        return false;
    int dw = w < KB_THUMB_WIDTH ? w : KB_THUMB_WIDTH;
    int dh = (int)(((long long)h * dw + w / 2) / w);
    if (dh < 1)
        dh = 1;
    unsigned char *small = kb_xmalloc((size_t)dw * (size_t)dh * 3);
    kb_thumb_scale(rgb, w, h, w * 3, small, dw, dh);
    char *tmp = kb_xasprintf("%s.tmp", path);
    /* Dated, so the page can say how old the picture is whatever the broker
     * kept. */
    bool ok = kb_png_write_rgb_dated(tmp, small, dw, dh, dw * 3, time(NULL), err);
    if (ok && rename(tmp, path) != 0)
        ok = kb_error_set(err, "%s: %s", path, strerror(errno));
    if (!ok)
        unlink(tmp);
    free(tmp);
    free(small);
    free(rgb);
    return ok;
}

void kb_thumb_tick(struct kb_screen *screen, double interval_s, const char *stats_path, double now)
{
    if (interval_s <= 0 || stats_path == NULL)
        return;
    /* The first picture one interval after the start: short runs (tests,
     * previews) leave no file beside their stats. */
    if (next_at < 0)
        next_at = now + interval_s;
    if (now < next_at)
        return;
    next_at = now + interval_s;
    char *path = kb_thumb_path(stats_path);
    struct kb_error err;
    if (write_thumb(screen, path, &err))
        kb_log_forget("thumb");
    else
        kb_log_once("thumb", KB_LOG_WARN, LOG_MODULE, "%s", err.msg);
    free(path);
}

void kb_thumb_frame(struct kb_screen *screen, double interval_s, const char *stats_path)
{
    if (interval_s <= 0 || stats_path == NULL)
        return;
    kb_thumb_tick(screen, interval_s, stats_path, kb_clock_mono());
}
