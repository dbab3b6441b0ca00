/* The crawl, read back pixel by pixel on SDL's software renderer (dummy
 * video driver, virtual frames). The atlas on its own: test_atlas.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/atlas.h"
#include "render/crawl.h"
#include "render/screen.h"
#include "text/fonts.h"
#include "text/line.h"

#define W 640
#define H 120
#define PX 40

struct fixture {
    struct kb_screen screen;
    struct kb_fonts *fonts;
    struct kb_faces *shape_faces, *render_faces;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct kb_error err;
    struct kb_screen_opts so = {.mode = KB_SCREEN_HEADLESS, .width = W, .height = H};
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

static int teardown(void **state)
{
    struct fixture *f = *state;
    kb_faces_free(f->shape_faces);
    kb_faces_free(f->render_faces);
    kb_fonts_free(f->fonts);
    kb_screen_close(&f->screen);
    SDL_Quit();
    free(f);
    return 0;
}

static struct kb_line *layout(struct fixture *f, const char *text, const char *lang)
{
    struct kb_error err;
    struct kb_line *l =
        kb_line_layout(f->shape_faces, text, strlen(text), lang, KB_DIR_AUTO, PX, &err);
    assert_non_null(l);
    return l;
}

static struct kb_crawl_geometry geometry(double ppf, enum kb_crawl_dir dir)
{
    struct kb_crawl_geometry g = {
        .area = {0, 20, W, 80}, .baseline = 75, .px_per_frame = ppf, .gap = 50, .dir = dir};
    return g;
}

/* Draws frame n and reads the screen back (caller frees). */
static uint32_t *frame_pixels(struct fixture *f, struct kb_crawl *c, struct kb_atlas *a, uint64_t n,
                              int *calls)
{
    SDL_Renderer *r = f->screen.renderer;
    kb_atlas_begin_frame(a);
    kb_crawl_step(c, n, a, 10000);
    SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
    SDL_RenderClear(r);
    int k = kb_crawl_draw(c, r, a);
    if (calls != NULL)
        *calls = k;
    uint32_t *px = malloc(W * H * 4);
    assert_int_equal(SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, px, W * 4), 0);
    return px;
}

static long lit_pixels(const uint32_t *px)
{
    long n = 0;
    for (int i = 0; i < W * H; i++)
        n += (px[i] & 0xffffff) != 0;
    return n;
}

/* The crawl moves exactly px_per_frame each frame: frame n+1 is frame n
 * shifted left by 3 pixels, texel for texel. */
static void test_moves_exact_pixels(void **state)
{
    struct fixture *f = *state;
    struct kb_atlas_opts ao = {.page_size = 1024, .budget_bytes = 64 << 20};
    struct kb_atlas *a = kb_atlas_new(f->screen.renderer, f->render_faces, &ao);
    struct kb_crawl *c = kb_crawl_new();
    struct kb_crawl_geometry g = geometry(3, KB_CRAWL_AUTO);
    kb_crawl_set_geometry(c, &g);
    struct kb_line *l = layout(f, "Kabar: the crawl moves", "en");
    kb_crawl_push_line(c, l, "a", 0);
    kb_crawl_step(c, 0, a, 10000);

    uint32_t *p0 = frame_pixels(f, c, a, 100, NULL);
    uint32_t *p1 = frame_pixels(f, c, a, 101, NULL);
    double x0, x1;
    assert_true(kb_crawl_item_x(c, "a", &x1));
    assert_true(lit_pixels(p0) > 500);
    long compared = 0;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W - 3; x++) {
            assert_int_equal(p1[y * W + x], p0[y * W + x + 3]);
            compared++;
        }
    }
    assert_true(compared > 0);
    kb_crawl_step(c, 100, a, 0);
    assert_true(kb_crawl_item_x(c, "a", &x0));
    assert_true(x1 == x0 - 3);
    free(p0);
    free(p1);
    kb_line_unref(l);
    kb_crawl_free(c);
    kb_atlas_free(a);
}

/* auto: French moves leftwards, Arabic rightwards; the Arabic item waits
 * until the French one has left. */
