/* Layout throughput: kb_line_layout over a generated 1,000-item
 * multilingual corpus, against raw hb_shape of the same runs with the same
 * fonts in the same process (the floor any layout on HarfBuzz pays).
 *
 * The kabar side is the whole pipeline: hygiene, font fallback, bidi,
 * itemisation, shaping with context, visual order, the line object. The
 * raw side is hb_shape alone on every run kabar produced, already
 * itemised, with one hb_font per font and one buffer, both made once and
 * reused (what a caller who got itemisation for free would pay). The ratio
 * says what kabar costs on top; the target is at least 0.5. Each side is
 * timed in several alternating rounds and its best round kept, so a busy
 * machine skews both alike.
 *
 * Then the glyph atlas the corpus needs at 64 px: the distinct (font,
 * glyph) pairs of the corpus laid out at 64 px, rasterised by FreeType as
 * the render layer's atlas does (colour bitmaps scaled to the line), each
 * taking (w + 2) x (h + 2) RGBA texels with its one-texel padding.
 *
 *   text_bench [CHAIN_FILE] [PX]
 */
#include <hb-ft.h>
#include <hb.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "text/fonts.h"
#include "text/line.h"

#define ITEMS 1000
/* Each round repeats the corpus until at least this much time has passed. */
#define ROUND_SECONDS 0.3
/* Rounds per side, alternating. */
#define ROUNDS 5
/* The size the atlas figure is for: a 1080p crawl's text. */
#define ATLAS_PX 64
/* The atlas's padding around a glyph, texels per side. */
#define ATLAS_PAD 1

struct item {
    char *text;
    const char *lang;
};

