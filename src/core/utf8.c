#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/limits.h"
#include "core/xmalloc.h"

bool kb_utf8_validate(const char *s, size_t len, size_t *bad_offset)
{
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0 || cp == 0) {
            if (bad_offset != NULL)
                *bad_offset = i;
            return false;
        }
        i += (size_t)n;
    }
    return true;
}

uint32_t kb_utf8_next(const char *s, size_t len, size_t *i)
{
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n =
        utf8proc_iterate((const utf8proc_uint8_t *)s + *i, (utf8proc_ssize_t)(len - *i), &cp);
    if (n <= 0) {
        *i += 1;
        return 0xfffd;
    }
    *i += (size_t)n;
    return (uint32_t)cp;
}

size_t kb_utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    }
    return n;
}

static bool is_line_break(uint32_t cp)
{
    return cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x0b || cp == 0x0c || cp == 0x85 ||
           cp == 0x2028 || cp == 0x2029;
}

static bool is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

static void put(char **buf, size_t *len, size_t *cap, uint32_t cp)
{
    if (*len + 4 >= *cap) {
        *cap = *cap * 2 + 16;
        *buf = kb_xrealloc(*buf, *cap);
    }
    *len += (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)*buf + *len);
}

/* Closers for what is still open at the end: PDF for embeddings and
 * overrides, PDI for isolates, innermost first. */
static void close_bidi(char **buf, size_t *len, size_t *cap, const uint8_t *stack, int depth)
{
    for (int i = depth - 1; i >= 0; i--)
        put(buf, len, cap, stack[i] ? 0x2069 : 0x202c);
}

char *kb_text_clean(const char *s, size_t len, size_t *out_len)
{
    size_t cap = len + 16, n = 0;
    char *buf = kb_xmalloc(cap);
    bool pending_space = false;
    /* 1 = isolate (closed by PDI), 0 = embedding or override (closed by PDF). */
    uint8_t stack[KB_BIDI_STACK_MAX];
    int depth = 0;

    size_t i = 0;
    while (i < len) {
        uint32_t cp = kb_utf8_next(s, len, &i);
        if (cp == ' ' || is_line_break(cp)) {
            pending_space = n > 0;
            continue;
        }
        if (is_control(cp))
            continue;
        switch (cp) {
        case 0x202a:
        case 0x202b:
        case 0x202d:
        case 0x202e: /* LRE RLE LRO RLO */
            if (depth < KB_BIDI_STACK_MAX)
                stack[depth++] = 0;
            else
                continue;
            break;
        case 0x2066:
        case 0x2067:
        case 0x2068: /* LRI RLI FSI */
            if (depth < KB_BIDI_STACK_MAX)
                stack[depth++] = 1;
            else
                continue;
            break;
        case 0x202c: /* PDF closes the innermost embedding, not across an isolate */
            if (depth > 0 && stack[depth - 1] == 0)
                depth--;
            else
                continue;
            break;
        case 0x2069: /* PDI closes the innermost isolate and what it contains */
        {
            int d = depth;
            while (d > 0 && stack[d - 1] == 0)
                d--;
            if (d == 0)
                continue;
            depth = d - 1;
        } break;
        default:
            break;
        }
        /* The space before a character only once it is kept: a stray PDF or
         * PDI, or an embedding past the stack, is dropped, and must not
         * leave a doubled or trailing space behind. */
        if (pending_space) {
            put(&buf, &n, &cap, ' ');
            pending_space = false;
        }
        put(&buf, &n, &cap, cp);
    }
    close_bidi(&buf, &n, &cap, stack, depth);
    buf[n] = '\0';

    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)buf, (utf8proc_ssize_t)n, &nfc,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (m < 0) {
        /* Only on allocation failure: the input was validated. Keep the unnormalised text. */
        if (out_len != NULL)
            *out_len = n;
        return buf;
    }
    free(buf);
    if (out_len != NULL)
        *out_len = (size_t)m;
    return (char *)nfc;
}
