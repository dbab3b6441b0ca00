/* Presenting only what changed must show the same pixels as presenting
 * whole frames: through a resize, an expose, rotations, a renderer reset
 * and a display change, with the quote panel fading and scrolling.
 *
 * The picture compared is what the display was sent (the screen's shown
 * copy, updated by each present with exactly the rectangles it sent), so a
 * rectangle a present misses shows as a difference. Two checks:
 *   - in one run, after every frame, what was sent equals the whole
 *     picture drawn (what a whole-frame present would have sent);
 *   - two runs of the same frames and events, one presenting changes and
 *     one whole frames, give the same screenshots after each event.
 * Headless on SDL's dummy driver; under X11 with KB_TEST_PRESENT_WINDOW=1
 * (tests/cli/test_present_x11.sh runs it so under Xvfb), where the X
 * server's framebuffer is compared with the picture too, after each event
 * (KB_TEST_XVFB_SCREEN: Xvfb's -fbdir screen file). Screenshots go to
 * KB_TEST_BUILD_DIR/present-*.png to look at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/loop.h"
#include "render/png.h"

#define W 640
#define H 360

static bool windowed(void)
{
    const char *v = getenv("KB_TEST_PRESENT_WINDOW");
    return v != NULL && strcmp(v, "1") == 0;
}

static void open_loop(struct kb_loop *L, struct kb_run_opts *o, bool changes, bool panel)
{
    memset(o, 0, sizeof(*o));
    kb_config_defaults(&o->cfg);
    struct kb_config *c = &o->cfg;
    snprintf(c->mode, sizeof(c->mode), "%s", windowed() ? "window" : "headless");
    snprintf(c->render_driver, sizeof(c->render_driver), "software");
    c->width = W;
    c->height = H;
    c->vsync = false;
    c->present_changes = changes;
    snprintf(c->spool, sizeof(c->spool), "%s/assets/demo-spool", KB_TEST_SOURCE_DIR);
    /* No clock: the minute must not turn between two runs. The panel's
     * quotes and story slides come when the ingest thread answers, which
     * differs from run to run: only the one-run check has them. */
    c->clock_format[0] = '\0';
    snprintf(c->quotes, sizeof(c->quotes), "%s", panel ? "panel" : "crawl");
    /* The space above the crawl: stories and quotes in turn in the one-run
     * check, nothing in the two-run one. */
    snprintf(c->panel, sizeof(c->panel), "%s", panel ? "both" : "quotes");
    c->quote_seconds = 1.5;
    o->virtual_clock = true;
    assert_true(kb_loop_open(L, o));
    kb_screen_keep_shown(&L->screen);
    assert_true(L->screen.surface);
}

/* What was sent to the display, RGB; the caller frees it. */
static unsigned char *shown(struct kb_loop *L, int *w, int *h)
{
    struct kb_error err;
    assert_true(kb_screen_reads_shown(&L->screen));
    unsigned char *rgb = kb_screen_read_rgb(&L->screen, w, h, &err);
    assert_non_null(rgb);
    return rgb;
}

/* The whole picture drawn: what a whole-frame present sends. */
static unsigned char *drawn(struct kb_loop *L, int w, int h)
{
    unsigned char *rgb = malloc((size_t)w * (size_t)h * 3);
    assert_int_equal(
        SDL_RenderReadPixels(L->screen.renderer, NULL, SDL_PIXELFORMAT_RGB24, rgb, w * 3), 0);
    return rgb;
}

/* Fails with the first pixel where what was sent is not what was drawn. */
static void check_sent_is_drawn(struct kb_loop *L, uint64_t n)
{
    int w, h;
    unsigned char *a = shown(L, &w, &h);
    assert_int_equal(w, L->screen.width);
    assert_int_equal(h, L->screen.height);
    unsigned char *b = drawn(L, w, h);
    if (memcmp(a, b, (size_t)w * (size_t)h * 3) != 0) {
        size_t i = 0;
        while (a[i] == b[i])
            i++;
        fail_msg("frame %llu: pixel %zu,%zu was drawn but not presented", (unsigned long long)n,
                 i / 3 % (size_t)w, i / 3 / (size_t)w);
    }
    free(a);
    free(b);
}

/* Under Xvfb started with -fbdir (tests/cli/test_present_x11.sh), the X
 * server's own framebuffer, an XWD file: the window's part of it must be
 * what was drawn. This reads what the display really shows, past SDL. */