static const struct {
    const char *lang;
    const char *fmt;
} templates[] = {
    {"en", "Markets rally as inflation cools to %d.%d%% in March, the lowest since 2021"},
    {"ar", "ارتفاع أسعار النفط %d.%d%% بعد قرار أوبك خفض الإنتاج"},
    {"fa", "بارش برف در %d استان؛ جاده‌ها بسته شد (%d)"},
    {"he", "הממשלה אישרה תקציב של %d מיליארד ש״ח לשנת 20%d"},
    {"zh-Hans", "国家统计局：%d月份CPI同比上涨%d%%，直接影响骨干企业"},
    {"zh-Hant", "颱風%d號逼近，氣象局發布海上警報（%d時）"},
    {"ja", "東京株式市場、日経平均が%d円高で取引を終える（%d日）"},
    {"ko", "한국은행, 기준금리 %d.%d%% 동결 결정"},
    {"hi", "मानसून ने %d राज्यों में दस्तक दी, किसानों को राहत (%d)"},
    {"th", "กรุงเทพฯ ฝนตกหนัก %d เขต น้ำท่วมขัง %d จุด"},
    {"vi", "Việt Nam xuất khẩu %d triệu tấn gạo trong %d tháng"},
    {"ru", "Курс рубля: %d,%d за доллар на открытии торгов"},
    {"el", "Σεισμός %d,%d Ρίχτερ στην Κρήτη χωρίς ζημιές"},
    {"fr", "«\u202fNous tiendrons\u202f», affirme la ministre\u202f: %d %% des voix (%d)"},
    {"en", "Fans celebrate 🎉🇫🇷 after %d–%d win 👍🏽"},
    {"ar", "زوروا https://example.com/a/%d للمزيد — التحديث %d"},
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void make_corpus(struct item *items)
{
    size_t nt = sizeof(templates) / sizeof(templates[0]);
    for (int i = 0; i < ITEMS; i++) {
        size_t t = (size_t)i % nt;
        items[i].lang = templates[t].lang;
        items[i].text = kb_xasprintf(templates[t].fmt, i % 97 + 1, i % 13);
    }
}

/* One run, ready for hb_shape: the whole text is the context. */
struct hb_run {
    const char *text;
    int text_len;
    unsigned start, len;
    hb_font_t *font;
    hb_direction_t dir;
    hb_script_t script;
    hb_language_t lang;
};

static double time_kabar(struct kb_faces *faces, const struct item *items, int px)
{
    struct kb_error err = {{0}};
    size_t done = 0;
    double t0 = now(), t1;
    do {
        for (int i = 0; i < ITEMS; i++) {
            struct kb_line *l = kb_line_layout(faces, items[i].text, strlen(items[i].text),
                                               items[i].lang, KB_DIR_AUTO, px, &err);
            kb_line_unref(l);
        }
        done += ITEMS;
        t1 = now();
    } while (t1 - t0 < ROUND_SECONDS);
    return (double)done / (t1 - t0);
}

static double time_raw(hb_buffer_t *buf, const struct hb_run *runs, size_t n_runs)
{
    size_t done = 0;
    double t0 = now(), t1;
    do {
        for (size_t k = 0; k < n_runs; k++) {
            hb_buffer_clear_contents(buf);
            hb_buffer_add_utf8(buf, runs[k].text, runs[k].text_len, runs[k].start,
                               (int)runs[k].len);
            hb_buffer_set_direction(buf, runs[k].dir);
            hb_buffer_set_script(buf, runs[k].script);
            hb_buffer_set_language(buf, runs[k].lang);
            hb_shape(runs[k].font, buf, NULL, 0);
        }
        done += ITEMS;
        t1 = now();
    } while (t1 - t0 < ROUND_SECONDS);
    return (double)done / (t1 - t0);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The atlas bytes one glyph takes, as src/render/atlas.c rasterises it. */
static size_t glyph_bytes(struct kb_faces *faces, int font, uint32_t glyph, int px)
{
    FT_Face face = kb_faces_get(faces, font, px);
    if (face == NULL)
        return 0;
    bool color = kb_fonts_is_color(kb_faces_fonts(faces), font);
    FT_Int32 flags = color ? FT_LOAD_COLOR : (FT_LOAD_DEFAULT | FT_LOAD_TARGET_LIGHT);
    if (FT_Load_Glyph(face, glyph, flags) != 0)
        return 0;
    if (face->glyph->format != FT_GLYPH_FORMAT_BITMAP &&
        FT_Render_Glyph(face->glyph, FT_RENDER_MODE_NORMAL) != 0)
        return 0;
    const FT_Bitmap *bm = &face->glyph->bitmap;
    double s = 1.0;
    if (bm->pixel_mode == FT_PIXEL_MODE_BGRA && face->size->metrics.y_ppem > 0)
        s = (double)px / face->size->metrics.y_ppem;
    size_t w = (size_t)ceil(bm->width * s), h = (size_t)ceil(bm->rows * s);
    if (w == 0 || h == 0)
        return 0;
    return (w + 2 * ATLAS_PAD) * (h + 2 * ATLAS_PAD) * 4;
}

/* Distinct glyphs of the corpus at px and the atlas bytes they take. */
static size_t atlas_bytes(struct kb_fonts *fonts, const struct item *items, int px,
                          size_t *distinct)
{
    struct kb_faces *shaper = kb_faces_new(fonts);
    struct kb_faces *raster = kb_faces_new(fonts); /* as the render thread has its own */
    struct kb_error err = {{0}};
    size_t n = 0, cap = 4096;
    uint64_t *keys = kb_xreallocarray(NULL, cap, sizeof(uint64_t));
    for (int i = 0; i < ITEMS; i++) {
        struct kb_line *l = kb_line_layout(shaper, items[i].text, strlen(items[i].text),
                                           items[i].lang, KB_DIR_AUTO, px, &err);
        if (l == NULL)
            continue;
        for (size_t r = 0; r < l->n_runs; r++) {
            for (size_t k = 0; k < l->runs[r].n_glyphs; k++) {
                if (n == cap) {
                    cap *= 2;
                    keys = kb_xreallocarray(keys, cap, sizeof(uint64_t));
                }
                keys[n++] = (uint64_t)(uint32_t)l->runs[r].font << 32 |
                            l->glyphs[l->runs[r].first_glyph + k].id;
            }
        }
        kb_line_unref(l);
    }
    qsort(keys, n, sizeof(uint64_t), cmp_u64);
    size_t bytes = 0, d = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && keys[i] == keys[i - 1])
            continue;
        d++;
        bytes += glyph_bytes(raster, (int)(keys[i] >> 32), (uint32_t)keys[i], px);
    }
    free(keys);
    kb_faces_free(raster);
    kb_faces_free(shaper);
    *distinct = d;
    return bytes;
}

