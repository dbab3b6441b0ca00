/* The screen's picture for the newsroom's page: where it is written, how it
 * is scaled, and a real one read back from a headless screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <png.h>

#include "app/thumb.h"
#include "render/screen.h"

static void test_path_is_beside_the_stats(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"/run/kabar/stats.json", "/run/kabar/stats.thumb.png"},
        {"stats", "stats.thumb.png"},
        {"/tmp/s.json.old", "/tmp/s.json.old.thumb.png"},
        {".json", ".json.thumb.png"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *p = kb_thumb_path(cases[i][0]);
        assert_string_equal(p, cases[i][1]);
        free(p);
    }
}

static void test_scale_averages_what_each_pixel_covers(void **state)
{
    (void)state;
    /* 4x2, a pitch wider than the row: left half black and white, right
     * half all red. */
    unsigned char rgb[2][16] = {
        {0, 0, 0, 255, 255, 255, 200, 0, 0, 200, 0, 0, 9, 9, 9, 9},
        {255, 255, 255, 0, 0, 0, 200, 0, 0, 200, 0, 0, 9, 9, 9, 9},
    };
    unsigned char out[2 * 3];
    kb_thumb_scale(&rgb[0][0], 4, 2, 16, out, 2, 1);
    assert_int_equal(out[0], 128);
    assert_int_equal(out[1], 128);
    assert_int_equal(out[3], 200);
    assert_int_equal(out[4], 0);
    /* Same size: a copy. */
    unsigned char same[2][4 * 3];
    kb_thumb_scale(&rgb[0][0], 4, 2, 16, &same[0][0], 4, 2);
    assert_memory_equal(same[1], rgb[1], 12);
}

/* Reads a PNG's size, its tIME year and the colour of one pixel. */
static void read_png(const char *path, int *w, int *h, int *year, unsigned char px[3], int x, int y)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    assert_int_equal(setjmp(png_jmpbuf(png)), 0);
    png_init_io(png, f);
    png_read_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
    *w = (int)png_get_image_width(png, info);
    *h = (int)png_get_image_height(png, info);
    assert_int_equal(png_get_color_type(png, info), PNG_COLOR_TYPE_RGB);
    png_timep t = NULL;
    *year = png_get_tIME(png, info, &t) ? t->year : 0;
    png_bytepp rows = png_get_rows(png, info);
    memcpy(px, rows[y] + x * 3, 3);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
}

static void test_a_headless_frame_becomes_a_480_px_picture(void **state)
{
    (void)state;
    struct kb_screen screen;
    struct kb_error err;
    struct kb_screen_opts o = {.mode = KB_SCREEN_HEADLESS, .width = 960, .height = 540};
    if (!kb_screen_open(&screen, &o, &err))
        fail_msg("%s", err.msg);
    SDL_SetRenderDrawColor(screen.renderer, 0, 0, 0, 255);
    SDL_RenderClear(screen.renderer);
    SDL_SetRenderDrawColor(screen.renderer, 220, 30, 40, 255);
    SDL_Rect bar = {0, 432, 960, 108};
    SDL_RenderFillRect(screen.renderer, &bar);

    char stats[] = KB_TEST_BUILD_DIR "/thumb-test-stats.json";
    char *path = kb_thumb_path(stats);
    unlink(path);
    /* Off, or without a stats file: nothing. */
    kb_thumb_tick(&screen, 0, stats, 100);
    kb_thumb_tick(&screen, 60, NULL, 100);
    assert_int_not_equal(access(path, F_OK), 0);
    /* The first picture one interval after the start, then every interval. */
    kb_thumb_tick(&screen, 60, stats, 42);
    kb_thumb_tick(&screen, 60, stats, 101.9);
    assert_int_not_equal(access(path, F_OK), 0);
    kb_thumb_tick(&screen, 60, stats, 102);
    assert_int_equal(access(path, F_OK), 0);

    int w, h, year;
    unsigned char top[3], low[3];
    read_png(path, &w, &h, &year, top, 240, 10);
    assert_int_equal(w, KB_THUMB_WIDTH);
    assert_int_equal(h, 270);
    assert_true(year >= 2024);
    assert_int_equal(top[0], 0);
    read_png(path, &w, &h, &year, low, 240, 260);
    assert_int_equal(low[0], 220);
    assert_int_equal(low[1], 30);
    assert_int_equal(low[2], 40);
    /* Not again before the interval. */
    unlink(path);
    kb_thumb_tick(&screen, 60, stats, 150);
    assert_int_not_equal(access(path, F_OK), 0);
    kb_thumb_tick(&screen, 60, stats, 162);
    assert_int_equal(access(path, F_OK), 0);
    unlink(path);
    free(path);
    kb_screen_close(&screen);
    SDL_Quit();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_is_beside_the_stats),
        cmocka_unit_test(test_scale_averages_what_each_pixel_covers),
        cmocka_unit_test(test_a_headless_frame_becomes_a_480_px_picture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
