/* `kabar feed` end to end through its command line (kb_cmd_feed), against
 * the fixture server (tests/feed/server.py) on 127.0.0.1: every feed form,
 * eight and more encodings, real-world quirks, conditional GET, failures
 * that keep items, retraction, redirects, hostile documents, --max, the
 * follow mode with backoff, and config sections. The server is always
 * stopped at the end (and stops itself after its lifetime if this process
 * dies). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/date.h"
#include "cli/cmd.h"
#include "feed/feed.h"
#include "feed/map.h"
#include "feed/text.h"
#include "core/log.h"
#include "core/xmalloc.h"

extern char **environ;

static char g_tmp[512];
static char g_root[600];
static int g_port;
static pid_t g_server = -1;
static char *g_log; /* stderr of the last run */

/* ---- helpers ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = kb_xmalloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

static void spit(const char *path, const char *text)
{
    char *tmp = kb_xasprintf("%s.part", path);
    FILE *f = fopen(tmp, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(rename(tmp, path), 0);
    free(tmp);
}

static char *url(const char *path)
{
    return kb_xasprintf("http://127.0.0.1:%d%s", g_port, path);
}

static char *fresh_spool(const char *name)
{
    char *dir = kb_xasprintf("%s/%s", g_tmp, name);
    char *cmd = kb_xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return dir;
}

/* Runs kb_cmd_feed with the NULL-terminated arguments after "feed", its
 * stderr captured into g_log. */
