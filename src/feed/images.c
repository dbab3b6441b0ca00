#include "feed/images.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define LOG_MODULE "feed"
#include "core/clock.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "feed/fetch.h"
#include "feed/store.h"
#include "spool/images_put.h"

#define ACCEPT_IMAGES "Accept: image/webp, image/jpeg, image/png;q=0.9"

/* One picture URL a feed met: its name in images/, or when it failed. */
struct known {
    char *url;
    char name[KB_IMAGE_HASH_NAME_SIZE]; /* "" when it failed */
    double failed_at;                   /* monotonic seconds */
};

struct kb_feed_images {
    struct known *v;
    size_t n, next; /* a ring once full: the oldest forgotten first */
};

void kb_feed_images_free(struct kb_feed_images *im)
{
    if (im == NULL)
        return;
    for (size_t i = 0; i < im->n; i++)
        free(im->v[i].url);
    free(im->v);
    free(im);
}

static struct known *find(struct kb_feed_images *im, const char *url)
{
    for (size_t i = 0; i < im->n; i++) {
        if (strcmp(im->v[i].url, url) == 0)
            return &im->v[i];
    }
    return NULL;
}

static struct known *remember(struct kb_feed_images *im, const char *url)
{
    struct known *k = find(im, url);
    if (k != NULL)
        return k;
    if (im->n < KB_FEED_IMAGES_KEPT) {
        im->v = kb_xreallocarray(im->v, im->n + 1, sizeof(*im->v));
        k = &im->v[im->n++];
    } else {
        k = &im->v[im->next];
        im->next = (im->next + 1) % KB_FEED_IMAGES_KEPT;
        free(k->url);
    }
    memset(k, 0, sizeof(*k));
    k->url = kb_xstrdup(url);
    return k;
}

void kb_feed_images_seed(struct kb_feed_images **imp, const struct kb_feed_state_image *v, size_t n)
{
    double mono = kb_clock_mono();
    int64_t wall = (int64_t)time(NULL);
    for (size_t i = 0; i < n; i++) {
        double left = 0; /* seconds before a failure is tried again */
        if (v[i].name[0] == '\0') {
            if (v[i].retry_at <= wall)
                continue; /* due now: as if never met */
            left = (double)(v[i].retry_at - wall);
            if (left > KB_FEED_IMAGE_RETRY_S)
                left = KB_FEED_IMAGE_RETRY_S; /* a clock set back, or a forged file */
        }
        if (*imp == NULL)
            *imp = kb_xcalloc(1, sizeof(**imp));
        struct known *k = remember(*imp, v[i].url);
        memcpy(k->name, v[i].name, sizeof(k->name));
        k->failed_at = 0;
        if (k->name[0] == '\0') {
            /* Monotonic seconds as if it had failed here; 0 means "try now". */
            k->failed_at = mono - (KB_FEED_IMAGE_RETRY_S - left);
            if (k->failed_at == 0)
                k->failed_at = -1e-9;
        }
    }
}

size_t kb_feed_images_export(const struct kb_feed_images *im, struct kb_feed_state_image **out)
{
    *out = NULL;
    if (im == NULL || im->n == 0)
        return 0;
    *out = kb_xcalloc(im->n, sizeof(**out));
    double mono = kb_clock_mono();
    int64_t wall = (int64_t)time(NULL);
    size_t m = 0;
    for (size_t j = 0; j < im->n; j++) {
        /* The ring from its oldest: next is 0 until it is full. */
        const struct known *k = &im->v[(im->next + j) % im->n];
        struct kb_feed_state_image *s = &(*out)[m];
        if (strlen(k->url) > KB_FEED_URL_MAX)
            continue; /* refused before any request: nothing to save */
        if (k->name[0] != '\0') {
            memcpy(s->name, k->name, sizeof(s->name));
        } else {
            double left = KB_FEED_IMAGE_RETRY_S - (mono - k->failed_at);
            if (k->failed_at == 0 || left <= 0)
                continue; /* due now */
            s->retry_at = wall + (int64_t)left + 1;
        }
        s->url = kb_xstrdup(k->url);
        m++;
    }
    if (m == 0) {
        free(*out);
        *out = NULL;
    }
    return m;
}

