/* The damage rectangles: merging, clipping, the pixels they cost, and
 * their mapping onto a turned screen, checked against what SDL's software
 * renderer really draws when it turns the scene. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/damage.h"
#include "render/screen.h"

static bool covered(const struct kb_damage *d, int x, int y)
{
    if (d->full)
        return true;
    for (int i = 0; i < d->n; i++) {
        const SDL_Rect *r = &d->r[i];
        if (x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h)
            return true;
    }
    return false;
}

static void test_add_merges_only_without_waste(void **state)
{
    (void)state;
    struct kb_damage d;
    kb_damage_reset(&d);
    kb_damage_add(&d, (SDL_Rect){0, 972, 1920, 108}); /* the bar */
    kb_damage_add(&d, (SDL_Rect){10, 980, 100, 50});  /* inside it: nothing new */
    assert_int_equal(d.n, 1);
    kb_damage_add(&d, (SDL_Rect){0, 0, 0, 50}); /* empty */
    assert_int_equal(d.n, 1);
    /* The stale marker above the bar's right end: a bounding box with the
     * bar would send a whole strip that did not change. */
    kb_damage_add(&d, (SDL_Rect){1700, 940, 220, 32});
    assert_int_equal(d.n, 2);
    assert_int_equal(kb_damage_pixels(&d, 1920, 1080), 1920 * 108 + 220 * 32);
    /* Side by side at the same height: one rectangle, the same pixels. */
    kb_damage_reset(&d);
    kb_damage_add(&d, (SDL_Rect){0, 0, 100, 20});
    kb_damage_add(&d, (SDL_Rect){100, 0, 50, 20});
    assert_int_equal(d.n, 1);
    assert_int_equal(d.r[0].w, 150);
    /* A rectangle swallowing two others. */
    kb_damage_add(&d, (SDL_Rect){0, 100, 10, 10});
    kb_damage_add(&d, (SDL_Rect){-5, -5, 200, 200});
    assert_int_equal(d.n, 1);
    assert_int_equal(d.r[0].x, -5);
    assert_int_equal(d.r[0].w, 200);
}

static void test_too_many_fold_into_the_nearest(void **state)
{
    (void)state;
    struct kb_damage d;
    kb_damage_reset(&d);
    for (int i = 0; i < KB_DAMAGE_MAX + 5; i++)
        kb_damage_add(&d, (SDL_Rect){i * 40, (i % 3) * 40, 10, 10});
    assert_true(d.n <= KB_DAMAGE_MAX);
    for (int i = 0; i < KB_DAMAGE_MAX + 5; i++)
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 10; x++)
                assert_true(covered(&d, i * 40 + x, (i % 3) * 40 + y));
}

static void test_clip_and_full(void **state)
{
    (void)state;
    struct kb_damage d;
    kb_damage_reset(&d);
    kb_damage_add(&d, (SDL_Rect){-10, 90, 50, 50});
    kb_damage_add(&d, (SDL_Rect){500, 500, 10, 10}); /* off screen */
    kb_damage_clip(&d, 320, 100);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.r[0].x, 0);
    assert_int_equal(d.r[0].y, 90);
    assert_int_equal(d.r[0].w, 40);
    assert_int_equal(d.r[0].h, 10);
    assert_false(d.full);
    /* A rectangle covering the screen is a full present. */
    kb_damage_add(&d, (SDL_Rect){-1, -1, 400, 400});
    kb_damage_clip(&d, 320, 100);
    assert_true(d.full);
    assert_int_equal(d.n, 0);
    assert_int_equal(kb_damage_pixels(&d, 320, 100), 320 * 100);
    /* Once full, added rectangles change nothing. */
    kb_damage_add(&d, (SDL_Rect){0, 0, 5, 5});
    assert_int_equal(d.n, 0);
    kb_damage_reset(&d);
    assert_int_equal(kb_damage_pixels(&d, 320, 100), 0);
}

