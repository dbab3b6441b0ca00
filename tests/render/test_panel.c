/* The quote panel: a quote comes in once its glyphs are ready, stays its
 * hold time, fades to the next, is taken off at once when retracted, and
 * draws only inside its rectangle. Read back on the software renderer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/atlas.h"
#include "render/batch.h"
#include "render/panel.h"
#include "render_test.h"

#define W 640
#define H 240
#define PX 32

static const SDL_Rect PANEL = {40, 20, 560, 100};

struct env {
    struct kb_atlas *atlas;
    struct kb_batch *batch;
    struct kb_panel *panel;
};

static int setup(void **state)
{
    return render_fixture_open(state, W, H);
}

static int teardown(void **state)
{
    return render_fixture_close(state);
}

static struct env env_new(struct render_fixture *f)
{
    struct kb_atlas_opts ao = {.page_size = 1024, .budget_bytes = 64 << 20};
    struct env e = {kb_atlas_new(f->screen.renderer, f->render_faces, &ao), kb_batch_new(),
                    kb_panel_new()};
    struct kb_panel_style st = {.text = {255, 255, 255, 255},
                                .attribution = {200, 200, 200, 255},
                                .background = {0, 0, 80, 255},
                                .hold_s = 10,
                                .fade_s = 1};
    kb_panel_set_style(e.panel, &st);
    kb_panel_place(e.panel, PANEL, PX);
    return e;
}

static void env_free(struct env *e)
{
    kb_panel_free(e->panel);
    kb_batch_free(e->batch);
    kb_atlas_free(e->atlas);
}

static void push(struct render_fixture *f, struct env *e, const char *text, const char *id)
{
    struct kb_line *line = render_layout(f, text, "en", PX);
    struct kb_line *by = render_layout(f, "A. Writer", "en", PX * 6 / 10);
    struct kb_quote_pages q = {.lines = {line}, .n = 1, .attribution = by, .pitch = PX * 4 / 3};
    q.first[1] = 1;
    q.n_pages = 1;
    kb_panel_push(e->panel, &q, id);
    kb_line_unref(line);
    kb_line_unref(by);
}

static const char *current(struct env *e)
{
    uint64_t serial;
    return kb_panel_current(e->panel, &serial);
}

/* Draws at time t over a black screen; returns the lit pixels inside the
 * panel, and outside it in *outside. */
static long draw_at(struct render_fixture *f, struct env *e, double t, long *outside)
{
    kb_atlas_begin_frame(e->atlas);
    kb_panel_step(e->panel, t, e->atlas, 10000);
    render_clear(f);
    kb_panel_draw(e->panel, f->screen.renderer, e->atlas, e->batch, false);
    long in = render_lit(f, PANEL);
    if (outside != NULL)
        *outside = render_lit(f, (SDL_Rect){0, 0, W, H}) - in;
    return in;
}

static void test_quote_shows_holds_and_fades_to_next(void **state)
{
    struct render_fixture *f = *state;
    struct env e = env_new(f);
    assert_true(kb_panel_wants_next(e.panel));
    assert_null(current(&e));
    push(f, &e, "The first quote", "q1");
    assert_false(kb_panel_wants_next(e.panel));
    long outside = -1;
    assert_true(draw_at(f, &e, 0, &outside) == 0); /* fading in from nothing */
    assert_string_equal(current(&e), "q1");
    assert_true(kb_panel_wants_next(e.panel));
    long full = draw_at(f, &e, 2, &outside);
    assert_true(full > 300);
    assert_int_equal(outside, 0); /* clipped to the panel */

    /* The next quote waits for the hold time. */
    push(f, &e, "The second one", "q2");
    draw_at(f, &e, 5, NULL);
    assert_string_equal(current(&e), "q1");
    assert_false(kb_panel_wants_next(e.panel));
    draw_at(f, &e, 10, NULL);
    assert_string_equal(current(&e), "q2");
    assert_true(kb_panel_wants_next(e.panel));
    /* Nothing more queued: the panel keeps its quote, never goes blank. */
    assert_true(draw_at(f, &e, 60, NULL) > 300);
    assert_string_equal(current(&e), "q2");
    env_free(&e);
}

static void test_remove_takes_quote_off_at_once(void **state)
{
    struct render_fixture *f = *state;
    struct env e = env_new(f);
    push(f, &e, "Retracted words", "gone");
    draw_at(f, &e, 0, NULL);
    assert_true(draw_at(f, &e, 3, NULL) > 300);
    assert_int_equal(kb_panel_remove(e.panel, "gone"), 1);
    assert_int_equal(kb_panel_remove(e.panel, "gone"), 0);
    assert_true(kb_panel_step(e.panel, 3.1, e.atlas, 10000)); /* must redraw */
    assert_null(current(&e));
    assert_int_equal(draw_at(f, &e, 3.2, NULL), 0);
    env_free(&e);
}

/* Erase fills the panel with its background where the screen was not
 * cleared, and only the panel. */
static void test_erase_fills_background(void **state)
{
    struct render_fixture *f = *state;
    struct env e = env_new(f);
    render_clear(f);
    assert_int_equal(kb_panel_draw(e.panel, f->screen.renderer, e.atlas, e.batch, true), 1);
    assert_int_equal(render_pixel(f, PANEL.x + 1, PANEL.y + 1), 0x000050);
    assert_int_equal(render_pixel(f, PANEL.x + PANEL.w - 1, PANEL.y + PANEL.h - 1), 0x000050);
    assert_int_equal(render_pixel(f, PANEL.x - 1, PANEL.y), 0);
    assert_int_equal(render_pixel(f, PANEL.x, PANEL.y + PANEL.h), 0);
    env_free(&e);
}

/* A glyph budget of zero keeps a quote out until its glyphs are ready. */
static void test_waits_for_glyphs(void **state)
{
    struct render_fixture *f = *state;
    struct env e = env_new(f);
    push(f, &e, "Not yet rasterised", "late");
    kb_atlas_begin_frame(e.atlas);
    kb_panel_step(e.panel, 0, e.atlas, 0);
    assert_null(current(&e));
    kb_panel_step(e.panel, 0.1, e.atlas, 10000);
    assert_string_equal(current(&e), "late");
    env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_shows_holds_and_fades_to_next),
        cmocka_unit_test(test_remove_takes_quote_off_at_once),
        cmocka_unit_test(test_erase_fills_background),
        cmocka_unit_test(test_waits_for_glyphs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