static int run_feed(const char *first, ...)
{
    const char *argv[64] = {"feed"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 63; a = va_arg(ap, const char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    char *path = kb_xasprintf("%s/stderr.txt", g_tmp);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDERR_FILENO);
    close(fd);
    int status = kb_cmd_feed(argc, (char **)argv);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    free(g_log);
    g_log = slurp(path);
    free(path);
    return status;
}

/* The item a feed wrote for the entry with that key (NULL if none). */
static json_t *item(const char *spool, const char *feed_url, const char *key)
{
    char name[KB_FEED_FILE_NAME_MAX];
    kb_feed_file_name(feed_url, key, name);
    char *path = kb_xasprintf("%s/%s", spool, name);
    json_t *obj = json_load_file(path, 0, NULL);
    free(path);
    return obj;
}

static const char *field(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s != NULL ? s : "(absent)";
}

static size_t count_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strstr(e->d_name, ".json") != NULL;
    closedir(d);
    return n;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; hay != NULL && (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* Lines of the server's request log that mention path. */
static size_t requests(const char *path_part, const char *also)
{
    char *p = kb_xasprintf("%s/requests.log", g_tmp);
    char *log = slurp(p);
    free(p);
    size_t n = 0;
    for (char *line = log ? strtok(log, "\n") : NULL; line != NULL; line = strtok(NULL, "\n"))
        n += strstr(line, path_part) != NULL && (also == NULL || strstr(line, also) != NULL);
    free(log);
    return n;
}

#define SKIP_WITHOUT_SERVER()                                                                      \
    do {                                                                                           \
        if (g_server < 0)                                                                          \
            skip();                                                                                \
    } while (0)

/* ---- the server ---- */

static int start_server(void **state)
{
    (void)state;
    snprintf(g_tmp, sizeof(g_tmp), "%s/feed-e2e-XXXXXX", KB_TEST_BUILD_DIR);
    if (mkdtemp(g_tmp) == NULL)
        return -1;
    snprintf(g_root, sizeof(g_root), "%s/root", g_tmp);
    char *port_file = kb_xasprintf("%s/port", g_tmp);
    char *log = kb_xasprintf("%s/requests.log", g_tmp);
    char *script = kb_xasprintf("%s/tests/feed/server.py", KB_TEST_SOURCE_DIR);
    char *fixtures = kb_xasprintf("%s/tests/feed/fixtures", KB_TEST_SOURCE_DIR);
    char *args[] = {"python3", script,  "--fixtures", fixtures,     "--root", g_root, "--port-file",
                    port_file, "--log", log,          "--lifetime", "600",    NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "python3", NULL, NULL, args, environ) == 0) {
        for (double t0 = now_s(); now_s() - t0 < 15; sleep_s(0.05)) {
            char *p = slurp(port_file);
            if (p != NULL) {
                g_port = atoi(p);
                free(p);
                break;
            }
            if (waitpid(pid, NULL, WNOHANG) == pid)
                break;
        }
        if (g_port > 0)
            g_server = pid;
        else
            kill(pid, SIGKILL), waitpid(pid, NULL, 0);
    }
    if (g_server < 0)
        fprintf(stderr, "feed e2e: no fixture server (python3?): tests skipped\n");
    free(port_file);
    free(log);
    free(script);
    free(fixtures);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    if (g_server > 0) {
        kill(g_server, SIGTERM);
        waitpid(g_server, NULL, 0);
    }
    free(g_log);
    g_log = NULL;
    char *cmd = kb_xasprintf("rm -rf '%s'", g_tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", g_tmp);
    free(cmd);
    kb_log_shutdown();
    return 0;
}

/* ---- tests ---- */

static void test_encodings(void **state)
{
    (void)state;
    SKIP_WITHOUT_SERVER();
    static const struct {
        const char *file, *key, *text, *lang;
    } cases[] = {
        {"zh-gb2312.xml", "zh1", "北京：新的地铁线路今天开通", "zh-Hans"},
        {"zh-big5.xml", "zh2", "臺北：捷運新路線今日通車", "zh-Hant"},
        {"zh-gbk-atom.xml", "zh3", "广州：粤港澳大湾区新桥通车", "zh-Hans"},
        {"ja-sjis.xml", "ja1", "東京で桜が満開に、平年より五日早く", "ja"},
        {"ja-eucjp.xml", "ja2", "大阪・関西万博の来場者が一千万人を突破", "ja"},
        {"ko-euckr.xml", "ko1", "서울 지하철 새 노선 개통", "ko"},
        {"ar-cp1256.xml", "ar1", "القاهرة: افتتاح خط مترو جديد", "ar"},
        {"ar-iso88596.xml", "ar2", "دبي: أمطار غزيرة وإغلاق طرق", "ar"},
        {"ru-koi8r.xml", "ru1", "Москва: новая линия метро открыта", "ru"},
        /* No declaration: the HTTP charset decides. */
        {"ru-koi8r-http.xml", "ru2", "Петербург: мосты разведут позже", "ru"},
        /* Declared windows-1252 while HTTP says ISO-8859-1: the document wins (the €). */
        {"fr-cp1252.xml", "fr1", "Noël : l’été « chaud » à Besançon coûte 5 €", "fr"},
        /* JSON Feed served in windows-1251 with the charset in Content-Type. */
        {"json-cp1251.json", "v1", "Киев: новая линия", "ru"},
    };
    char *spool = fresh_spool("spool-enc");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *path = kb_xasprintf("/f/%s", cases[i].file);
        char *u = url(path);
        int status = run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL);
        if (status != 0)
            fail_msg("%s: exit %d: %s", cases[i].file, status, g_log);
        json_t *obj = item(spool, u, cases[i].key);
        if (obj == NULL)
            fail_msg("%s: no item", cases[i].file);
        assert_string_equal(field(obj, "text"), cases[i].text);
        assert_string_equal(field(obj, "lang"), cases[i].lang);
        assert_string_equal(field(obj, "published"), "2024-03-05T10:00:00Z");
        json_decref(obj);
        free(u);
        free(path);
    }
    free(spool);
}

