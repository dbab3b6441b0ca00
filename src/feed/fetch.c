#include "feed/fetch.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/limits.h"
#include "core/xmalloc.h"
#include "kabar_build.h"

#define ACCEPT                                                                                     \
    "Accept: application/rss+xml, application/atom+xml, application/feed+json, "                   \
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, "   \
    "*/*;q=0.5"

const char *kb_feed_user_agent(void)
{
    return "kabar/" KABAR_VERSION " (+feed)";
}

struct body {
    char *data;
    size_t len, cap, max;
    bool over;
};

/* Stops the transfer once the body passes the cap: returning less than
 * asked makes curl fail with CURLE_WRITE_ERROR, so a feed that never ends
 * costs max bytes, not memory without end. */
static size_t on_body(char *ptr, size_t size, size_t n, void *user)
{
    struct body *b = user;
    size_t add = size * n;
    if (add > b->max - b->len) {
        b->over = true;
        return 0;
    }
    if (b->len + add + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64 * 1024;
        while (cap < b->len + add + 1)
            cap *= 2;
        b->data = kb_xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, add);
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    volatile sig_atomic_t *stop = user;
    return stop != NULL && *stop ? 1 : 0;
}

/* A header of the last response (after redirects), copied; NULL if absent.
 * Values with control characters are refused: they go back out in the next
 * request. */
static char *header(CURL *curl, const char *name)
{
    struct curl_header *h;
    if (curl_easy_header(curl, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || h->value[0] == '\0')
        return NULL;
    for (const char *p = h->value; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return NULL;
    }
    return kb_xstrndup(h->value, 1024);
}

void kb_feed_response_free(struct kb_feed_response *res)
{
    free(res->url);
    free(res->body);
    free(res->content_type);
    free(res->etag);
    free(res->last_modified);
    memset(res, 0, sizeof(*res));
}

enum kb_feed_fetch_result kb_feed_fetch(const struct kb_feed_fetch_opts *o,
                                        struct kb_feed_response *res, struct kb_error *err)
{
    memset(res, 0, sizeof(*res));
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        kb_error_set(err, "cannot start a transfer (curl_easy_init)");
        return KB_FEED_FETCH_FAILED;
    }
    struct body body = {NULL, 0, 0, o->max_bytes ? o->max_bytes : KB_FEED_BODY_MAX, false};
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = curl_slist_append(NULL, o->accept != NULL ? o->accept : ACCEPT);
    char *line = NULL;
    if (o->etag != NULL) {
        line = kb_xasprintf("If-None-Match: %s", o->etag);
        headers = curl_slist_append(headers, line);
        free(line);
    }
    if (o->last_modified != NULL) {
        line = kb_xasprintf("If-Modified-Since: %s", o->last_modified);
        headers = curl_slist_append(headers, line);
        free(line);
    }
    curl_easy_setopt(curl, CURLOPT_URL, o->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, (long)KB_FEED_REDIRECTS_MAX);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)(o->connect_timeout_s * 1000));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)(o->timeout_s * 1000));
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)body.max);
    /* No signals from curl's resolver: the process handles SIGTERM itself. */
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, kb_feed_user_agent());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl can decode */
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)o->stop);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);

    enum kb_feed_fetch_result result = KB_FEED_FETCH_FAILED;
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
    if (body.over || rc == CURLE_FILESIZE_EXCEEDED) {
        kb_error_set(err, "body over %zu KiB: refused", body.max / 1024);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        kb_error_set(err, "timed out (%s)", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else if (rc == CURLE_TOO_MANY_REDIRECTS) {
        kb_error_set(err, "more than %d redirects", KB_FEED_REDIRECTS_MAX);
    } else if (rc != CURLE_OK) {
        kb_error_set(err, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else if (res->status == 304) {
        result = KB_FEED_NOT_MODIFIED;
    } else if (res->status < 200 || res->status > 299) {
        kb_error_set(err, "HTTP %ld", res->status);
    } else if (body.len == 0) {
        kb_error_set(err, "HTTP %ld with an empty body", res->status);
    } else {
        result = KB_FEED_FETCHED;
        char *ct = NULL;
        curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
        res->content_type = ct != NULL ? kb_xstrndup(ct, 256) : NULL;
        char *effective = NULL;
        curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
        res->url = kb_xstrdup(effective != NULL ? effective : o->url);
        res->etag = header(curl, "ETag");
        res->last_modified = header(curl, "Last-Modified");
        res->body = body.data;
        res->len = body.len;
        body.data = NULL;
    }
    free(body.data);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return result;
}