/* Draws a white rectangle r into a black upright scene lw x lh, turns it
 * onto the black w x h screen as the render loop does, and checks that
 * every white pixel on the screen is in the turned damage, and that the
 * damage is not much more than the rectangle. */
static void check_turn(struct kb_screen *s, int rotation, int lw, int lh, SDL_Rect r)
{
    SDL_Renderer *ren = s->renderer;
    int w = s->width, h = s->height;
    SDL_Texture *scene =
        SDL_CreateTexture(ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, lw, lh);
    assert_non_null(scene);
    SDL_SetTextureBlendMode(scene, SDL_BLENDMODE_NONE);
    SDL_SetRenderTarget(ren, scene);
    SDL_SetRenderDrawColor(ren, 0, 0, 0, 255);
    SDL_RenderClear(ren);
    SDL_SetRenderDrawColor(ren, 255, 255, 255, 255);
    SDL_RenderFillRect(ren, &r);
    SDL_SetRenderTarget(ren, NULL);
    SDL_SetRenderDrawColor(ren, 0, 0, 0, 255);
    SDL_RenderClear(ren);
    SDL_Rect dst = {(w - lw) / 2, (h - lh) / 2, lw, lh};
    SDL_RenderCopyEx(ren, scene, NULL, &dst, rotation, NULL, SDL_FLIP_NONE);
    uint32_t *px = calloc((size_t)w * (size_t)h, 4);
    assert_int_equal(SDL_RenderReadPixels(ren, NULL, SDL_PIXELFORMAT_ARGB8888, px, w * 4), 0);
    SDL_DestroyTexture(scene);

    struct kb_damage d;
    kb_damage_reset(&d);
    kb_damage_add(&d, r);
    kb_damage_rotate(&d, rotation, lw, lh, w, h);
    int white = 0;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            if ((px[(size_t)y * (size_t)w + (size_t)x] & 0xffffff) == 0)
                continue;
            white++;
            if (!covered(&d, x, y))
                fail_msg("rotation %d, scene %dx%d on %dx%d, rect %d,%d %dx%d: pixel %d,%d "
                         "changed outside the damage",
                         rotation, lw, lh, w, h, r.x, r.y, r.w, r.h, x, y);
        }
    }
    free(px);
    assert_int_equal(white, r.w * r.h); /* the whole rectangle reached the screen */
    assert_false(d.full);
    assert_int_equal(d.n, 1);
    /* The margin, and a pixel of rounding, at most on each side. */
    assert_true(kb_damage_pixels(&d, w, h) <= (size_t)(r.w + 6) * (size_t)(r.h + 6));
}

static void test_rotation_covers_what_sdl_draws(void **state)
{
    (void)state;
    /* Even and odd sizes, square and not: the centre falls on half
     * pixels in some of them. */
    const int sizes[][2] = {{320, 180}, {321, 181}, {180, 320}, {200, 200}, {301, 160}};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        struct kb_screen s;
        struct kb_error err;
        struct kb_screen_opts so = {
            .mode = KB_SCREEN_HEADLESS, .width = sizes[k][0], .height = sizes[k][1]};
        assert_true(kb_screen_open(&s, &so, &err));
        const int rots[] = {90, 180, 270};
        for (size_t i = 0; i < 3; i++) {
            bool quarter = rots[i] != 180;
            int lw = quarter ? s.height : s.width, lh = quarter ? s.width : s.height;
            /* A bar along the scene's bottom, and a box off its centre. */
            check_turn(&s, rots[i], lw, lh, (SDL_Rect){0, lh - lh / 10, lw, lh / 10});
            check_turn(&s, rots[i], lw, lh, (SDL_Rect){lw / 3, 7, lw / 5 + 1, lh / 4});
        }
        kb_screen_close(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_merges_only_without_waste),
        cmocka_unit_test(test_too_many_fold_into_the_nearest),
        cmocka_unit_test(test_clip_and_full),
        cmocka_unit_test(test_rotation_covers_what_sdl_draws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