static void test_rss2_quirks(void **state)
{
    (void)state;
    SKIP_WITHOUT_SERVER();
    char *spool = fresh_spool("spool-rss2");
    char *u = url("/f/rss2-quirks.xml");
    time_t before = time(NULL);
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    json_t *tram = item(spool, u, "gazette-tram-4");
    assert_non_null(tram);
    assert_string_equal(field(tram, "text"), "Tram line 4 opens on Sunday");
    assert_string_equal(field(tram, "lang"), "en-gb");
    assert_string_equal(field(tram, "source"), "Lanceville Gazette");
    assert_string_equal(field(tram, "published"), "2024-03-05T09:00:00Z");
    assert_null(json_object_get(tram, "expires"));
    /* No --source: the id prefix is the host. */
    assert_memory_equal(field(tram, "id"), "127-0-0-1-", 10);
    /* No guid: known by its link. */
    json_t *storm = item(spool, u, "https://gazette.example/storm");
    assert_non_null(storm);
    assert_string_equal(field(storm, "text"), "Storm warning & closures");
    assert_string_equal(field(storm, "published"), "2024-03-05T08:30:00Z");
    json_t *budget = item(spool, u, "https://gazette.example/budget");
    assert_string_equal(field(budget, "text"), "Budget: \"café\" tax dropped");
    assert_string_equal(field(budget, "published"), "2024-03-04T22:45:10Z");
    json_t *undated = item(spool, u, "gazette-undated");
    assert_string_equal(field(undated, "text"), "Undated notice a < b");
    int64_t first_seen;
    assert_true(kb_date_parse_iso8601(field(undated, "published"), &first_seen));
    assert_true(first_seen >= before && first_seen <= time(NULL));
    json_t *notitle = item(spool, u, "gazette-no-title");
    assert_string_equal(field(notitle, "text"), "Only a description, no title");
    assert_string_equal(field(notitle, "published"), "2024-03-04T09:15:00Z");
    assert_int_equal(count_files(spool, "feed-"), 5);

    /* A second run: same ids, nothing rewritten (the undated entry keeps its
     * first-seen date), nothing retracted. */
    char name[KB_FEED_FILE_NAME_MAX];
    kb_feed_file_name(u, "gazette-undated", name);
    char *path = kb_xasprintf("%s/%s", spool, name);
    struct stat st1, st2;
    assert_int_equal(stat(path, &st1), 0);
    sleep_s(1.1);
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    assert_int_equal(stat(path, &st2), 0);
    assert_int_equal(st1.st_ino, st2.st_ino);
    assert_int_equal(st1.st_mtime, st2.st_mtime);
    json_t *again = item(spool, u, "gazette-tram-4");
    assert_string_equal(field(again, "id"), field(tram, "id"));
    assert_int_equal(count_files(spool, "feed-"), 5);
    json_decref(again);

    /* --with-summary, --source and --ttl in another spool. */
    char *spool2 = fresh_spool("spool-rss2-summary");
    assert_int_equal(run_feed("--url", u, "--spool", spool2, "--once", "--with-summary", "--source",
                              "The Gazette", "--ttl", "3650d", NULL),
                     0);
    json_t *full = item(spool2, u, "gazette-tram-4");
    assert_string_equal(field(full, "text"),
                        "Tram line 4 opens on Sunday — The new line links the station & the port.");
    assert_string_equal(field(full, "source"), "The Gazette");
    assert_memory_equal(field(full, "id"), "the-gazette-", 12);
    assert_string_equal(field(full, "expires"), "2034-03-03T09:00:00Z");
    json_decref(full);

    json_decref(tram);
    json_decref(storm);
    json_decref(budget);
    json_decref(undated);
    json_decref(notitle);
    free(path);
    free(spool2);
    free(spool);
    free(u);
}

