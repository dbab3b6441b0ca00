/* The producers' side of images/ (spool/images_put.h): pictures checked in
 * memory by the ticker's header rules, named by their SHA-256, written
 * once (a second put only refreshes the mtime), and swept when no item
 * names them and their grace is over; a picture named by an item, in a
 * file or a bundle, or young, stays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "spool/images_put.h"
#include "spool_test.h"

/* The known answers of FIPS 180-2 (appendix B) through the content name,
 * which keeps the first 128 bits: the hash is nettle's, the hex and the
 * cut are ours. */
static void test_sha256_vectors(void **state)
{
    (void)state;
    char name[KB_IMAGE_HASH_NAME_SIZE];
    kb_image_hash_name("", 0, KB_IMAGE_PNG, name);
    assert_string_equal(name, "e3b0c44298fc1c149afbf4c8996fb924.png");
    kb_image_hash_name("abc", 3, KB_IMAGE_PNG, name);
    assert_string_equal(name, "ba7816bf8f01cfea414140de5dae2223.png");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    kb_image_hash_name(two, strlen(two), KB_IMAGE_PNG, name);
    assert_string_equal(name, "248d6a61d20638b8e5c026930c3e6039.png");
    /* A million 'a's: more than one block, and a length over 16 bits. */
    size_t n = 1000000;
    char *a = malloc(n);
    assert_non_null(a);
    memset(a, 'a', n);
    kb_image_hash_name(a, n, KB_IMAGE_PNG, name);
    free(a);
    assert_string_equal(name, "cdc76e5c9914fb9281a1c7e284d73e67.png");
}

/* A PNG signature and IHDR claiming w x h. */
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

static void test_check_and_name(void **state)
{
    (void)state;
    unsigned char b[64];
    size_t n = png_header(b, 640, 360);
    struct kb_image_header h;
    struct kb_error err;
    assert_true(kb_image_check(b, n, NULL, NULL, &h, &err));
    assert_int_equal(h.width, 640);
    assert_true(kb_image_check(b, n, "x.png", NULL, &h, &err));
    assert_false(kb_image_check(b, n, "x.jpg", NULL, &h, &err));
    assert_non_null(strstr(err.msg, "holds PNG, but its name says JPEG"));
    n = png_header(b, 20000, 20000);
    assert_false(kb_image_check(b, n, NULL, NULL, &h, &err));
    assert_non_null(strstr(err.msg, "20000x20000 pixels"));
    struct kb_image_limits lim = {16, 0};
    assert_false(kb_image_check(b, n, NULL, &lim, &h, &err));
    assert_non_null(strstr(err.msg, "more than the limit of 16"));
    assert_false(kb_image_check("GIF89a......", 12, NULL, NULL, &h, &err));

    char name[KB_IMAGE_HASH_NAME_SIZE];
    kb_image_hash_name("abc", 3, KB_IMAGE_JPEG, name);
    assert_string_equal(name, "ba7816bf8f01cfea414140de5dae2223.jpg");
    assert_true(kb_image_name_valid(name));
    kb_image_hash_name("abc", 3, KB_IMAGE_WEBP, name);
    assert_string_equal(name, "ba7816bf8f01cfea414140de5dae2223.webp");
}

static void test_put_once_then_refresh(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("imgput");
    unsigned char b[64];
    size_t n = png_header(b, 4, 4);
    struct kb_error err;
    assert_int_equal(kb_spool_image_put(dir, "t", "a.png", b, n, &err), KB_IMAGE_PUT_WRITTEN);
    assert_true(test_exists(dir, "images/a.png"));
    test_age(dir, "images/a.png", 3600 * 1000);
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/images/a.png", dir);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(kb_spool_image_put(dir, "t", "a.png", b, n, &err), KB_IMAGE_PUT_UNCHANGED);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    assert_true(after.st_mtime > before.st_mtime + 3000);
    b[20] ^= 1;
    assert_int_equal(kb_spool_image_put(dir, "t", "a.png", b, n, &err), KB_IMAGE_PUT_WRITTEN);
    assert_int_equal(kb_spool_image_put(dir, "t", "../a.png", b, n, &err), KB_IMAGE_PUT_FAILED);
    /* images/ as a symlink is never written through. */
    char *other = test_mkdtemp("imgput-other");
    char *dir2 = test_mkdtemp("imgput-link");
    snprintf(path, sizeof(path), "%s/images", dir2);
    assert_int_equal(symlink(other, path), 0);
    assert_int_equal(kb_spool_image_put(dir2, "t", "a.png", b, n, &err), KB_IMAGE_PUT_FAILED);
    assert_false(test_exists(other, "a.png"));
    test_rm_rf(dir);
    test_rm_rf(dir2);
    test_rm_rf(other);
    free(dir);
    free(dir2);
    free(other);
}

static void test_sweep_files(void **state)
{
    (void)state;
    char *dir = test_mkdtemp("imgsweep");
    unsigned char b[64];
    size_t n = png_header(b, 4, 4);
    struct kb_error err;
    const char *names[] = {"single.png", "bundled.png", "unused.png", "young.png"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(kb_spool_image_put(dir, "t", names[i], b, n, &err), KB_IMAGE_PUT_WRITTEN);
        char rel[64];
        snprintf(rel, sizeof(rel), "images/%s", names[i]);
        if (i < 3)
            test_age(dir, rel, 2 * 86400 * 1000LL);
    }
    test_put(dir, "a.json",
             "{\"id\":\"a\",\"lang\":\"fr\",\"text\":\"x\",\"image\":\"single.png\"}");
    test_put(dir, "b.json",
             "{\"items\":[{\"id\":\"b\",\"lang\":\"fr\",\"text\":\"x\"},"
             "{\"id\":\"c\",\"lang\":\"fr\",\"text\":\"y\",\"image\":\"bundled.png\"}]}");
    int64_t now = test_now_ms() / 1000;
    assert_int_equal(kb_spool_images_sweep_files(dir, now, KB_IMAGE_SWEEP_GRACE_S), 1);
    assert_true(test_exists(dir, "images/single.png"));
    assert_true(test_exists(dir, "images/bundled.png"));
    assert_true(test_exists(dir, "images/young.png"));
    assert_false(test_exists(dir, "images/unused.png"));
    /* The item retracted: its picture goes at the next sweep. */
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/a.json", dir);
    unlink(path);
    assert_int_equal(kb_spool_images_sweep_files(dir, now, KB_IMAGE_SWEEP_GRACE_S), 1);
    assert_false(test_exists(dir, "images/single.png"));
    /* With a table of items instead of files. */
    struct kb_item it = {0};
    strcpy(it.image, "bundled.png");
    const struct kb_item *items[] = {&it};
    assert_int_equal(kb_spool_images_sweep_items(dir, items, 1, now, KB_IMAGE_SWEEP_GRACE_S), 0);
    assert_int_equal(kb_spool_images_sweep_items(dir, NULL, 0, now, KB_IMAGE_SWEEP_GRACE_S), 1);
    assert_false(test_exists(dir, "images/bundled.png"));
    assert_true(test_exists(dir, "images/young.png"));
    test_rm_rf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_check_and_name),
        cmocka_unit_test(test_put_once_then_refresh),
        cmocka_unit_test(test_sweep_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
