/* Helpers shared by the render tests: a headless screen (SDL's dummy
 * driver and software renderer, so pixels are the same on every machine),
 * the font table with one set of faces for layout and one for the atlas,
 * and reading pixels back. Header-only so each test_*.c stays one program
 * (tests/CMakeLists.txt builds one per file). Include after <cmocka.h>. */
#ifndef KB_TESTS_RENDER_TEST_H
#define KB_TESTS_RENDER_TEST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/screen.h"
#include "text/fonts.h"
#include "text/line.h"

struct render_fixture {
    struct kb_screen screen;
    struct kb_fonts *fonts;
    struct kb_faces *shape_faces, *render_faces;
};

/* A cmocka group setup: a headless screen of w x h and the default chain. */
static inline int render_fixture_open(void **state, int w, int h)
{
    struct render_fixture *f = calloc(1, sizeof(*f));
    struct kb_error err;
    struct kb_screen_opts so = {.mode = KB_SCREEN_HEADLESS, .width = w, .height = h};
    if (!kb_screen_open(&f->screen, &so, &err)) {
        print_error("%s\n", err.msg);
        return -1;
    }
    f->fonts = kb_fonts_new(kb_fonts_default_chain(), &err);
    if (f->fonts == NULL) {
        print_error("%s\n", err.msg);
        return -1;
    }
    f->shape_faces = kb_faces_new(f->fonts);
    f->render_faces = kb_faces_new(f->fonts);
    *state = f;
    return 0;
}

static inline int render_fixture_close(void **state)
{
    struct render_fixture *f = *state;
    kb_faces_free(f->shape_faces);
    kb_faces_free(f->render_faces);
    kb_fonts_free(f->fonts);
    kb_screen_close(&f->screen);
    SDL_Quit();
    free(f);
    return 0;
}

static inline struct kb_line *render_layout(struct render_fixture *f, const char *text,
                                            const char *lang, int px)
{
    struct kb_error err;
    struct kb_line *l =
        kb_line_layout(f->shape_faces, text, strlen(text), lang, KB_DIR_AUTO, px, &err);
    assert_non_null(l);
    return l;
}

/* Clears the screen to black. */
static inline void render_clear(struct render_fixture *f)
{
    SDL_SetRenderDrawColor(f->screen.renderer, 0, 0, 0, 255);
    SDL_RenderClear(f->screen.renderer);
}

/* Pixels in r that are not black. */
static inline long render_lit(struct render_fixture *f, SDL_Rect r)
{
    if (r.w <= 0 || r.h <= 0)
        return 0;
    uint32_t *px = malloc((size_t)r.w * (size_t)r.h * 4);
    assert_int_equal(
        SDL_RenderReadPixels(f->screen.renderer, &r, SDL_PIXELFORMAT_ARGB8888, px, r.w * 4), 0);
    long n = 0;
    for (int i = 0; i < r.w * r.h; i++)
        n += (px[i] & 0xffffff) != 0;
    free(px);
    return n;
}

/* The colour of one pixel, as 0xRRGGBB. */
static inline uint32_t render_pixel(struct render_fixture *f, int x, int y)
{
    uint32_t px = 0;
    SDL_Rect r = {x, y, 1, 1};
    assert_int_equal(SDL_RenderReadPixels(f->screen.renderer, &r, SDL_PIXELFORMAT_ARGB8888, &px, 4),
                     0);
    return px & 0xffffff;
}

#endif
