/* The pure helpers of `kabar feed`: HTML reduced to text, stable hashes for
 * ids, and the id prefix made from a source name or a host (feeds' dates are
 * read by core/date.h). No I/O, no global state. */
#ifndef KB_APP_FEED_TEXT_H
#define KB_APP_FEED_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A text that grows up to max bytes, the rest of what is added dropped
 * (a field's cap). s is always NUL-terminated; the caller frees it. */
struct kb_feed_buf {
    char *s;
    size_t len, cap, max;
};

void kb_feed_buf_add(struct kb_feed_buf *b, const char *s, size_t n);

/* Reduces an HTML fragment (UTF-8) to its text: tags dropped, entities
 * decoded, <script> and <style> left out, a space where a block element or
 * <br> separates words. White space is not collapsed here (kb_text_clean
 * does that). Input past KB_FEED_FIELD_MAX bytes is ignored. Returns a new
 * string the caller frees (never NULL; "" for no text). */
char *kb_feed_html_to_text(const char *html, size_t len);

/* True for the HTML elements whose edges separate words (p, div, li, br,
 * td ...): without a space there "<p>a</p><p>b</p>" would read "ab". */
bool kb_feed_html_block(const char *name);

/* True if s looks like it holds markup or entities ("<b>", "</", "&amp;",
 * "&#233;"): fields that should be plain text but often are not (RSS
 * titles) are reduced only then, so "a < b" stays as written. */
bool kb_feed_looks_like_html(const char *s);

/* Decodes base64 (RFC 4648, the standard alphabet; white space anywhere
 * and missing "=" padding tolerated, as Atom 0.3 mode="base64" content is
 * written in the wild). Returns a new NUL-terminated string of *out_len
 * bytes the caller frees, or NULL when s holds anything else. */
char *kb_feed_base64_decode(const char *s, size_t len, size_t *out_len);

/* A stable 64-bit hash of a and then b (b may be NULL): FNV-1a with a
 * final mix. Not cryptographic: ids only need to be stable across runs and
 * distinct within a spool, and a feed can only collide its own entries. */
uint64_t kb_feed_hash(const char *a, const char *b);

/* Makes an id prefix from a name (a source, a config section, a host):
 * lower-case ASCII letters and digits kept, every other run of characters
 * one "-", at most KB_FEED_PREFIX_MAX bytes, no leading or trailing "-".
 * out has room for KB_FEED_PREFIX_MAX + 1 bytes. Returns false (out "") if
 * nothing usable is left (a name in another script, say). */
bool kb_feed_slug(const char *name, char *out);

/* The host of an http(s) URL, lower-cased, without port or user info, into
 * out (size bytes). Returns false if url has no host. */
bool kb_feed_url_host(const char *url, char *out, size_t size);

/* Cuts valid UTF-8 s in place to at most max bytes on a code point boundary,
 * adding "…" when it cut (the result, with it, stays within max). */
void kb_feed_truncate_utf8(char *s, size_t max);

/* Parses a duration: "500ms", "30s", "5m", "2h", "1d", or plain seconds.
 * Returns false for anything else, negative or above ten years. */
bool kb_feed_duration_parse(const char *s, double *seconds);

#endif