static void test_rss1_atom_json(void **state)
{
    (void)state;
    SKIP_WITHOUT_SERVER();
    char *spool = fresh_spool("spool-forms");
    char *rss1 = url("/f/rss1.xml"), *atom = url("/f/atom.xml"), *jf = url("/f/feed.json");
    assert_int_equal(run_feed("--url", rss1, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    json_t *a = item(spool, rss1, "https://zeitung.example/a2");
    assert_string_equal(field(a, "text"), "Brücke gesperrt");
    assert_string_equal(field(a, "lang"), "de");
    assert_string_equal(field(a, "published"), "2024-03-05T09:30:00Z");
    json_decref(a);
    a = item(spool, rss1, "https://zeitung.example/a1");
    assert_string_equal(field(a, "published"), "2024-03-05T07:00:00Z");
    json_decref(a);

    assert_int_equal(run_feed("--url", atom, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    a = item(spool, atom, "tag:courrier.example,2024:tram");
    assert_string_equal(field(a, "text"), "Le tramway circulera toute la nuit");
    assert_string_equal(field(a, "lang"), "fr");
    assert_string_equal(field(a, "source"), "Le Courrier de Vercourt");
    assert_string_equal(field(a, "published"), "2024-03-05T09:00:00Z"); /* published, not updated */
    json_decref(a);
    a = item(spool, atom, "tag:courrier.example,2024:council");
    assert_string_equal(field(a, "text"), "Council meets & votes");
    assert_string_equal(field(a, "lang"), "en"); /* the entry's own xml:lang */
    json_decref(a);

    /* JSON Feed: one bad entry is skipped with one line naming feed and entry. */
    assert_int_equal(
        run_feed("--url", jf, "--spool", spool, "--once", "--ttl", "0", "--with-summary", NULL), 0);
    a = item(spool, jf, "kn-1");
    assert_string_equal(field(a, "text"), "Hujan deras di Jakarta — Banjir di Kemang.");
    assert_string_equal(field(a, "lang"), "id");
    assert_string_equal(field(a, "published"), "2024-03-04T23:52:00Z");
    json_decref(a);
    a = item(spool, jf, "42");
    assert_string_equal(field(a, "text"), "Kereta cepat tambah perjalanan — Empat perjalanan per "
                                          "hari");
    json_decref(a);
    a = item(spool, jf, "kn-en");
    assert_string_equal(field(a, "lang"), "en");
    json_decref(a);
    assert_null(item(spool, jf, "kn-empty"));
    char *line = kb_xasprintf("feed %s: entry 3 (\"kn-empty\"): field \"text\": empty after "
                              "trimming white space",
                              jf);
    if (count(g_log, line) != 1)
        fail_msg("expected one line \"%s\" in:\n%s", line, g_log);
    free(line);
    free(rss1);
    free(atom);
    free(jf);
    free(spool);
}

static void test_conditional_get(void **state)
{
    (void)state;
    SKIP_WITHOUT_SERVER();
    char *spool = fresh_spool("spool-cond");
    char *src = kb_xasprintf("%s/rss1.xml", g_root),
         *dst = kb_xasprintf("%s/live-cond.xml", g_root);
    char *text = slurp(src);
    spit(dst, text);
    char *u = url("/f/live-cond.xml");
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    assert_int_equal(count_files(spool, "feed-"), 2);
    assert_int_equal(requests("/f/live-cond.xml", "\"if_none_match\": null"), 1);
    /* The state file remembers the validators across processes. */
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    assert_int_equal(requests("/f/live-cond.xml", "\"status\": 304"), 1);
    assert_int_equal(requests("/f/live-cond.xml", "\"if_none_match\": \"\\\""), 1);
    assert_int_equal(requests("/f/live-cond.xml", "\"user_agent\": \"kabar/"), 2);
    assert_int_equal(count_files(spool, "feed-"), 2);
    /* Someone removed an item file: the next fetch is unconditional and puts it back. */
    char name[KB_FEED_FILE_NAME_MAX];
    kb_feed_file_name(u, "https://zeitung.example/a1", name);
    char *path = kb_xasprintf("%s/%s", spool, name);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    assert_int_equal(requests("/f/live-cond.xml", "\"if_none_match\": null"), 2);
    assert_int_equal(access(path, F_OK), 0);
    free(path);
    free(u);
    free(text);
    free(src);
    free(dst);
    free(spool);
}

static void test_failures_keep_items(void **state)
{
    (void)state;
    SKIP_WITHOUT_SERVER();
    char *spool = fresh_spool("spool-down");
    char *src = kb_xasprintf("%s/rss2-quirks.xml", g_root);
    char *dst = kb_xasprintf("%s/live-down.xml", g_root);
    char *status_file = kb_xasprintf("%s.status", dst);
    char *good = slurp(src);
    spit(dst, good);
    char *u = url("/f/live-down.xml");
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    assert_int_equal(count_files(spool, "feed-"), 5);

    spit(status_file, "500\n");
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 1);
    assert_non_null(strstr(g_log, "HTTP 500"));
    assert_int_equal(count(g_log, "\n"), 1); /* one line */
    assert_int_equal(count_files(spool, "feed-"), 5);
    unlink(status_file);

    char *broken = kb_xasprintf("%s/broken.xml", g_root);
    char *bad = slurp(broken);
    spit(dst, bad);
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 1);
    assert_non_null(strstr(g_log, "XML line"));
    assert_int_equal(count_files(spool, "feed-"), 5);
    spit(dst, "");
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 1);
    assert_int_equal(count_files(spool, "feed-"), 5);

    /* A server that never answers in time, and one that hangs up half-way. */
    char *slow = url("/slow/5/rss1.xml");
    double t0 = now_s();
    assert_int_equal(run_feed("--url", slow, "--spool", spool, "--once", "--timeout", "1s", NULL),
                     1);
    assert_true(now_s() - t0 < 4);
    assert_non_null(strstr(g_log, "timed out"));
    char *cut = url("/truncated/rss2-quirks.xml");
    assert_int_equal(run_feed("--url", cut, "--spool", spool, "--once", NULL), 1);
    assert_int_equal(count_files(spool, "feed-"), 5);
    char *gone = url("/f/no-such-feed.xml");
    assert_int_equal(run_feed("--url", gone, "--spool", spool, "--once", NULL), 1);
    assert_non_null(strstr(g_log, "HTTP 404"));
    free(gone);
    free(cut);
    free(slow);
    free(bad);
    free(broken);
    free(u);
    free(good);
    free(src);
    free(dst);
    free(status_file);
    free(spool);
}

static const char *rss_of(const char *const *guids, size_t n, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size,
                                  "<rss version=\"2.0\"><channel><title>Live</title>"
                                  "<language>en</language>");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, size - len,
                                "<item><title>Entry %s</title><guid>%s</guid>"
                                "<pubDate>Tue, 05 Mar 2024 10:%02zu:00 GMT</pubDate></item>",
                                guids[i], guids[i], i);
    snprintf(buf + len, size - len, "</channel></rss>");
    return buf;
}

