/* The glyph atlas on its own: page sizes and the cap, the byte budget, the
 * choice of the least recently used page when it is full, and the flush
 * before a page drawn from this frame is emptied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/atlas.h"
#include "render_test.h"

#define PX 24

static int setup(void **state)
{
    return render_fixture_open(state, 320, 120);
}

static int teardown(void **state)
{
    return render_fixture_close(state);
}

static struct kb_atlas *atlas(struct render_fixture *f, int page, int max_texture, size_t budget)
{
    struct kb_atlas_opts ao = {
        .page_size = page, .max_texture = max_texture, .budget_bytes = budget};
    return kb_atlas_new(f->screen.renderer, f->render_faces, &ao);
}

/* The font of Latin text. */
static int latin(struct render_fixture *f)
{
    int font = kb_faces_first_font(f->render_faces, "Latn", "en");
    assert_true(font >= 0);
    return font;
}

/* The next glyph of font with pixels, from *gid on, put in the atlas;
 * *gid moves past it. */
static const struct kb_atlas_glyph *next_glyph(struct kb_atlas *a, int font, uint32_t *gid)
{
    for (; *gid < 2000; (*gid)++) {
        const struct kb_atlas_glyph *g = kb_atlas_get(a, font, *gid, PX);
        if (g != NULL && g->page >= 0) {
            (*gid)++;
            return g;
        }
    }
    fail_msg("the Latin font ran out of glyphs");
    return NULL;
}

/* Pages are a power of two, never over 2048 (a Pi 3's VideoCore IV) nor
 * the renderer's own limit, never under 64. */
static void test_page_cap(void **state)
{
    struct render_fixture *f = *state;
    const struct {
        int want, max_texture, got;
    } cases[] = {
        {8192, 0, 2048}, {0, 0, 2048}, {8192, 1000, 512},
        {1500, 0, 1024}, {10, 0, 64},  {2048, 4096, 2048},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct kb_atlas *a = atlas(f, cases[i].want, cases[i].max_texture, 64 << 20);
        assert_int_equal(kb_atlas_page_size(a), cases[i].got);
        assert_int_equal(kb_atlas_pages(a), 0);
        kb_atlas_free(a);
    }
}

/* The budget caps the pages; past it pages are emptied and reused. A
 * budget smaller than one page still gives one. */
static void test_budget_caps_pages(void **state)
{
    struct render_fixture *f = *state;
    int font = latin(f);
    size_t page_bytes = 64 * 64 * 4;
    struct kb_atlas *a = atlas(f, 64, 0, 3 * page_bytes + page_bytes / 2);
    uint32_t gid = 1;
    kb_atlas_begin_frame(a);
    while (kb_atlas_evictions(a) == 0)
        next_glyph(a, font, &gid);
    assert_int_equal(kb_atlas_pages(a), 3);
    assert_int_equal(kb_atlas_bytes(a), 3 * page_bytes);
    for (int i = 0; i < 40; i++)
        next_glyph(a, font, &gid);
    assert_int_equal(kb_atlas_pages(a), 3);
    assert_true(kb_atlas_evictions(a) > 1);
    kb_atlas_free(a);

    a = atlas(f, 64, 0, 1);
    gid = 1;
    kb_atlas_begin_frame(a);
    for (int i = 0; i < 20; i++)
        next_glyph(a, font, &gid);
    assert_int_equal(kb_atlas_pages(a), 1);
    assert_true(kb_atlas_evictions(a) > 0);
    kb_atlas_free(a);
}

/* When the budget is full, the page emptied is the one drawn from least
 * recently, and only its glyphs are forgotten. Two pages: each new glyph
 * goes to the second page in one frame, then a glyph of the first page is
 * drawn in the next, so when both are full the second is the older. */
static void test_evicts_least_recently_used_page(void **state)
{
    struct render_fixture *f = *state;
    int font = latin(f);
    struct kb_atlas *a = atlas(f, 64, 0, 2 * 64 * 64 * 4);
    uint32_t gid = 1;
    kb_atlas_begin_frame(a);
    const struct kb_atlas_glyph *g = next_glyph(a, font, &gid);
    uint32_t first = gid - 1; /* on page 0 */
    assert_int_equal(g->page, 0);
    while (kb_atlas_pages(a) < 2)
        g = next_glyph(a, font, &gid);
    uint32_t on_second = gid - 1;
    assert_int_equal(g->page, 1);
    int page = 1;
    while (kb_atlas_evictions(a) == 0) {
        kb_atlas_begin_frame(a);
        page = next_glyph(a, font, &gid)->page;
        kb_atlas_begin_frame(a);
        assert_int_equal(kb_atlas_get(a, font, first, PX)->page, 0);
    }
    assert_int_equal(page, 1);
    assert_true(kb_atlas_has(a, font, first, PX));
    assert_false(kb_atlas_has(a, font, on_second, PX));
    assert_int_equal(kb_atlas_evictions(a), 1);
    kb_atlas_free(a);
}

static void count_flush(void *user)
{
    (*(int *)user)++;
}

/* Quads batched this frame may point into the page about to be emptied:
 * the flush runs then, and only then. */
static void test_flush_only_for_a_page_used_this_frame(void **state)
{
    struct render_fixture *f = *state;
    int font = latin(f);
    struct kb_atlas *a = atlas(f, 64, 0, 64 * 64 * 4);
    int flushes = 0;
    kb_atlas_set_flush(a, count_flush, &flushes);
    uint32_t gid = 1;
    /* A new frame before each glyph: the page was last used a frame ago. */
    while (kb_atlas_evictions(a) == 0) {
        kb_atlas_begin_frame(a);
        next_glyph(a, font, &gid);
    }
    assert_int_equal(flushes, 0);
    /* All in one frame: the page is in use when it is emptied. */
    kb_atlas_begin_frame(a);
    while (kb_atlas_evictions(a) == 1)
        next_glyph(a, font, &gid);
    assert_int_equal(flushes, 1);
    kb_atlas_free(a);
}

/* A glyph larger than a page cannot be drawn, and says so with NULL. */
static void test_glyph_too_big_for_a_page(void **state)
{
    struct render_fixture *f = *state;
    int font = latin(f);
    struct kb_atlas *a = atlas(f, 64, 0, 64 << 20);
    FT_Face face = kb_faces_get(f->render_faces, font, 200);
    assert_non_null(face);
    FT_UInt w = FT_Get_Char_Index(face, 'W');
    assert_true(w != 0);
    kb_atlas_begin_frame(a);
    assert_null(kb_atlas_get(a, font, w, 200));
    assert_non_null(kb_atlas_get(a, font, w, 20));
    kb_atlas_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_cap),
        cmocka_unit_test(test_budget_caps_pages),
        cmocka_unit_test(test_evicts_least_recently_used_page),
        cmocka_unit_test(test_flush_only_for_a_page_used_this_frame),
        cmocka_unit_test(test_glyph_too_big_for_a_page),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
