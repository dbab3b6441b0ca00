/* libFuzzer harness: the text path on random bytes in random languages.
 *
 * Input: a language tag, a 0x00 byte, one byte of options, then the text.
 * The text goes through what an item's text meets: kb_utf8_validate, then
 * (if valid) kb_text_clean, the font fallback, bidi, itemization and
 * shaping (kb_line_layout), the quote panel's wrapping (kb_line_wrap), and
 * the debug dumps. The fonts are opened once, from the shipped chain. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "core/utf8.h"
#include "spool/item.h"
#include "text/fonts.h"
#include "text/line.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kb_fonts *fonts;
static struct kb_faces *faces;

/* At exit, as kabar does: LeakSanitizer then reports only real leaks. */
static void close_fonts(void)
{
    kb_faces_free(faces);
    kb_fonts_free(fonts);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    kb_log_set_level(KB_LOG_QUIET);
    struct kb_error err;
    kb_error_clear(&err);
    const char *chain = getenv("KABAR_FUZZ_FONTS");
    fonts = kb_fonts_new(chain ? chain : kb_fonts_default_chain(), &err);
    if (fonts == NULL) {
        fprintf(stderr, "fuzz_text: %s\n", err.msg);
        exit(1);
    }
    faces = kb_faces_new(fonts);
    atexit(close_fonts);
    return 0;
}

static void check_line(const struct kb_line *line)
{
    /* The invariants the render layer relies on. */
    size_t glyphs = 0;
    for (size_t r = 0; r < line->n_runs; r++) {
        const struct kb_run *run = &line->runs[r];
        if (run->start > run->end || run->end > line->text_len)
            abort();
        if (run->first_glyph != glyphs)
            abort();
        glyphs += run->n_glyphs;
        if (run->font < 0 || run->font >= kb_fonts_count(fonts))
            abort();
    }
    if (glyphs != line->n_glyphs)
        abort();
    for (size_t g = 0; g < line->n_glyphs; g++) {
        if (line->glyphs[g].cluster > line->text_len)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Longer than any item's text could be: the spool caps it at KB_TEXT_MAX_BYTES. */
    if (size > 4 * KB_TEXT_MAX_BYTES)
        return 0;
    const uint8_t *nul = memchr(data, 0, size < KB_LANG_MAX + 1 ? size : KB_LANG_MAX + 1);
    char lang[KB_LANG_MAX + 1] = "en";
    size_t pos = 0;
    if (nul != NULL) {
        size_t n = (size_t)(nul - data);
        memcpy(lang, data, n);
        lang[n] = '\0';
        pos = n + 1;
        /* The spool lets only well-formed tags through; keep to its contract. */
        if (!kb_lang_tag_valid(lang))
            snprintf(lang, sizeof(lang), "%s", "und");
    }
    uint8_t opts = pos < size ? data[pos++] : 0;
    const char *raw = (const char *)data + pos;
    size_t len = size - pos;

    /* An exact-size copy: ASan catches a read past the end. */
    char *text = malloc(len ? len : 1);
    if (text == NULL)
        return 0;
    memcpy(text, raw, len);

    size_t bad = 0;
    if (!kb_utf8_validate(text, len, &bad)) {
        if (bad >= len)
            abort();
        free(text);
        return 0;
    }
    size_t clean_len = 0;
    char *clean = kb_text_clean(text, len, &clean_len);
    if (strlen(clean) != clean_len || !kb_utf8_validate(clean, clean_len, NULL))
        abort();
    /* Cleaning is idempotent: a stored item cleaned again stays the same. */
    size_t again_len = 0;
    char *again = kb_text_clean(clean, clean_len, &again_len);
    if (again_len != clean_len || memcmp(again, clean, clean_len) != 0)
        abort();
    free(again);

    enum kb_dir dir = (enum kb_dir)(opts % 3);
    static const int sizes[] = {24, 64, 9, 160};
    int px = sizes[(opts >> 2) & 3];
    struct kb_error err;
    kb_error_clear(&err);
    struct kb_line *line = kb_line_layout(faces, text, len, lang, dir, px, &err);
    if (line != NULL) {
        check_line(line);
        if (opts & 0x10) {
            char *json = kb_line_to_json(line, fonts);
            free(json);
        }
        kb_line_unref(line);
    }
    if (opts & 0x20) {
        struct kb_line *lines[3] = {NULL, NULL, NULL};
        float width = (opts & 0x40) ? 40.0f : 600.0f;
        size_t n = kb_line_wrap(faces, clean, clean_len, lang, dir, px, width, 3, lines, &err);
        if (n > 3)
            abort();
        for (size_t i = 0; i < n; i++) {
            check_line(lines[i]);
            kb_line_unref(lines[i]);
        }
    }
    if (opts & 0x80) {
        size_t uncovered = 0;
        char *report = kb_fonts_report(faces, text, len, lang, &uncovered);
        free(report);
    }
    free(clean);
    free(text);
    return 0;
}