static void test_retraction(void **state)
{
    (void)state;
    SKIP_WITHOUT_SERVER();
    char *spool = fresh_spool("spool-retract");
    char *dst = kb_xasprintf("%s/live-retract.xml", g_root);
    char *u = url("/f/live-retract.xml");
    char buf[4096];
    const char *abc[] = {"A", "B", "C"}, *ac[] = {"A", "C"}, *a[] = {"A"};
    spit(dst, rss_of(abc, 3, buf, sizeof(buf)));
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    assert_int_equal(count_files(spool, "feed-"), 3);
    /* Files that are not this feed's: never touched. */
    char *other = kb_xasprintf("%s/other.json", spool);
    char *foreign = kb_xasprintf("%s/feed-00000000-0123456789abcdef.json", spool);
    spit(other, "{\"id\":\"x\",\"lang\":\"en\",\"text\":\"hand-made\"}\n");
    spit(foreign, "{\"id\":\"y\",\"lang\":\"en\",\"text\":\"another feed\"}\n");

    spit(dst, rss_of(ac, 2, buf, sizeof(buf)));
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    json_t *b = item(spool, u, "B");
    assert_null(b);
    json_t *c = item(spool, u, "C");
    assert_non_null(c);
    json_decref(c);
    assert_int_equal(access(other, F_OK), 0);
    assert_int_equal(access(foreign, F_OK), 0);
    assert_int_equal(count_files(spool, "feed-"), 3); /* A, C and the foreign one */

    /* --keep-gone: C leaves the feed, its item stays. */
    spit(dst, rss_of(a, 1, buf, sizeof(buf)));
    assert_int_equal(
        run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", "--keep-gone", NULL), 0);
    c = item(spool, u, "C");
    assert_non_null(c);
    json_decref(c);
    /* Without it, it goes. */
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    assert_null(item(spool, u, "C"));
    /* Items past their ttl are not written (the ticker would drop them). */
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "1h", NULL), 0);
    assert_null(item(spool, u, "A"));
    assert_int_equal(access(foreign, F_OK), 0);
    free(other);
    free(foreign);
    free(dst);
    free(u);
    free(spool);
}

