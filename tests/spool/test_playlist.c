/* The playlist: rotation in published order, high twice as often, no
 * starvation, breaking first, language choice per story, cycle mode, new
 * items joining, expiry; all deterministic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "spool_test.h"
#include "spool/playlist.h"

/* Items are published in 2021; "now" for the playlist is any fixed time. */
#define NOW_MS INT64_C(1700000000000)

struct fixture {
    char *dir;
    struct kb_spool *spool;
};

static void put(struct fixture *f, const char *id, const char *lang, const char *prio, int minute,
                const char *story)
{
    char name[160], extra[256];
    snprintf(name, sizeof(name), "%s.json", id);
    int o =
        snprintf(extra, sizeof(extra),
                 "\"priority\": \"%s\", \"published\": \"2021-11-19T10:%02d:00Z\"", prio, minute);
    if (story != NULL)
        snprintf(extra + o, sizeof(extra) - (size_t)o, ", \"story\": \"%s\"", story);
    test_put_item(f->dir, name, id, lang, id, extra);
}

static void drop(struct fixture *f, const char *id)
{
    char name[160], path[PATH_MAX];
    snprintf(name, sizeof(name), "%s.json", id);
    test_path(path, sizeof(path), f->dir, name);
    assert_int_equal(unlink(path), 0);
}

