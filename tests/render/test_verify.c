/* render/verify: the probe passes on a renderer that draws (SDL's software
 * renderer on the dummy driver), and a row read back tells a drawn bar from
 * one left in the background colour, the blank screen kabar must catch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "render/verify.h"

static SDL_Window *win;
static SDL_Renderer *ren;

static int setup(void **state)
{
    (void)state;
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
        return -1;
    win = SDL_CreateWindow("t", 0, 0, 320, 180, 0);
    ren = win ? SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE) : NULL;
    return ren ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    return 0;
}

static void test_probe_passes_where_drawing_works(void **state)
{
    (void)state;
    char why[160] = "";
    assert_true(kb_verify_probe(ren, why, sizeof(why)));
    /* It leaves the target black for the first frame. */
    assert_int_equal(kb_verify_row(ren, 4, 0, 16, (SDL_Color){0, 0, 0, 255}), KB_ROW_BACKGROUND);
}

static void test_row_tells_a_bar_from_the_background(void **state)
{
    (void)state;
    SDL_Color bg = {16, 20, 24, 255};
    SDL_SetRenderDrawColor(ren, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(ren);
    /* Nothing but the clear: what a renderer that draws nothing leaves. */
    assert_int_equal(kb_verify_row(ren, 170, 0, 320, bg), KB_ROW_BACKGROUND);
    /* The bar, one pixel of text on it: drawn. */
    SDL_SetRenderDrawColor(ren, 27, 42, 58, 255);
    SDL_RenderFillRect(ren, &(SDL_Rect){0, 162, 320, 18});
    assert_int_equal(kb_verify_row(ren, 170, 0, 320, bg), KB_ROW_DRAWN);
    /* A bar the colour of the background, with one white pixel of ink. */
    SDL_SetRenderDrawColor(ren, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(ren);
    SDL_SetRenderDrawColor(ren, 255, 255, 255, 255);
    SDL_RenderDrawPoint(ren, 300, 170);
    assert_int_equal(kb_verify_row(ren, 170, 0, 320, bg), KB_ROW_DRAWN);
    /* Outside the screen: cannot be read. */
    assert_int_equal(kb_verify_row(ren, 170, 0, 0, bg), KB_ROW_UNREADABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_passes_where_drawing_works),
        cmocka_unit_test(test_row_tells_a_bar_from_the_background),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