static void test_redirects(void **state)
{
    (void)state;
    SKIP_WITHOUT_SERVER();
    char *spool = fresh_spool("spool-redirect");
    char *five = url("/redirect/5/atom.xml"), *six = url("/redirect/6/atom.xml");
    assert_int_equal(run_feed("--url", five, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    json_t *a = item(spool, five, "tag:courrier.example,2024:tram");
    assert_non_null(a);
    json_decref(a);
    assert_int_equal(run_feed("--url", six, "--spool", spool, "--once", "--ttl", "0", NULL), 1);
    assert_non_null(strstr(g_log, "more than 5 redirects"));
    free(five);
    free(six);
    free(spool);
}

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void test_hostile(void **state)
{
    (void)state;
    SKIP_WITHOUT_SERVER();
    char *spool = fresh_spool("spool-hostile");
    long rss0 = max_rss_kib();
    char *xxe = url("/f/xxe.xml");
    assert_int_equal(run_feed("--url", xxe, "--spool", spool, "--once", "--ttl", "0", NULL), 0);
    json_t *a = item(spool, xxe, "xxe1");
    assert_string_equal(field(a, "text"), "Before after");
    json_decref(a);
    char *cmd = kb_xasprintf("grep -rqs -e SECRET-MARKER -e root: '%s'", spool);
    assert_int_not_equal(system(cmd), 0);
    free(cmd);
    assert_int_equal(requests("evil.dtd", NULL), 0);

    static const char *const refused[][2] = {
        {"/f/lol.xml", "XML"},
        {"/f/quadratic.xml", "entities expand"},
        {"/huge", "body over"},
        {"/f/html-page.xml", "not an RSS or Atom feed"},
    };
    for (size_t i = 0; i < 4; i++) {
        char *u = url(refused[i][0]);
        double t0 = now_s();
        assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", NULL), 1);
        double took = now_s() - t0;
        if (strstr(g_log, refused[i][1]) == NULL)
            fail_msg("%s: expected \"%s\" in: %s", refused[i][0], refused[i][1], g_log);
        if (took > 5)
            fail_msg("%s: took %.1f s", refused[i][0], took);
        free(u);
    }
    /* Memory: the 8 MiB body cap and the refusals keep the peak small (the
     * quadratic document would take 100 MB if expanded). ASan's shadow memory
     * inflates every figure, hence the generous bound. */
    long grew = max_rss_kib() - rss0;
    printf("hostile documents: peak RSS grew by %ld KiB\n", grew);
    assert_true(grew < 96 * 1024);
    assert_int_equal(count_files(spool, "feed-"), 1);
    free(xxe);
    free(spool);
}

static void test_max_and_timing(void **state)
{
    (void)state;
    SKIP_WITHOUT_SERVER();
    char *spool = fresh_spool("spool-max");
    char *dst = kb_xasprintf("%s/live-500.xml", g_root);
    size_t size = 500 * 400 + 256, len = 0;
    char *doc = kb_xmalloc(size);
    len += (size_t)snprintf(doc, size,
                            "<rss version=\"2.0\"><channel><title>Big</title>"
                            "<language>en</language>");
    for (int i = 0; i < 500; i++)
        len +=
            (size_t)snprintf(doc + len, size - len,
                             "<item><title>Headline number %d &amp; more</title><guid>big-%d</guid>"
                             "<description>&lt;p&gt;Summary %d&lt;/p&gt;</description>"
                             "<pubDate>%s, %02d Mar 2024 %02d:%02d:00 GMT</pubDate></item>",
                             i, i, i, "Tue", 1 + i / 100 % 28, i / 60 % 24, i % 60);
    snprintf(doc + len, size - len, "</channel></rss>");
    spit(dst, doc);
    char *u = url("/f/live-500.xml");
    assert_int_equal(
        run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", "--max", "50", NULL), 0);
    assert_int_equal(count_files(spool, "feed-"), 50);
    /* The 50 newest: 450..499. */
    json_t *a = item(spool, u, "big-499");
    assert_non_null(a);
    json_decref(a);
    assert_null(item(spool, u, "big-449"));

    double t0 = now_s();
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", "--max", "500",
                              "--with-summary", NULL),
                     0);
    double first = now_s() - t0;
    assert_int_equal(count_files(spool, "feed-"), 500);
    /* Unchanged (a server without validators would answer 200 each time). */
    char *ctype = kb_xasprintf("%s.ctype", dst);
    spit(ctype, "application/rss+xml");
    t0 = now_s();
    assert_int_equal(run_feed("--url", u, "--spool", spool, "--once", "--ttl", "0", "--max", "500",
                              "--with-summary", NULL),
                     0);
    double second = now_s() - t0;
    printf("500-entry feed: %.0f ms writing every item, %.0f ms for a 304 (sanitizer build)\n",
           first * 1000, second * 1000);
    assert_true(first < 30);
    free(ctype);
    free(u);
    free(doc);
    free(dst);
    free(spool);
}

static void test_follow_and_backoff(void **state)
{
    (void)state;
    SKIP_WITHOUT_SERVER();
    char *spool = fresh_spool("spool-follow");
    char *dst = kb_xasprintf("%s/live-follow.xml", g_root);
    char *status_file = kb_xasprintf("%s.status", dst);
    char buf[4096];
    const char *ab[] = {"A", "B"};
    spit(dst, rss_of(ab, 2, buf, sizeof(buf)));
    char *u = url("/f/live-follow.xml");
    char *log_path = kb_xasprintf("%s/follow.log", g_tmp);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, STDERR_FILENO);
        close(fd);
        char *argv[] = {"feed",    "--url", u,         "--spool",     spool,
                        "--every", "500ms", "--retry", "200ms",       "--retry-max",
                        "400ms",   "--ttl", "0",       "--no-jitter", "--log-level",
                        "info",    NULL};
        int status = kb_cmd_feed(16, argv);
        _exit(status);
    }
    char name[KB_FEED_FILE_NAME_MAX];
    kb_feed_file_name(u, "A", name);
    char *path = kb_xasprintf("%s/%s", spool, name);
    double t0 = now_s();
    while (access(path, F_OK) != 0 && now_s() - t0 < 10)
        sleep_s(0.05);
    assert_int_equal(access(path, F_OK), 0);

    /* Down for a while: a few retries, one line, items kept. */
    spit(status_file, "503\n");
    sleep_s(2.0);
    char *log = slurp(log_path);
    size_t lines = count(log, "retrying with backoff");
    size_t tries = requests("/f/live-follow.xml", "\"status\": 503");
    free(log);
    assert_int_equal(access(path, F_OK), 0);
    unlink(status_file);
    t0 = now_s();
    for (log = slurp(log_path); strstr(log, "back after") == NULL && now_s() - t0 < 10;
         log = slurp(log_path)) {
        free(log);
        sleep_s(0.1);
    }
    kill(pid, SIGTERM);
    int status = -1;
    for (t0 = now_s(); now_s() - t0 < 10; sleep_s(0.05)) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
    }
    if (!WIFEXITED(status)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("kabar feed did not stop on SIGTERM");
    }
    assert_int_equal(WEXITSTATUS(status), 0);
    if (lines != 1 || tries < 3 || strstr(log, "back after") == NULL)
        fail_msg("%zu failure lines, %zu tries; log:\n%s", lines, tries, log);
    free(log);
    free(path);
    free(log_path);
    free(u);
    free(dst);
    free(status_file);
    free(spool);
}