/* Applies what changed in the folder (a rescan: the poll period has passed). */
static void sync_spool(struct fixture *f)
{
    static int64_t t = NOW_MS;
    t += 100000;
    kb_spool_update(f->spool, t);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->dir = test_mkdtemp("playlist");
    struct kb_spool_opts opts = {
        .dir = f->dir, .settle_s = 2, .poll_ms = 1000, .use_inotify = false};
    f->spool = kb_spool_new(&opts, NULL, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    kb_spool_free(f->spool);
    test_rm_rf(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* The next n picks as "a b c". */
static char *picks(struct kb_playlist *pl, struct fixture *f, int n)
{
    static char buf[8192];
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        const struct kb_item *item = kb_playlist_next(pl, f->spool, NOW_MS);
        o +=
            (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "", item ? item->id : "-");
    }
    return buf;
}

static void test_rotation_in_published_order(void **state)
{
    struct fixture *f = *state;
    put(f, "c", "en", "normal", 3, NULL);
    put(f, "a", "en", "normal", 1, NULL);
    put(f, "b", "en", "normal", 2, NULL);
    sync_spool(f);
    struct kb_playlist *pl = kb_playlist_new(NULL, KB_LANG_MODE_FIRST);
    assert_string_equal(picks(pl, f, 7), "a b c a b c a");
    kb_playlist_free(pl);

    struct kb_playlist *empty = kb_playlist_new("", KB_LANG_MODE_FIRST);
    assert_string_equal(picks(empty, f, 3), "a b c");
    kb_playlist_free(empty);
}

static void test_empty_spool(void **state)
{
    struct fixture *f = *state;
    sync_spool(f);
    struct kb_playlist *pl = kb_playlist_new("fr", KB_LANG_MODE_CYCLE);
    assert_null(kb_playlist_next(pl, f->spool, NOW_MS));
    kb_playlist_free(pl);
}

static void test_high_twice_as_often(void **state)
{
    struct fixture *f = *state;
    put(f, "a", "en", "normal", 1, NULL);
    put(f, "b", "en", "normal", 2, NULL);
    put(f, "h", "en", "high", 3, NULL);
    put(f, "c", "en", "normal", 4, NULL);
    sync_spool(f);
    struct kb_playlist *pl = kb_playlist_new(NULL, KB_LANG_MODE_FIRST);
    assert_string_equal(picks(pl, f, 10), "a b h c h a b h c h");
    int counts[4] = {0};
    for (int i = 0; i < 500; i++) {
        const struct kb_item *item = kb_playlist_next(pl, f->spool, NOW_MS);
        counts[item->id[0] == 'h' ? 3 : item->id[0] - 'a']++;
    }
    assert_int_equal(counts[0], 100);
    assert_int_equal(counts[1], 100);
    assert_int_equal(counts[2], 100);
    assert_int_equal(counts[3], 200);
    kb_playlist_free(pl);
}

/* The documented bound: with N normal and H high items and no breaking
 * one, every item is shown in any N + 2H consecutive picks. */
static void check_bound(struct kb_playlist *pl, struct fixture *f, int nitems, int window,
                        int npicks)
{
    char(*seq)[16] = calloc((size_t)npicks, sizeof(*seq));
    for (int i = 0; i < npicks; i++) {
        const struct kb_item *item = kb_playlist_next(pl, f->spool, NOW_MS);
        assert_non_null(item);
        snprintf(seq[i], sizeof(seq[i]), "%s", item->id);
    }
    for (int start = 0; start + window <= npicks; start++) {
        size_t n = 0;
        const struct kb_item *const *items = kb_spool_items(f->spool, &n);
        assert_int_equal(n, (size_t)nitems);
        for (size_t k = 0; k < n; k++) {
            bool found = false;
            for (int j = start; j < start + window && !found; j++)
                found = strcmp(seq[j], items[k]->id) == 0;
            if (!found)
                fail_msg("%s not shown in picks %d..%d", items[k]->id, start, start + window - 1);
        }
    }
    free(seq);
}

static void test_no_starvation(void **state)
{
    struct fixture *f = *state;
    int nnormal = 7, nhigh = 3;
    for (int i = 0; i < nnormal + nhigh; i++) {
        char id[16];
        snprintf(id, sizeof(id), "i%02d", i);
        put(f, id, "en", i % 3 == 1 ? "high" : "normal", i, NULL);
    }
    sync_spool(f);
    struct kb_playlist *pl = kb_playlist_new(NULL, KB_LANG_MODE_FIRST);
    check_bound(pl, f, nnormal + nhigh, nnormal + 2 * nhigh, 200);

    /* Joins in the middle of a round: the bound holds again after one. */
    put(f, "j1", "en", "normal", 30, NULL);
    put(f, "j0", "en", "high", 0, NULL);
    sync_spool(f);
    picks(pl, f, 3);
    const char *shown = picks(pl, f, nnormal + 1 + 2 * (nhigh + 1));
    assert_non_null(strstr(shown, "j0"));
    assert_non_null(strstr(shown, "j1"));
    picks(pl, f, 20);
    check_bound(pl, f, nnormal + nhigh + 2, nnormal + 1 + 2 * (nhigh + 1), 200);
    kb_playlist_free(pl);
}

static void test_new_items_join_without_restart(void **state)
{
    struct fixture *f = *state;
    put(f, "a", "en", "normal", 1, NULL);
    put(f, "b", "en", "normal", 2, NULL);
    put(f, "c", "en", "normal", 3, NULL);
    sync_spool(f);
    struct kb_playlist *pl = kb_playlist_new(NULL, KB_LANG_MODE_FIRST);
    assert_string_equal(picks(pl, f, 2), "a b");
    put(f, "d", "en", "normal", 4, NULL);
    sync_spool(f);
    assert_string_equal(picks(pl, f, 6), "c d a b c d");
    /* Removal: the rotation carries on without it. */
    drop(f, "a");
    sync_spool(f);
    assert_string_equal(picks(pl, f, 4), "b c d b");
    kb_playlist_free(pl);
}

static void test_breaking_first_and_repeating(void **state)
{
    struct fixture *f = *state;
    put(f, "a", "en", "normal", 1, NULL);
    put(f, "b", "en", "normal", 2, NULL);
    put(f, "c", "en", "normal", 3, NULL);
    sync_spool(f);
    struct kb_playlist *pl = kb_playlist_new(NULL, KB_LANG_MODE_FIRST);
    assert_string_equal(picks(pl, f, 1), "a");
    put(f, "z1", "en", "breaking", 0, NULL);
    sync_spool(f);
    assert_string_equal(picks(pl, f, 3), "z1 z1 z1");
    put(f, "z2", "en", "breaking", 5, NULL);
    sync_spool(f);
    assert_string_equal(picks(pl, f, 4), "z2 z1 z2 z1");
    drop(f, "z1");
    drop(f, "z2");
    sync_spool(f);
    /* The crawl resumes where it was. */
    assert_string_equal(picks(pl, f, 3), "b c a");
    kb_playlist_free(pl);
}

static void test_expired_not_shown_before_the_spool_knows(void **state)
{
    struct fixture *f = *state;
    test_put_item(f->dir, "x.json", "x", "en", "x",
                  "\"published\": \"2021-11-19T10:00:00Z\", \"expires\": \"2040-01-01T00:00:00Z\"");
    put(f, "y", "en", "normal", 2, NULL);
    test_put_item(f->dir, "zb.json", "zb", "en", "zb",
                  "\"priority\": \"breaking\", \"published\": \"2021-11-19T10:00:00Z\", "
                  "\"expires\": \"2040-01-01T00:00:00Z\"");
    sync_spool(f);
    struct kb_playlist *pl = kb_playlist_new(NULL, KB_LANG_MODE_FIRST);
    int64_t later = INT64_C(2208988800000); /* 2040-01-01T00:00:00Z */
    assert_string_equal(kb_playlist_next(pl, f->spool, later - 1)->id, "zb");
    for (int i = 0; i < 4; i++)
        assert_string_equal(kb_playlist_next(pl, f->spool, later)->id, "y");
    kb_playlist_free(pl);
}

static void stories(struct fixture *f)
{
    put(f, "s1-en", "en", "normal", 1, "s1");
    put(f, "s1-fr", "fr", "normal", 2, "s1");
    put(f, "s1-id", "id", "normal", 3, "s1");
    put(f, "s2-id", "id", "normal", 4, "s2");
    put(f, "s2-en", "en", "normal", 5, "s2");
    put(f, "x-en", "en", "normal", 6, NULL);
    put(f, "y-fr", "FR", "normal", 7, NULL);
    put(f, "s3-ja", "ja", "normal", 8, "s3");
    sync_spool(f);
}

static void test_languages_first_choice(void **state)
{
    struct fixture *f = *state;
    stories(f);
    struct kb_playlist *pl = kb_playlist_new(" fr ,id,  not_a_tag", KB_LANG_MODE_FIRST);
    assert_string_equal(picks(pl, f, 6), "s1-fr s2-id y-fr s1-fr s2-id y-fr");
    assert_true(kb_playlist_wants(pl, f->spool, kb_spool_find(f->spool, "s1-fr")));
    assert_false(kb_playlist_wants(pl, f->spool, kb_spool_find(f->spool, "s1-id")));
    assert_false(kb_playlist_wants(pl, f->spool, kb_spool_find(f->spool, "x-en")));
    assert_false(kb_playlist_wants(pl, f->spool, kb_spool_find(f->spool, "s3-ja")));
    /* The French one goes: the story falls back to Indonesian. */
    drop(f, "s1-fr");
    sync_spool(f);
    assert_true(kb_playlist_wants(pl, f->spool, kb_spool_find(f->spool, "s1-id")));
    assert_string_equal(picks(pl, f, 3), "s1-id s2-id y-fr");
    kb_playlist_free(pl);

    /* "*" takes any language: French where a story has it, else its first item. */
    pl = kb_playlist_new("fr, *", KB_LANG_MODE_FIRST);
    assert_string_equal(picks(pl, f, 5), "s1-en s2-id x-en y-fr s3-ja");
    kb_playlist_free(pl);
}

static void test_language_matching(void **state)
{
    struct fixture *f = *state;
    put(f, "t-hans", "zh-Hans", "normal", 1, "t");
    put(f, "t-hant", "zh-Hant", "normal", 2, "t");
    put(f, "u-zh", "zh", "normal", 3, "u");
    put(f, "v-hant", "zh-hant-TW", "normal", 4, NULL);
    sync_spool(f);
    /* "zh" takes every Chinese tag; the first of a story wins. */
    struct kb_playlist *pl = kb_playlist_new("zh", KB_LANG_MODE_FIRST);
    assert_string_equal(picks(pl, f, 3), "t-hans u-zh v-hant");
    kb_playlist_free(pl);
    /* An exact entry first; "zh-Hans" does not take a bare "zh". */
    pl = kb_playlist_new("zh-Hant", KB_LANG_MODE_FIRST);
    assert_string_equal(picks(pl, f, 3), "t-hant v-hant t-hant");
    kb_playlist_free(pl);
    pl = kb_playlist_new("zh-Hans, zh", KB_LANG_MODE_FIRST);
    assert_string_equal(picks(pl, f, 3), "t-hans u-zh v-hant");
    kb_playlist_free(pl);
}

static void test_cycle_mode(void **state)
{
    struct fixture *f = *state;
    stories(f);
    struct kb_playlist *pl = kb_playlist_new("fr, id", KB_LANG_MODE_CYCLE);
    /* Each story's translations back to back, in the configured order. */
    assert_string_equal(picks(pl, f, 8), "s1-fr s1-id s2-id y-fr s1-fr s1-id s2-id y-fr");
    assert_true(kb_playlist_wants(pl, f->spool, kb_spool_find(f->spool, "s1-id")));
    kb_playlist_free(pl);

    /* No list: every translation, in published order. */
    pl = kb_playlist_new(NULL, KB_LANG_MODE_CYCLE);
    assert_string_equal(picks(pl, f, 9), "s1-en s1-fr s1-id s2-id s2-en x-en y-fr s3-ja s1-en");
    kb_playlist_free(pl);

    /* A translation removed mid-story is skipped, not shown. */
    pl = kb_playlist_new("fr, id", KB_LANG_MODE_CYCLE);
    assert_string_equal(picks(pl, f, 1), "s1-fr");
    drop(f, "s1-id");
    sync_spool(f);
    assert_string_equal(picks(pl, f, 3), "s2-id y-fr s1-fr");
    kb_playlist_free(pl);
}

static void test_deterministic(void **state)
{
    struct fixture *f = *state;
    stories(f);
    put(f, "h", "fr", "high", 9, NULL);
    sync_spool(f);
    struct kb_playlist *a = kb_playlist_new("fr, en", KB_LANG_MODE_FIRST);
    struct kb_playlist *b = kb_playlist_new("fr, en", KB_LANG_MODE_FIRST);
    char first[8192];
    snprintf(first, sizeof(first), "%s", picks(a, f, 40));
    assert_string_equal(picks(b, f, 40), first);
    kb_playlist_free(a);
    kb_playlist_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rotation_in_published_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_spool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_high_twice_as_often, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_starvation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_items_join_without_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_breaking_first_and_repeating, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_not_shown_before_the_spool_knows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_languages_first_choice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_language_matching, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cycle_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
