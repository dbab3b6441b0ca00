#define LOG_MODULE "text"

#include <linebreak.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/utf8.h"
#include "core/xmalloc.h"
#include "text/line.h"
#include "text/line_internal.h"

static pthread_once_t linebreak_once = PTHREAD_ONCE_INIT;

/* libunibreak's lookup index, built once per process (its only state). */
static void linebreak_init(void)
{
    init_linebreak();
}

/* Where a line may end: ok[i] for i in 1..len says a line may end before
 * byte i of text (UAX #14 allows a break there, in language lang, and it
 * is a grapheme boundary); must[i] that it has to (a mandatory break). */
static void break_points(const char *text, size_t len, const char *lang, bool *ok, bool *must)
{
    /* Debian 12's libunibreak 1.1 fails an assertion (and aborts) on a
     * regional indicator next to anything: its pair table has the class,
     * its checks do not. Each one (4 bytes) is handed to it as U+20000 (4
     * bytes, an ideograph): a break may come between two flags, and the
     * grapheme rule below keeps the two halves of a flag together. */
    char *safe = kb_xstrndup(text, len);
    for (size_t i = 0; i + 3 < len; i++) {
        if ((unsigned char)safe[i] == 0xf0 && (unsigned char)safe[i + 1] == 0x9f &&
            (unsigned char)safe[i + 2] == 0x87 && (unsigned char)safe[i + 3] >= 0xa6 &&
            (unsigned char)safe[i + 3] <= 0xbf)
            memcpy(safe + i, "\xf0\xa0\x80\x80", 4);
    }
    char *brks = kb_xmalloc(len + 1);
    set_linebreaks_utf8((const utf8_t *)safe, len, lang, brks);
    free(safe);
    memset(ok, 0, len + 1);
    memset(must, 0, len + 1);
    for (size_t i = 0; i < len; i++) {
        ok[i + 1] = brks[i] == LINEBREAK_ALLOWBREAK || brks[i] == LINEBREAK_MUSTBREAK;
        must[i + 1] = brks[i] == LINEBREAK_MUSTBREAK && i + 1 < len;
    }
    free(brks);
    /* Never inside a grapheme, whatever the break classes say. */
    utf8proc_int32_t state = 0;
    size_t i = 0;
    uint32_t prev = 0;
    while (i < len) {
        size_t at = i;
        uint32_t cp = kb_utf8_next(text, len, &i);
        if (at > 0 &&
            !utf8proc_grapheme_break_stateful((utf8proc_int32_t)prev, (utf8proc_int32_t)cp, &state))
            ok[at] = must[at] = false;
        prev = cp;
    }
    ok[len] = true;
}

/* end moved back over the spaces before it (they hang at a line's end). */
static size_t trim_end(const char *text, size_t start, size_t end)
{
    while (end > start && text[end - 1] == ' ')
        end--;
    return end;
}

/* Lays out text[start, end) as a line of its own with the paragraph's base
 * direction. */
static struct kb_line *line_of(struct kb_faces *faces, const struct kb_line *para, size_t start,
                               size_t end, struct kb_error *err)
{
    return kb_line_layout_clean(faces, kb_xstrndup(para->text + start, end - start), end - start,
                                para->lang, para->base_dir, para->px, NULL, err);
}

size_t kb_line_wrap(struct kb_faces *faces, const char *text, size_t len, const char *lang,
                    enum kb_dir dir, int px, float max_width, size_t max_lines,
                    struct kb_line **out, struct kb_error *err)
{
    if (max_lines == 0) {
        kb_error_set(err, "no room for a line");
        return 0;
    }
    struct kb_line *para = kb_line_layout(faces, text, len, lang, dir, px, err);
    if (para == NULL)
        return 0;
    const char *t = para->text;
    size_t n = para->text_len;
    if (max_lines == 1 || para->width <= max_width) {
        out[0] = para;
        return 1;
    }
    pthread_once(&linebreak_once, linebreak_init);

    /* x[i]: the advance of everything before byte i, from the glyphs of
     * the whole paragraph (a glyph counts at its cluster's first byte). */
    float *x = kb_xcalloc(n + 1, sizeof(float));
    for (size_t g = 0; g < para->n_glyphs; g++) {
        if (para->glyphs[g].cluster < n)
            x[para->glyphs[g].cluster + 1] += para->glyphs[g].x_advance;
    }
    for (size_t i = 1; i <= n; i++)
        x[i] += x[i - 1];
    bool *ok = kb_xmalloc(2 * (n + 1));
    bool *must = ok + n + 1;
    break_points(t, n, para->lang, ok, must);

    size_t count = 0, start = 0;
    while (start < n) {
        size_t end = n; /* the last line holds the rest */
        if (count + 1 < max_lines) {
            /* Greedy: the last break at which the line still fits, else
             * (a word wider than the line) the first break at all. */
            size_t fit = 0, first = 0;
            for (size_t i = start + 1; i <= n; i++) {
                if (!ok[i])
                    continue;
                if (first == 0)
                    first = i;
                if (x[trim_end(t, start, i)] - x[start] > max_width)
                    break;
                fit = i;
                if (must[i])
                    break;
            }
            end = fit != 0 ? fit : first;
        }
        struct kb_line *l = line_of(faces, para, start, trim_end(t, start, end), err);
        if (l == NULL) {
            for (size_t k = 0; k < count; k++)
                kb_line_unref(out[k]);
            count = 0;
            break;
        }
        out[count++] = l;
        start = end;
        while (start < n && t[start] == ' ')
            start++;
    }
    free(x);
    free(ok);
    kb_line_unref(para);
    return count;
}
