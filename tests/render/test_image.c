/* Images for the chrome: names confined to the assets folders, sizes bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "render/image.h"
#include "render/png.h"
#include "render/screen.h"

static void test_names_confined(void **state)
{
    (void)state;
    assert_true(kb_image_name_ok("diamond.png"));
    assert_true(kb_image_name_ok("logo_2026-v2.png"));
    assert_false(kb_image_name_ok("../diamond.png"));
    assert_false(kb_image_name_ok("/etc/kabar/assets/diamond.png"));
    assert_false(kb_image_name_ok("sub/diamond.png"));
    assert_false(kb_image_name_ok(".hidden.png"));
    assert_false(kb_image_name_ok("diamond.svg"));
    assert_false(kb_image_name_ok(".png"));
    assert_false(kb_image_name_ok("a b.png"));
}

static void test_load_and_bounds(void **state)
{
    (void)state;
    struct kb_screen screen;
    struct kb_error err;
    struct kb_screen_opts so = {.mode = KB_SCREEN_HEADLESS, .width = 64, .height = 64};
    assert_true(kb_screen_open(&screen, &so, &err));
    int w = 0, h = 0;
    SDL_Texture *t = kb_image_load(
        screen.renderer, KB_TEST_SOURCE_DIR "/assets/separators/diamond.png", &w, &h, &err);
    assert_non_null(t);
    assert_int_equal(w, 64);
    assert_int_equal(h, 64);
    SDL_DestroyTexture(t);

    /* Too wide: refused with a message naming the file and the limit. */
    char path[] = "/tmp/kabar-wide-XXXXXX.png";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    unsigned char row[600 * 3];
    memset(row, 200, sizeof(row));
    assert_true(kb_png_write_rgb(path, row, 600, 1, (int)sizeof(row), &err));
    assert_null(kb_image_load(screen.renderer, path, &w, &h, &err));
    assert_non_null(strstr(err.msg, "600x1"));
    assert_non_null(strstr(err.msg, "at most 512x512"));
    unlink(path);

    /* Not a PNG. */
    assert_null(kb_image_load(screen.renderer, KB_TEST_SOURCE_DIR "/README.md", &w, &h, &err));
    assert_non_null(strstr(err.msg, "README.md"));
    kb_screen_close(&screen);
    SDL_Quit();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_confined),
        cmocka_unit_test(test_load_and_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