static void test_config_sections(void **state)
{
    (void)state;
    SKIP_WITHOUT_SERVER();
    char *spool = fresh_spool("spool-config");
    char *conf = kb_xasprintf("%s/kabar.conf", g_tmp);
    char *gazette = url("/f/rss2-quirks.xml"), *kabar = url("/f/feed.json");
    char *text = kb_xasprintf("# a ticker config with feeds\n"
                              "[screen]\nmode = headless\n\n"
                              "[spool]\nspool = %s\n\n"
                              "[feed gazette]\nurl = %s\nttl = 0\nmax = 3\n\n"
                              "[feed Kabar Nusantara]\nurl = %s\nttl = 0\nwith_summary = yes\n"
                              "lang = id\nfrobnicate = 1\n",
                              spool, gazette, kabar);
    spit(conf, text);
    assert_int_equal(run_feed("--config", conf, "--once", NULL), 0);
    assert_non_null(strstr(g_log, "unknown key \"frobnicate\""));
    json_t *a = item(spool, gazette, "gazette-tram-4");
    assert_memory_equal(field(a, "id"), "gazette-", 8);
    json_decref(a);
    a = item(spool, kabar, "kn-1");
    assert_memory_equal(field(a, "id"), "kabar-nusantara-", 16);
    assert_non_null(strstr(field(a, "text"), " — "));
    json_decref(a);
    char name[KB_FEED_FILE_NAME_MAX];
    kb_feed_file_prefix(gazette, name);
    assert_int_equal(count_files(spool, name), 3);

    free(text);
    text = kb_xasprintf("[feed bad]\nurl = ftp://example.org/rss\n");
    spit(conf, text);
    assert_int_equal(run_feed("--config", conf, "--spool", spool, "--once", NULL), 2);
    char *want = kb_xasprintf("%s:2: url: \"ftp://example.org/rss\": not an http", conf);
    assert_non_null(strstr(g_log, want));
    free(want);
    free(text);
    text = kb_xasprintf("[feed nourl]\nlang = fr\n");
    spit(conf, text);
    assert_int_equal(run_feed("--config", conf, "--spool", spool, "--once", NULL), 2);
    assert_non_null(strstr(g_log, "[feed nourl] has no url"));
    free(text);
    free(conf);
    free(gazette);
    free(kabar);
    free(spool);
}

