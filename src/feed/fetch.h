/* Fetching a feed over HTTP(S) with libcurl: a conditional GET with the
 * validators of the last good fetch, connect and total timeouts, a body
 * cap enforced as the bytes arrive, at most KB_FEED_REDIRECTS_MAX redirects
 * and only to http or https, compressed transfer accepted (the cap counts
 * decoded bytes). curl_global_init must have run. */
#ifndef KB_APP_FEED_FETCH_H
#define KB_APP_FEED_FETCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct kb_feed_fetch_opts {
    const char *url;
    const char *etag;          /* sent as If-None-Match; NULL for none */
    const char *last_modified; /* sent as If-Modified-Since, verbatim; NULL for none */
    double connect_timeout_s;
    double timeout_s; /* the whole transfer */
    size_t max_bytes; /* body cap; 0: KB_FEED_BODY_MAX */
    volatile sig_atomic_t
        *stop;          /* a transfer in progress gives up when *stop is set; may be NULL */
    const char *accept; /* the Accept header ("Accept: ..."); NULL: the feed formats */
};

enum kb_feed_fetch_result {
    KB_FEED_FETCHED,      /* a 2xx with a body */
    KB_FEED_NOT_MODIFIED, /* 304: what is in the spool stands */
    KB_FEED_FETCH_FAILED, /* err says why in one line */
};

/* What a fetch brought. Every string is owned here (free with
 * kb_feed_response_free); NULL when absent. */
struct kb_feed_response {
    long status;
    char *url;  /* where the body came from, after redirects: the base of its relative links */
    char *body; /* NUL-terminated after len bytes */
    size_t len;
    char *content_type;
    char *etag;
    char *last_modified;
};

enum kb_feed_fetch_result kb_feed_fetch(const struct kb_feed_fetch_opts *o,
                                        struct kb_feed_response *res, struct kb_error *err);
void kb_feed_response_free(struct kb_feed_response *res);

/* "kabar/0.1.0 (+feed)" */
const char *kb_feed_user_agent(void);

#endif