static void test_auto_direction(void **state)
{
    struct fixture *f = *state;
    struct kb_atlas_opts ao = {.page_size = 1024, .budget_bytes = 64 << 20};
    struct kb_atlas *a = kb_atlas_new(f->screen.renderer, f->render_faces, &ao);
    struct kb_crawl *c = kb_crawl_new();
    struct kb_crawl_geometry g = geometry(4, KB_CRAWL_AUTO);
    kb_crawl_set_geometry(c, &g);
    struct kb_line *fr = layout(f, "Le tramway reprend", "fr");
    struct kb_line *ar = layout(f, "\u0645\u0631\u062d\u0628\u0627 \u0628\u0643\u0645", "ar");

    kb_crawl_push_line(c, fr, "fr", 0);
    kb_crawl_step(c, 0, a, 10000);
    double x_a, x_b;
    kb_crawl_step(c, 10, a, 10000);
    assert_true(kb_crawl_item_x(c, "fr", &x_a));
    kb_crawl_step(c, 20, a, 10000);
    assert_true(kb_crawl_item_x(c, "fr", &x_b));
    assert_true(x_b == x_a - 40);

    kb_crawl_push_line(c, ar, "ar", 0);
    /* The French line needs (W + width) / 4 frames to leave. */
    uint64_t leave = (uint64_t)((W + fr->width) / 4) + 2;
    kb_crawl_step(c, leave / 2, a, 10000);
    assert_false(kb_crawl_item_x(c, "ar", &x_a));
    for (uint64_t n = leave / 2; n < leave + 3; n++)
        kb_crawl_step(c, n, a, 10000);
    assert_false(kb_crawl_item_x(c, "fr", &x_a));
    assert_true(kb_crawl_item_x(c, "ar", &x_a));
    kb_crawl_step(c, leave + 12, a, 10000);
    assert_true(kb_crawl_item_x(c, "ar", &x_b));
    assert_true(x_b == x_a + 40);
    /* It entered from the left edge. */
    assert_true(x_a + ar->width <= 4 * 5 + 1);

    kb_line_unref(fr);
    kb_line_unref(ar);
    kb_crawl_free(c);
    kb_atlas_free(a);
}

/* Steady state: the pending item's glyphs are rasterised before it
 * enters, into one page; after that no frame uploads a texel, and each
 * draws with one call. */
static void test_steady_state(void **state)
{
    struct fixture *f = *state;
    struct kb_atlas_opts ao = {.page_size = 1024, .budget_bytes = 64 << 20};
    struct kb_atlas *a = kb_atlas_new(f->screen.renderer, f->render_faces, &ao);
    struct kb_crawl *c = kb_crawl_new();
    struct kb_crawl_geometry g = geometry(2, KB_CRAWL_AUTO);
    kb_crawl_set_geometry(c, &g);
    struct kb_line *l = layout(f, "Steady as she goes, steady", "en");
    kb_crawl_push_line(c, l, "s", 0);
    kb_crawl_step(c, 0, a, 10000);
    assert_int_equal(kb_atlas_warm(a, l, 0), 0);
    assert_int_equal(kb_atlas_pages(a), 1);
    int calls;
    uint32_t *px = frame_pixels(f, c, a, 150, &calls);
    assert_true(lit_pixels(px) > 500);
    free(px);
    assert_int_equal(kb_atlas_frame_upload_bytes(a), 0);
    assert_int_equal(calls, 1);
    for (uint64_t n = 151; n < 160; n++) {
        free(frame_pixels(f, c, a, n, &calls));
        assert_int_equal(kb_atlas_frame_upload_bytes(a), 0);
        assert_int_equal(calls, kb_atlas_pages(a));
    }
    kb_line_unref(l);
    kb_crawl_free(c);
    kb_atlas_free(a);
}

/* A budget of one tiny page forces eviction while drawing; the frame still
 * matches one drawn from a roomy atlas. */
static void test_tiny_atlas_evicts_and_draws_right(void **state)
{
    struct fixture *f = *state;
    const char *text = "Eviction: abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    struct kb_line *l = layout(f, text, "en");
    struct kb_crawl_geometry g = geometry(2, KB_CRAWL_RIGHT_TO_LEFT);

    struct kb_atlas_opts big = {.page_size = 1024, .budget_bytes = 64 << 20};
    struct kb_atlas *a = kb_atlas_new(f->screen.renderer, f->render_faces, &big);
    struct kb_crawl *c = kb_crawl_new();
    kb_crawl_set_geometry(c, &g);
    kb_crawl_push_line(c, l, "t", 0);
    free(frame_pixels(f, c, a, 0, NULL));
    uint32_t *want = frame_pixels(f, c, a, 200, NULL);
    kb_crawl_free(c);
    kb_atlas_free(a);

    struct kb_atlas_opts tiny = {.page_size = 64, .budget_bytes = 64 * 64 * 4};
    a = kb_atlas_new(f->screen.renderer, f->render_faces, &tiny);
    assert_int_equal(kb_atlas_page_size(a), 64);
    c = kb_crawl_new();
    kb_crawl_set_geometry(c, &g);
    kb_crawl_push_line(c, l, "t", 0);
    kb_crawl_step(c, 0, a, 10000);
    uint32_t *got = frame_pixels(f, c, a, 200, NULL);
    assert_true(kb_atlas_evictions(a) > 0);
    assert_int_equal(kb_atlas_pages(a), 1);
    assert_true(lit_pixels(want) > 1000);
    assert_memory_equal(got, want, W * H * 4);
    free(want);
    free(got);
    kb_line_unref(l);
    kb_crawl_free(c);
    kb_atlas_free(a);
}