int main(int argc, char **argv)
{
    const char *chain = argc > 1 ? argv[1] : kb_fonts_default_chain();
    int px = argc > 2 ? atoi(argv[2]) : 48;
    struct kb_error err = {{0}};
    struct kb_fonts *fonts = kb_fonts_new(chain, &err);
    if (fonts == NULL) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    struct kb_faces *faces = kb_faces_new(fonts);
    struct item *items = kb_xcalloc(ITEMS, sizeof(*items));
    make_corpus(items);

    /* A first pass lays out every item (warming the faces and caches, as a
     * running ticker's are) and gives the runs for the raw side. */
    struct kb_line **lines = kb_xcalloc(ITEMS, sizeof(*lines));
    for (int i = 0; i < ITEMS; i++) {
        lines[i] = kb_line_layout(faces, items[i].text, strlen(items[i].text), items[i].lang,
                                  KB_DIR_AUTO, px, &err);
        if (lines[i] == NULL) {
            fprintf(stderr, "item %d: %s\n", i, err.msg);
            return 1;
        }
    }

    /* HarfBuzz alone: the same runs, fonts, directions, scripts, languages,
     * with the whole text as context, fonts and buffer made once. */
    int nf = kb_fonts_count(fonts);
    hb_font_t **hbfonts = kb_xcalloc((size_t)nf, sizeof(*hbfonts));
    size_t n_runs = 0;
    for (int i = 0; i < ITEMS; i++)
        n_runs += lines[i]->n_runs;
    struct hb_run *runs = kb_xcalloc(n_runs + 1, sizeof(*runs));
    /* The raw side's faces are its own, so the two never share a cache. */
    struct kb_faces *raw_faces = kb_faces_new(fonts);
    size_t r = 0;
    for (int i = 0; i < ITEMS; i++) {
        const struct kb_line *l = lines[i];
        for (size_t k = 0; k < l->n_runs; k++) {
            int id = l->runs[k].font;
            if (hbfonts[id] == NULL)
                hbfonts[id] = hb_ft_font_create_referenced(kb_faces_get(raw_faces, id, px));
            runs[r++] = (struct hb_run){
                .text = l->text,
                .text_len = (int)l->text_len,
                .start = l->runs[k].start,
                .len = l->runs[k].end - l->runs[k].start,
                .font = hbfonts[id],
                .dir = l->runs[k].dir == KB_DIR_RTL ? HB_DIRECTION_RTL : HB_DIRECTION_LTR,
                .script = hb_script_from_string(l->runs[k].script, -1),
                .lang = hb_language_from_string(l->lang, -1),
            };
        }
    }
    hb_buffer_t *buf = hb_buffer_create();
    time_raw(buf, runs, n_runs); /* warm HarfBuzz's caches for these fonts */

    double kabar_rate = 0, hb_rate = 0;
    for (int round = 0; round < ROUNDS; round++) {
        kabar_rate = fmax(kabar_rate, time_kabar(faces, items, px));
        hb_rate = fmax(hb_rate, time_raw(buf, runs, n_runs));
    }

    size_t glyphs = 0;
    for (int i = 0; i < ITEMS; i++)
        glyphs += lines[i]->n_glyphs;
    size_t distinct = 0;
    size_t atlas = atlas_bytes(fonts, items, ATLAS_PX, &distinct);
    printf("corpus: %d items, %zu runs, %zu glyphs, %d px\n", ITEMS, n_runs, glyphs, px);
    printf("kb_line_layout: %.0f items/s\n", kabar_rate);
    printf("hb_shape runs:  %.0f items/s\n", hb_rate);
    printf("ratio: %.2f (target >= 0.5)\n", kabar_rate / hb_rate);
    printf("atlas at %d px: %zu distinct glyphs, %zu bytes (%.1f MiB)\n", ATLAS_PX, distinct, atlas,
           (double)atlas / (1024.0 * 1024.0));

    hb_buffer_destroy(buf);
    for (int i = 0; i < nf; i++)
        hb_font_destroy(hbfonts[i]);
    free(hbfonts);
    kb_faces_free(raw_faces);
    free(runs);
    for (int i = 0; i < ITEMS; i++) {
        kb_line_unref(lines[i]);
        free(items[i].text);
    }
    free(lines);
    free(items);
    kb_faces_free(faces);
    kb_fonts_free(fonts);
    kb_log_shutdown();
    return kabar_rate / hb_rate >= 0.5 ? 0 : 2;
}
