/* The scene's colours: the bar, and its flash as breaking news enters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/config.h"
#include "app/scene.h"

static struct kb_config config(void)
{
    struct kb_config cfg;
    kb_config_defaults(&cfg);
    cfg.bar = (struct kb_color){10, 20, 30, 255};
    cfg.breaking_bg = (struct kb_color){200, 0, 100, 255};
    cfg.breaking_flash = true;
    return cfg;
}

static void assert_rgb(SDL_Color c, int r, int g, int b)
{
    assert_int_equal(c.r, r);
    assert_int_equal(c.g, g);
    assert_int_equal(c.b, b);
}

static void test_bar_colour_without_breaking_news(void **state)
{
    (void)state;
    struct kb_config cfg = config();
    /* However recently breaking news last entered. */
    assert_rgb(kb_scene_bar_color(&cfg, false, 0.0), 10, 20, 30);
    assert_rgb(kb_scene_bar_color(&cfg, false, 0.5), 10, 20, 30);
}

static void test_breaking_bar_flashes_three_times(void **state)
{
    (void)state;
    struct kb_config cfg = config();
    /* Lit (half way to white) in 0-0.2 s, 0.4-0.6 s and 0.8-1.0 s. */
    double lit[] = {0.0, 0.1, 0.45, 0.85};
    double dark[] = {0.25, 0.65, 1.05, 1.25, 5.0};
    for (size_t i = 0; i < sizeof(lit) / sizeof(lit[0]); i++)
        assert_rgb(kb_scene_bar_color(&cfg, true, lit[i]), 227, 127, 177);
    for (size_t i = 0; i < sizeof(dark) / sizeof(dark[0]); i++)
        assert_rgb(kb_scene_bar_color(&cfg, true, dark[i]), 200, 0, 100);
}

static void test_breaking_flash_can_be_off(void **state)
{
    (void)state;
    struct kb_config cfg = config();
    cfg.breaking_flash = false;
    assert_rgb(kb_scene_bar_color(&cfg, true, 0.0), 200, 0, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bar_colour_without_breaking_news),
        cmocka_unit_test(test_breaking_bar_flashes_three_times),
        cmocka_unit_test(test_breaking_flash_can_be_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