bool kb_feed_image_type(const char *content_type, int *format)
{
    if (content_type == NULL)
        return false;
    while (isspace((unsigned char)*content_type))
        content_type++;
    size_t n = strcspn(content_type, "; \t");
    static const struct {
        const char *type;
        enum kb_image_format f;
    } types[] = {{"image/png", KB_IMAGE_PNG},
                 {"image/jpeg", KB_IMAGE_JPEG},
                 {"image/jpg", KB_IMAGE_JPEG}, /* not registered, but sent by many servers */
                 {"image/pjpeg", KB_IMAGE_JPEG},
                 {"image/webp", KB_IMAGE_WEBP}};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strlen(types[i].type) == n && strncasecmp(content_type, types[i].type, n) == 0) {
            *format = (int)types[i].f;
            return true;
        }
    }
    return false;
}

/* Downloads url and checks it; on success its name in images/ is in name. */
static bool download(const struct kb_feed_image_opts *o, const char *url,
                     char name[KB_IMAGE_HASH_NAME_SIZE], struct kb_error *err)
{
    if (strlen(url) > KB_FEED_URL_MAX)
        return kb_error_set(err, "a URL over %d bytes", KB_FEED_URL_MAX);
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
        return kb_error_set(err, "not an http:// or https:// URL");
    struct kb_feed_fetch_opts fo = {
        url,     NULL,         NULL, o->connect_timeout_s, o->timeout_s, KB_IMAGE_FILE_MAX_BYTES,
        o->stop, ACCEPT_IMAGES};
    struct kb_feed_response res;
    enum kb_feed_fetch_result got = kb_feed_fetch(&fo, &res, err);
    if (got == KB_FEED_NOT_MODIFIED) {
        kb_feed_response_free(&res);
        return kb_error_set(err, "HTTP 304 to a request without validators");
    }
    if (got != KB_FEED_FETCHED)
        return false;
    int said = 0;
    struct kb_image_header hdr;
    struct kb_error why;
    bool ok = false;
    if (!kb_feed_image_type(res.content_type, &said))
        kb_error_set(err, "Content-Type \"%.60s\" is not image/png, image/jpeg or image/webp",
                     res.content_type != NULL ? res.content_type : "");
    else if (!kb_image_check(res.body, res.len, NULL, NULL, &hdr, &why))
        kb_error_set(err, "%s", why.msg);
    else if ((int)hdr.format != said)
        kb_error_set(err, "the server says %s, the bytes are %s", res.content_type,
                     kb_image_format_name(hdr.format));
    else
        ok = true;
    if (ok) {
        kb_image_hash_name(res.body, res.len, hdr.format, name);
        ok = kb_spool_image_put(o->spool, KB_FEED_WRITE_TAG, name, res.body, res.len, err) !=
             KB_IMAGE_PUT_FAILED;
    }
    kb_feed_response_free(&res);
    return ok;
}

/* True if dir/images/name is still there (someone may have removed it). */
static bool still_there(const char *spool, const char *name)
{
    char *path = kb_xasprintf("%s/" KB_SPOOL_IMAGES_DIR "/%s", spool, name);
    struct stat st;
    bool there = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return there;
}

void kb_feed_image_attach(struct kb_feed_images **imp, const struct kb_feed_image_opts *o,
                          const struct kb_feed_entry *e, json_t *obj, int *budget)
{
    if (e->image == NULL) {
        json_object_del(obj, "credit");
        return;
    }
    if (*imp == NULL)
        *imp = kb_xcalloc(1, sizeof(**imp));
    struct known *k = find(*imp, e->image);
    double now = kb_clock_mono();
    if (k != NULL && k->name[0] != '\0' && !still_there(o->spool, k->name))
        k->name[0] = '\0', k->failed_at = 0; /* removed meanwhile: fetch it again */
    bool retry = k == NULL || (k->name[0] == '\0' && now - k->failed_at >= KB_FEED_IMAGE_RETRY_S) ||
                 (k->name[0] == '\0' && k->failed_at == 0);
    if (retry && *budget > 0) {
        (*budget)--;
        k = remember(*imp, e->image);
        struct kb_error err;
        if (!download(o, e->image, k->name, &err)) {
            k->name[0] = '\0';
            k->failed_at = now > 0 ? now : 1e-9;
            /* Once per picture: the next fetches do not ask again for a while. */
            LOG_WARN_ONCE(e->image,
                          "feed %s: entry %zu: picture %.200s: %s; the item goes without it",
                          o->feed_url, e->index, e->image, err.msg);
        }
    }
    if (k != NULL && k->name[0] != '\0') {
        json_object_set_new(obj, "image", json_string(k->name));
    } else {
        json_object_del(obj, "credit");
    }
}