static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_x_server_shows_drawn(struct kb_loop *L, const char *name)
{
    const char *fb = getenv("KB_TEST_XVFB_SCREEN");
    if (fb == NULL || fb[0] == '\0')
        return;
    FILE *f = fopen(fb, "rb");
    assert_non_null(f);
    unsigned char hdr[100];
    assert_int_equal(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
    uint32_t header = be32(hdr), sw = be32(hdr + 16), sh = be32(hdr + 20);
    uint32_t bpp = be32(hdr + 44), bpl = be32(hdr + 48), ncolors = be32(hdr + 76);
    assert_int_equal(bpp, 32);
    int w = L->screen.width, h = L->screen.height, x0, y0;
    SDL_GetWindowPosition(L->screen.window, &x0, &y0);
    assert_true(x0 >= 0 && y0 >= 0 && x0 + w <= (int)sw && y0 + h <= (int)sh);
    unsigned char *drawn_rgb = drawn(L, w, h);
    unsigned char *row = malloc(bpl);
    for (int y = 0; y < h; y++) {
        long at = (long)header + (long)ncolors * 12 + (long)(y0 + y) * (long)bpl;
        assert_int_equal(fseek(f, at, SEEK_SET), 0);
        assert_int_equal(fread(row, 1, bpl, f), bpl);
        for (int x = 0; x < w; x++) {
            const unsigned char *px = row + (size_t)(x0 + x) * 4; /* B G R X */
            const unsigned char *want = drawn_rgb + ((size_t)y * (size_t)w + (size_t)x) * 3;
            if (px[2] != want[0] || px[1] != want[1] || px[0] != want[2])
                fail_msg("%s: the X server shows another colour at %d,%d than was drawn", name, x,
                         y);
        }
    }
    free(row);
    free(drawn_rgb);
    fclose(f);
}

static void save(struct kb_loop *L, const char *name)
{
    int w, h;
    unsigned char *rgb = shown(L, &w, &h);
    char path[4200];
    snprintf(path, sizeof(path), "%s/present-%s.png", KB_TEST_BUILD_DIR, name);
    struct kb_error err;
    assert_true(kb_png_write_rgb(path, rgb, w, h, w * 3, &err));
    free(rgb);
}

static void push_window_event(struct kb_loop *L, Uint8 what)
{
    SDL_Event e = {.type = SDL_WINDOWEVENT};
    e.window.event = what;
    e.window.windowID = SDL_GetWindowID(L->screen.window);
    SDL_PushEvent(&e);
}

/* A resize. A window server answers when it likes: wait for its answer
 * to be queued, so that both runs see it at the same frame. */
static void resize(struct kb_loop *L, int w, int h)
{
    SDL_SetWindowSize(L->screen.window, w, h);
    for (int i = 0; i < 400; i++) {
        SDL_PumpEvents();
        SDL_Event e[16];
        int n = SDL_PeepEvents(e, 16, SDL_PEEKEVENT, SDL_WINDOWEVENT, SDL_WINDOWEVENT);
        for (int k = 0; k < n; k++)
            if (e[k].window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
                return;
        SDL_Delay(5);
    }
    fail_msg("no resize event came within 2 s");
}

static void rotate(struct kb_loop *L, int degrees)
{
    /* What a reload with a new rotation does (kb_loop_reload). */
    L->cfg.rotation = degrees;
    kb_loop_apply_config(L);
    kb_loop_relayout(L);
}

/* The script both runs follow: an event at fixed frames, and a picture
 * some frames after each, when the crawl has moved on. Calls shot(name)
 * at those frames. Returns the bytes sent over the run. */
struct script_shot {
    int frame;
    const char *name;
};
static const struct script_shot SHOTS[] = {
    {100, "start"}, {190, "resize"},  {290, "expose"}, {390, "rot90"},     {490, "rot180"},
    {590, "reset"}, {690, "display"}, {790, "rot270"}, {890, "unrotated"},
};

static size_t run_script(struct kb_loop *L, bool check_every_frame,
                         void (*shot)(struct kb_loop *, const char *, void *), void *user)
{
    size_t bytes = 0;
    for (int n = 0; n < 900; n++) {
        switch (n) {
        case 150:
            resize(L, 800, 300);
            break;
        case 250:
            push_window_event(L, SDL_WINDOWEVENT_EXPOSED);
            break;
        case 350:
            rotate(L, 90);
            break;
        case 450:
            rotate(L, 180);
            break;
        case 550: {
            /* What SIGUSR2 does (app/run.c). */
            SDL_Event e = {.type = SDL_RENDER_DEVICE_RESET};
            SDL_PushEvent(&e);
            break;
        }
        case 650:
            push_window_event(L, SDL_WINDOWEVENT_DISPLAY_CHANGED);
            break;
        case 750:
            rotate(L, 270);
            break;
        case 850:
            rotate(L, 0);
            break;
        default:
            break;
        }
        L->t = n / 60.0;
        assert_true(kb_loop_events(L));
        kb_loop_frame(L, (uint64_t)n);
        bytes += kb_loop_present(L, (uint64_t)n, false);
        if (check_every_frame)
            check_sent_is_drawn(L, (uint64_t)n);
        for (size_t i = 0; i < sizeof(SHOTS) / sizeof(SHOTS[0]); i++)
            if (SHOTS[i].frame == n && shot != NULL)
                shot(L, SHOTS[i].name, user);
    }
    return bytes;
}

static void save_shot(struct kb_loop *L, const char *name, void *user)
{
    (void)user;
    save(L, name);
    check_x_server_shows_drawn(L, name);
}

static void test_every_frame_sends_what_was_drawn(void **state)
{
    (void)state;
    struct kb_loop L;
    struct kb_run_opts o;
    open_loop(&L, &o, true, true);
    size_t bytes = run_script(&L, true, save_shot, NULL);
    /* It did send less than whole frames (640x360 and 800x300, 4 bytes). */
    assert_true(bytes < (size_t)900 * W * H * 4 / 2);
    kb_loop_close(&L);
}

/* The pictures of one run, by shot. */
struct pictures {
    unsigned char *rgb[sizeof(SHOTS) / sizeof(SHOTS[0])];
    int w[sizeof(SHOTS) / sizeof(SHOTS[0])], h[sizeof(SHOTS) / sizeof(SHOTS[0])];
};

static void keep_shot(struct kb_loop *L, const char *name, void *user)
{
    struct pictures *p = user;
    for (size_t i = 0; i < sizeof(SHOTS) / sizeof(SHOTS[0]); i++)
        if (strcmp(SHOTS[i].name, name) == 0)
            p->rgb[i] = shown(L, &p->w[i], &p->h[i]);
}

static void test_same_screenshots_as_whole_frames(void **state)
{
    (void)state;
    struct pictures runs[2];
    size_t bytes[2];
    memset(runs, 0, sizeof(runs));
    for (int k = 0; k < 2; k++) {
        struct kb_loop L;
        struct kb_run_opts o;
        open_loop(&L, &o, k == 0, false);
        bytes[k] = run_script(&L, false, keep_shot, &runs[k]);
        kb_loop_close(&L);
    }
    assert_true(bytes[0] < bytes[1]);
    for (size_t i = 0; i < sizeof(SHOTS) / sizeof(SHOTS[0]); i++) {
        assert_non_null(runs[0].rgb[i]);
        assert_non_null(runs[1].rgb[i]);
        assert_int_equal(runs[0].w[i], runs[1].w[i]);
        assert_int_equal(runs[0].h[i], runs[1].h[i]);
        if (memcmp(runs[0].rgb[i], runs[1].rgb[i], (size_t)runs[0].w[i] * runs[0].h[i] * 3) != 0)
            fail_msg("after %s: presenting changes differs from presenting whole frames",
                     SHOTS[i].name);
        free(runs[0].rgb[i]);
        free(runs[1].rgb[i]);
    }
}

/* The check itself can fail: a change drawn but left out of the damage is
 * caught. */
static void test_a_missed_rectangle_is_caught(void **state)
{
    (void)state;
    struct kb_loop L;
    struct kb_run_opts o;
    open_loop(&L, &o, true, false);
    /* Up to a frame that is not presented whole (the chrome's lines
     * arriving from the ingest thread clear the screen when they come). */
    int n = 0;
    for (;; n++) {
        assert_true(n < 600);
        L.t = n / 60.0;
        assert_true(kb_loop_events(&L));
        kb_loop_frame(&L, (uint64_t)n);
        if (n >= 3 && !L.damage.full)
            break;
        kb_loop_present(&L, (uint64_t)n, false);
    }
    /* A corner of the screen no rectangle of this frame covers. */
    int w = L.screen.width, h = L.screen.height;
    const SDL_Point corners[] = {{2, 2}, {w - 6, 2}, {2, h - 6}, {w - 6, h - 6}};
    SDL_Rect mark = {-1, -1, 4, 4};
    for (size_t i = 0; i < 4 && mark.x < 0; i++) {
        SDL_Rect r = {corners[i].x, corners[i].y, 4, 4}, both;
        bool hit = false;
        for (int k = 0; k < L.damage.n; k++)
            hit = hit || SDL_IntersectRect(&r, &L.damage.r[k], &both);
        if (!hit)
            mark = r;
    }
    assert_true(mark.x >= 0);
    SDL_SetRenderDrawColor(L.screen.renderer, 255, 0, 255, 255);
    SDL_RenderFillRect(L.screen.renderer, &mark);
    kb_loop_present(&L, (uint64_t)n, false);
    unsigned char *a = shown(&L, &w, &h), *b = drawn(&L, w, h);
    assert_memory_not_equal(a, b, (size_t)w * (size_t)h * 3);
    free(a);
    free(b);
    kb_loop_close(&L);
}

/* The pixels of column band [x0, x1) over the rows of r, all the
 * background colour? */
static bool band_is_background(struct kb_loop *L, SDL_Rect r, int x0, int x1)
{
    int w, h;
    unsigned char *rgb = shown(L, &w, &h);
    SDL_Color bg = kb_scene_color(L->cfg.background);
    bool all = true;
    for (int y = r.y; y < r.y + r.h && y < h; y++)
        for (int x = x0; x < x1 && x < w; x++) {
            const unsigned char *p = rgb + ((size_t)y * (size_t)w + (size_t)x) * 3;
            all = all && p[0] == bg.r && p[1] == bg.g && p[2] == bg.b;
        }
    free(rgb);
    return all;
}

/* A story taken off the screen while its slide shows (retracted: the
 * channel's remove event) leaves no pixel of it: the slide's space is
 * cleared and sent, though nothing else about the slides changed. The
 * bands tested lie between the slide's edge and the quote panel, where
 * only a slide draws (its picture or accent bar). */
static void test_a_retracted_slide_leaves_the_screen(void **state)
{
    (void)state;
    struct kb_loop L;
    struct kb_run_opts o;
    open_loop(&L, &o, true, true);
    int n = 0;
    double on_since = -1;
    for (;; n++) {
        assert_true(n < 3000);
        L.t = n / 60.0;
        assert_true(kb_loop_events(&L));
        kb_loop_frame(&L, (uint64_t)n);
        kb_loop_present(&L, (uint64_t)n, false);
        const char *id = kb_slides_current(L.slides);
        if (id == NULL)
            on_since = -1;
        else if (on_since < 0)
            on_since = L.t;
        else if (L.t - on_since > 1.0)
            break; /* faded in and steady */
    }
    SDL_Rect r = kb_slides_rect(L.slides), p = kb_panel_rect(L.panel);
    int left0 = r.x, left1 = p.x, right0 = p.x + p.w, right1 = r.x + r.w;
    assert_true(left1 > left0 && right1 > right0);
    assert_false(band_is_background(&L, r, left0, left1) &&
                 band_is_background(&L, r, right0, right1));
    char id[KB_ID_MAX + 1];
    snprintf(id, sizeof(id), "%s", kb_slides_current(L.slides));
    assert_int_equal(kb_slides_remove(L.slides, id), 1);
    n++;
    L.t = n / 60.0;
    kb_loop_frame(&L, (uint64_t)n);
    kb_loop_present(&L, (uint64_t)n, false);
    check_sent_is_drawn(&L, (uint64_t)n);
    assert_true(band_is_background(&L, r, left0, left1));
    assert_true(band_is_background(&L, r, right0, right1));
    kb_loop_close(&L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_frame_sends_what_was_drawn),
        cmocka_unit_test(test_same_screenshots_as_whole_frames),
        cmocka_unit_test(test_a_missed_rectangle_is_caught),
        cmocka_unit_test(test_a_retracted_slide_leaves_the_screen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