static void test_usage(void **state)
{
    (void)state;
    assert_int_equal(run_feed(NULL), 2);
    assert_non_null(strstr(g_log, "no feed"));
    assert_int_equal(run_feed("--url", "http://127.0.0.1:1/x", NULL), 2);
    assert_non_null(strstr(g_log, "no spool"));
    assert_int_equal(run_feed("--url", "file:///etc/passwd", "--spool", "/tmp/x", NULL), 2);
    assert_int_equal(run_feed("--url", "http://h/x", "--spool", "/tmp/x", "--lang", "xx_YY", NULL),
                     2);
    assert_int_equal(
        run_feed("--url", "http://h/x", "--spool", "/tmp/x", "--once", "--every", "5m", NULL), 2);
    assert_int_equal(run_feed("--url", "http://h/x", "--spool", "/tmp/x", "--every", "soon", NULL),
                     2);
    assert_int_equal(run_feed("--bogus", NULL), 2);
    assert_non_null(strstr(kb_cmd_feed_usage, "--url URL"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_rss2_quirks),
        cmocka_unit_test(test_rss1_atom_json),
        cmocka_unit_test(test_conditional_get),
        cmocka_unit_test(test_failures_keep_items),
        cmocka_unit_test(test_retraction),
        cmocka_unit_test(test_redirects),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_max_and_timing),
        cmocka_unit_test(test_follow_and_backoff),
        cmocka_unit_test(test_config_sections),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
