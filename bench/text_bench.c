/* Layout throughput: kb_line_layout over a generated 1,000-item
 * multilingual corpus, against raw hb_shape of the same runs with the same
 * fonts in the same process (the floor any layout on HarfBuzz pays). The
 * ratio says what fallback, bidi, itemisation and libraqm cost on top;
 * the target is at least 0.5.
 *
 *   kabar-text-bench [CHAIN_FILE] [PX]
 */
#include <hb-ft.h>
#include <hb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "text/fonts.h"
#include "text/line.h"

#define ITEMS 1000
/* Each timing repeats the corpus until at least this much time has passed. */
#define MIN_SECONDS 1.0

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

    /* kabar: layout of every item. A first pass warms the faces and caches,
     * as a running ticker's are. */
    struct kb_line **lines = kb_xcalloc(ITEMS, sizeof(*lines));
    for (int i = 0; i < ITEMS; i++) {
        lines[i] = kb_line_layout(faces, items[i].text, strlen(items[i].text), items[i].lang,
                                  KB_DIR_AUTO, px, &err);
        if (lines[i] == NULL) {
            fprintf(stderr, "item %d: %s\n", i, err.msg);
            return 1;
        }
    }
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
    } while (t1 - t0 < MIN_SECONDS);
    double kabar_rate = (double)done / (t1 - t0);

    /* HarfBuzz alone: the same runs, fonts, directions, scripts, languages. */
    int nf = kb_fonts_count(fonts);
    hb_font_t **hbfonts = kb_xcalloc((size_t)nf, sizeof(*hbfonts));
    size_t n_runs = 0;
    for (int i = 0; i < ITEMS; i++)
        n_runs += lines[i]->n_runs;
    struct hb_run *runs = kb_xcalloc(n_runs + 1, sizeof(*runs));
    size_t r = 0;
    for (int i = 0; i < ITEMS; i++) {
        const struct kb_line *l = lines[i];
        for (size_t k = 0; k < l->n_runs; k++) {
            int id = l->runs[k].font;
            if (hbfonts[id] == NULL)
                hbfonts[id] = hb_ft_font_create_referenced(kb_faces_get(faces, id, px));
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
    done = 0;
    t0 = now();
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
    } while (t1 - t0 < MIN_SECONDS);
    double hb_rate = (double)done / (t1 - t0);

    size_t glyphs = 0;
    for (int i = 0; i < ITEMS; i++)
        glyphs += lines[i]->n_glyphs;
    printf("corpus: %d items, %zu runs, %zu glyphs, %d px\n", ITEMS, n_runs, glyphs, px);
    printf("kb_line_layout: %.0f items/s\n", kabar_rate);
    printf("hb_shape runs:  %.0f items/s\n", hb_rate);
    printf("ratio: %.2f (target >= 0.5)\n", kabar_rate / hb_rate);

    hb_buffer_destroy(buf);
    for (int i = 0; i < nf; i++)
        hb_font_destroy(hbfonts[i]);
    free(hbfonts);
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
