/* The chrome: the label box at the start of the bar, the clock at its end,
 * the crawl between them, everything mirrored on a right-to-left screen;
 * the breaking label's colours; the stale marker above the bar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/atlas.h"
#include "render/batch.h"
#include "render/chrome.h"
#include "render_test.h"

#define W 800
#define H 200
#define PX 30

static const SDL_Rect BAR = {0, 140, W, 60};

static int setup(void **state)
{
    return render_fixture_open(state, W, H);
}

static int teardown(void **state)
{
    return render_fixture_close(state);
}

static const struct kb_chrome_style STYLE = {
    .label_bg = {200, 0, 0, 255},
    .label_fg = {255, 255, 255, 255},
    .breaking_label_bg = {255, 200, 0, 255},
    .breaking_label_fg = {0, 0, 0, 255},
    .clock_fg = {255, 255, 255, 255},
    .stale_fg = {255, 255, 255, 255},
    .stale_bg = {0, 0, 200, 255},
};

static struct kb_chrome *chrome(struct render_fixture *f)
{
    struct kb_chrome *ch = kb_chrome_new();
    kb_chrome_set_style(ch, &STYLE);
    struct kb_line *label = render_layout(f, "NEWS", "en", PX);
    struct kb_line *brk = render_layout(f, "BREAKING NEWS", "en", PX);
    struct kb_line *clock = render_layout(f, "12:34", "en", PX);
    assert_true(kb_chrome_set(ch, KB_CHROME_LABEL, label));
    kb_chrome_set(ch, KB_CHROME_BREAKING_LABEL, brk);
    kb_chrome_set(ch, KB_CHROME_CLOCK, clock);
    kb_line_unref(label);
    kb_line_unref(brk);
    kb_line_unref(clock);
    return ch;
}

/* The label box is as wide as the wider label (so breaking news does not
 * move the crawl), the clock box sits at the other end, the crawl gets the
 * rest; a right-to-left screen mirrors it. */
static void test_place_and_mirror(void **state)
{
    struct render_fixture *f = *state;
    struct kb_chrome *ch = chrome(f);
    SDL_Rect crawl;
    kb_chrome_place(ch, BAR, false, &crawl);
    assert_true(crawl.x > 0);
    assert_true(crawl.x + crawl.w < W);
    assert_int_equal(crawl.y, BAR.y);
    assert_int_equal(crawl.h, BAR.h);
    int label_w = crawl.x, clock_w = W - crawl.x - crawl.w;
    assert_true(label_w > clock_w); /* "BREAKING NEWS" is wider than "12:34" */

    SDL_Rect rtl;
    kb_chrome_place(ch, BAR, true, &rtl);
    assert_int_equal(rtl.x, clock_w);
    assert_int_equal(rtl.w, crawl.w);

    /* A wider clock widens its box; a narrower one later does not shrink it. */
    struct kb_line *wide = render_layout(f, "12:34:56", "en", PX);
    assert_true(kb_chrome_set(ch, KB_CHROME_CLOCK, wide));
    kb_line_unref(wide);
    SDL_Rect c2;
    kb_chrome_place(ch, BAR, false, &c2);
    assert_true(c2.w < crawl.w);
    struct kb_line *narrow = render_layout(f, "1:00", "en", PX);
    assert_false(kb_chrome_set(ch, KB_CHROME_CLOCK, narrow));
    kb_line_unref(narrow);
    SDL_Rect c3;
    kb_chrome_place(ch, BAR, false, &c3);
    assert_int_equal(c3.w, c2.w);
    kb_chrome_free(ch);
}

/* The label draws in its box, in the breaking colours while breaking news
 * shows; the text is drawn over the box. */
static void test_draw_label_and_breaking(void **state)
{
    struct render_fixture *f = *state;
    struct kb_chrome *ch = chrome(f);
    struct kb_atlas_opts ao = {.page_size = 1024, .budget_bytes = 64 << 20};
    struct kb_atlas *a = kb_atlas_new(f->screen.renderer, f->render_faces, &ao);
    struct kb_batch *b = kb_batch_new();
    SDL_Rect crawl;
    kb_chrome_place(ch, BAR, false, &crawl);

    kb_atlas_begin_frame(a);
    render_clear(f);
    assert_true(kb_chrome_draw(ch, f->screen.renderer, a, b, false) >= 2);
    assert_int_equal(render_pixel(f, 1, BAR.y + 1), 0xc80000);
    /* Nothing in the crawl's part of the bar but the clock's text at its end. */
    assert_int_equal(render_lit(f, (SDL_Rect){crawl.x, BAR.y, crawl.w, BAR.h}), 0);
    long clock_lit =
        render_lit(f, (SDL_Rect){crawl.x + crawl.w, BAR.y, W - crawl.x - crawl.w, BAR.h});
    assert_true(clock_lit > 50);
    /* The label's white text is on its red box. */
    uint32_t px = 0;
    long white = 0;
    for (int x = 0; x < crawl.x; x++) {
        for (int y = BAR.y; y < BAR.y + BAR.h; y++) {
            px = render_pixel(f, x, y);
            white += px == 0xffffff;
        }
    }
    assert_true(white > 30);

    kb_atlas_begin_frame(a);
    render_clear(f);
    kb_chrome_draw(ch, f->screen.renderer, a, b, true);
    assert_int_equal(render_pixel(f, 1, BAR.y + 1), 0xffc800);

    kb_batch_free(b);
    kb_atlas_free(a);
    kb_chrome_free(ch);
}

/* The stale marker sits above the bar at its end, or below the bar when
 * there is no room above; no marker, no rectangle. */
static void test_stale_marker(void **state)
{
    struct render_fixture *f = *state;
    struct kb_chrome *ch = chrome(f);
    SDL_Rect crawl;
    kb_chrome_place(ch, BAR, false, &crawl);
    SDL_Rect r = kb_chrome_stale_rect(ch);
    assert_int_equal(r.w, 0);
    assert_false(kb_chrome_has(ch, KB_CHROME_STALE));

    struct kb_line *stale = render_layout(f, "feed stale since 09:00", "en", PX / 2);
    kb_chrome_set(ch, KB_CHROME_STALE, stale);
    kb_line_unref(stale);
    kb_chrome_place(ch, BAR, false, &crawl);
    r = kb_chrome_stale_rect(ch);
    assert_true(r.w > 0 && r.h > 0);
    assert_int_equal(r.x + r.w, W);
    assert_int_equal(r.y + r.h, BAR.y);
    kb_chrome_place(ch, BAR, true, &crawl);
    assert_int_equal(kb_chrome_stale_rect(ch).x, 0);

    /* A bar at the top of the screen: the marker goes below it. */
    SDL_Rect top = {0, 0, W, 60};
    kb_chrome_place(ch, top, false, &crawl);
    assert_int_equal(kb_chrome_stale_rect(ch).y, 60);

    assert_true(kb_chrome_set(ch, KB_CHROME_STALE, NULL));
    kb_chrome_place(ch, BAR, false, &crawl);
    assert_int_equal(kb_chrome_stale_rect(ch).w, 0);
    kb_chrome_free(ch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_place_and_mirror),
        cmocka_unit_test(test_draw_label_and_breaking),
        cmocka_unit_test(test_stale_marker),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
