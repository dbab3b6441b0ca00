/* Spool v1.1 pictures (spool/images.h) and fields: a picture's format and
 * size are read from its header before anything decodes it, so a small
 * file claiming 20000x20000 is refused; symlinks, FIFOs and files lying
 * about their type are refused; a refused picture lands in rejected/ with
 * its reason; and a bad picture name never refuses its item. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "spool/images.h"
#include "spool/item.h"
#include "spool_test.h"

static const char *demo(const char *name)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/assets/demo-spool/images/%s", KB_TEST_SOURCE_DIR, name);
    return path;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    *len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    char *copy = malloc(*len);
    memcpy(copy, buf, *len);
    return copy;
}

/* A PNG signature and IHDR claiming w x h, and nothing after. */
static size_t png_header(unsigned char *b, unsigned w, unsigned h)
{
    memcpy(b, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
    unsigned char *p = b + 16;
    for (int i = 0; i < 2; i++, p += 4) {
        unsigned v = i ? h : w;
        p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
        p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
    }
    memcpy(p, "\x08\x06\0\0\0\0\0\0\0", 9);
    return 33;
}

static void test_sniff_the_demo_pictures(void **state)
{
    (void)state;
    const struct {
        const char *name;
        enum kb_image_format f;
    } cases[] = {{"jakarta-rain.jpg", KB_IMAGE_JPEG},
                 {"lyon-lights.webp", KB_IMAGE_WEBP},
                 {"riyadh-metro.png", KB_IMAGE_PNG}};
    for (size_t i = 0; i < 3; i++) {
        size_t len;
        char *b = slurp(demo(cases[i].name), &len);
        struct kb_image_header h;
        struct kb_error err;
        assert_true(kb_image_sniff(b, len, &h, &err));
        assert_int_equal(h.format, cases[i].f);
        assert_int_equal(h.width, 960);
        assert_int_equal(h.height, 640);
        /* Cut short inside its header: refused, never read past the end. */
        assert_false(kb_image_sniff(b, 20, &h, &err));
        free(b);
    }
}

static void test_read_refuses_hostile_files(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("images");
    char images[PATH_MAX];
    test_path(images, sizeof(images), dir, "images");
    assert_int_equal(mkdir(images, 0755), 0);
    unsigned char bomb[64];
    test_write(images, "bomb.png", (const char *)bomb, png_header(bomb, 20000, 20000));
    size_t len;
    char *jpeg = slurp(demo("jakarta-rain.jpg"), &len);
    test_write(images, "liar.png", jpeg, len);
    test_write(images, "ok.jpg", jpeg, len);
    test_write_str(images, "text.webp", "hello, I am no picture at all");
    char target[PATH_MAX];
    test_path(target, sizeof(target), images, "ok.jpg");
    char link[PATH_MAX];
    test_path(link, sizeof(link), images, "link.jpg");
    assert_int_equal(symlink(target, link), 0);
    char fifo[PATH_MAX];
    test_path(fifo, sizeof(fifo), images, "fifo.png");
    assert_int_equal(mkfifo(fifo, 0644), 0);

    const struct {
        const char *name, *why;
        enum kb_image_read r;
    } cases[] = {
        {"bomb.png", "20000x20000 pixels, more than the limit", KB_IMAGE_READ_BAD},
        {"liar.png", "holds JPEG, but its name says PNG", KB_IMAGE_READ_BAD},
        {"text.webp", "not a PNG, JPEG or WebP picture", KB_IMAGE_READ_BAD},
        {"link.jpg", "symbolic link", KB_IMAGE_READ_BAD},
        {"fifo.png", "FIFO", KB_IMAGE_READ_BAD},
        {"gone.png", "no such picture", KB_IMAGE_READ_MISSING},
        {"ok.jpg", NULL, KB_IMAGE_READ_OK},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *buf = NULL;
        size_t n = 0;
        struct kb_image_header h;
        struct kb_error err;
        kb_error_clear(&err);
        enum kb_image_read r = kb_spool_image_read(dir, cases[i].name, NULL, &buf, &n, &h, &err);
        if (r != cases[i].r || (cases[i].why && strstr(err.msg, cases[i].why) == NULL))
            fail_msg("%s: got %d, \"%s\"", cases[i].name, (int)r, err.msg);
        assert_true(r == KB_IMAGE_READ_OK ? buf != NULL && n == len : buf == NULL);
        free(buf);
    }
    /* A tighter pixel limit from the config holds too. */
    struct kb_image_limits lim = {.max_pixels = 1000};
    char *buf;
    size_t n;
    struct kb_image_header h;
    struct kb_error err;
    assert_int_equal(kb_spool_image_read(dir, "ok.jpg", &lim, &buf, &n, &h, &err),
                     KB_IMAGE_READ_BAD);

    /* Refused pictures go to rejected/ with their reason; a symlink moves
     * as a link, its target untouched. */
    assert_true(kb_spool_image_reject(dir, "bomb.png", "too big", &err));
    assert_true(kb_spool_image_reject(dir, "link.jpg", "a symlink", &err));
    char rejected[PATH_MAX];
    test_path(rejected, sizeof(rejected), dir, "rejected");
    assert_true(test_exists(rejected, "bomb.png"));
    assert_true(test_exists(rejected, "bomb.png.error.txt"));
    assert_true(test_exists(rejected, "link.jpg"));
    assert_false(test_exists(images, "bomb.png"));
    assert_true(test_exists(images, "ok.jpg"));
    free(jpeg);
    test_rm_rf(dir);
    free(dir);
}

static void test_item_fields_v1_1(void **state)
{
    (void)state;
    struct kb_error err;
    json_t *obj = json_loads("{\"id\":\"a\",\"lang\":\"fr\",\"text\":\"T\",\"summary\":\"  Deux  "
                             "phrases.\\n Ici. \",\"image\":\"a-1.JPG\",\"credit\":\"AFP\"}",
                             0, NULL);
    char *unknown;
    struct kb_item *it = kb_item_from_json(obj, "x.json", 0, &err, &unknown);
    assert_non_null(it);
    assert_null(unknown);
    assert_string_equal(it->summary, "Deux phrases. Ici.");
    assert_string_equal(it->image, "a-1.JPG");
    assert_string_equal(it->credit, "AFP");
    struct kb_item *copy = kb_item_dup(it);
    assert_true(kb_item_same_content(it, copy));
    kb_item_free(copy);
    kb_item_free(it);
    json_decref(obj);
    /* A path, a hidden name or another type is no picture name: the item
     * stays, without a picture. */
    const char *bad[] = {"\"../etc/x.png\"", "\".x.png\"", "\"a.gif\"", "\"a\"", "3"};
    for (size_t i = 0; i < 5; i++) {
        char text[200];
        snprintf(text, sizeof(text), "{\"id\":\"a\",\"lang\":\"fr\",\"text\":\"T\",\"image\":%s}",
                 bad[i]);
        obj = json_loads(text, 0, NULL);
        it = kb_item_from_json(obj, "x.json", 0, &err, NULL);
        assert_non_null(it);
        assert_string_equal(it->image, "");
        kb_item_free(it);
        json_decref(obj);
    }
    /* A summary past its bound refuses the item, as text does. */
    char big[2100 + 80];
    int o =
        snprintf(big, sizeof(big), "{\"id\":\"a\",\"lang\":\"fr\",\"text\":\"T\",\"summary\":\"");
    memset(big + o, 'x', 2001);
    strcpy(big + o + 2001, "\"}");
    obj = json_loads(big, 0, NULL);
    assert_null(kb_item_from_json(obj, "x.json", 0, &err, NULL));
    assert_non_null(strstr(err.msg, "field \"summary\""));
    json_decref(obj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff_the_demo_pictures),
        cmocka_unit_test(test_read_refuses_hostile_files),
        cmocka_unit_test(test_item_fields_v1_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