/* A device reset drops every texture; the next frame draws the same pixels. */
static void test_device_reset(void **state)
{
    struct fixture *f = *state;
    struct kb_atlas_opts ao = {.page_size = 1024, .budget_bytes = 64 << 20};
    struct kb_atlas *a = kb_atlas_new(f->screen.renderer, f->render_faces, &ao);
    struct kb_crawl *c = kb_crawl_new();
    struct kb_crawl_geometry g = geometry(2, KB_CRAWL_AUTO);
    kb_crawl_set_geometry(c, &g);
    struct kb_line *l = layout(f, "Reset \u2014 \u65b0\u95fb \U0001F30D", "en");
    kb_crawl_push_line(c, l, "r", 0);
    kb_crawl_step(c, 0, a, 10000);
    uint32_t *before = frame_pixels(f, c, a, 120, NULL);
    kb_atlas_reset(a, f->screen.renderer);
    assert_int_equal(kb_atlas_pages(a), 0);
    uint32_t *after = frame_pixels(f, c, a, 120, NULL);
    assert_true(lit_pixels(before) > 500);
    assert_memory_equal(before, after, W * H * 4);
    free(before);
    free(after);
    kb_line_unref(l);
    kb_crawl_free(c);
    kb_atlas_free(a);
}

/* A retraction takes the item off at once, mid-crawl. */
static void test_remove_mid_crawl(void **state)
{
    struct fixture *f = *state;
    struct kb_atlas_opts ao = {.page_size = 1024, .budget_bytes = 64 << 20};
    struct kb_atlas *a = kb_atlas_new(f->screen.renderer, f->render_faces, &ao);
    struct kb_crawl *c = kb_crawl_new();
    struct kb_crawl_geometry g = geometry(2, KB_CRAWL_AUTO);
    kb_crawl_set_geometry(c, &g);
    struct kb_line *l = layout(f, "Retracted headline", "en");
    kb_crawl_push_line(c, l, "x", 0);
    kb_crawl_step(c, 0, a, 10000);
    uint32_t *on = frame_pixels(f, c, a, 100, NULL);
    assert_true(lit_pixels(on) > 300);
    assert_int_equal(kb_crawl_remove(c, "x"), 1);
    uint32_t *off = frame_pixels(f, c, a, 101, NULL);
    assert_int_equal(lit_pixels(off), 0);
    free(on);
    free(off);
    kb_line_unref(l);
    kb_crawl_free(c);
    kb_atlas_free(a);
}

/* Breaking news sets the crawl aside; when it goes, the crawl comes back
 * exactly where it was, and a retraction meanwhile keeps its item away. */
static void test_suspend_resume_same_place(void **state)
{
    struct fixture *f = *state;
    struct kb_atlas_opts ao = {.page_size = 1024, .budget_bytes = 64 << 20};
    struct kb_atlas *a = kb_atlas_new(f->screen.renderer, f->render_faces, &ao);
    struct kb_crawl *c = kb_crawl_new();
    struct kb_crawl_geometry g = geometry(3, KB_CRAWL_AUTO);
    kb_crawl_set_geometry(c, &g);
    struct kb_line *l1 = layout(f, "First headline", "en");
    struct kb_line *l2 = layout(f, "Second", "en");
    struct kb_line *b = layout(f, "BREAKING", "en");
    kb_crawl_push_line(c, l1, "one", 0);
    kb_crawl_step(c, 0, a, 10000);
    kb_crawl_push_line(c, l2, "two", 0);
    kb_crawl_step(c, 100, a, 10000);
    double x_before;
    assert_true(kb_crawl_item_x(c, "one", &x_before));
    uint32_t *before = frame_pixels(f, c, a, 100, NULL);

    kb_crawl_suspend(c);
    assert_true(kb_crawl_suspended(c));
    kb_crawl_push_line(c, b, "brk", KB_CRAWL_BREAKING);
    for (uint64_t n = 100; n < 250; n++)
        kb_crawl_step(c, n, a, 10000);
    double x;
    assert_false(kb_crawl_item_x(c, "one", &x));
    assert_true(kb_crawl_item_x(c, "brk", &x));
    assert_true(kb_crawl_any(c, KB_CRAWL_BREAKING));

    kb_crawl_resume(c);
    assert_false(kb_crawl_suspended(c));
    assert_false(kb_crawl_any(c, KB_CRAWL_BREAKING));
    uint32_t *after = frame_pixels(f, c, a, 250, NULL);
    assert_true(kb_crawl_item_x(c, "one", &x));
    assert_true(x == x_before);
    assert_memory_equal(before, after, W * H * 4);

    /* Retracted while set aside: it does not come back. */
    kb_crawl_suspend(c);
    assert_true(kb_crawl_remove(c, "one") == 1);
    kb_crawl_resume(c);
    assert_false(kb_crawl_item_x(c, "one", &x));
    free(before);
    free(after);
    kb_line_unref(l1);
    kb_line_unref(l2);
    kb_line_unref(b);
    kb_crawl_free(c);
    kb_atlas_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moves_exact_pixels),
        cmocka_unit_test(test_auto_direction),
        cmocka_unit_test(test_steady_state),
        cmocka_unit_test(test_tiny_atlas_evicts_and_draws_right),
        cmocka_unit_test(test_device_reset),
        cmocka_unit_test(test_remove_mid_crawl),
        cmocka_unit_test(test_suspend_resume_same_place),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
