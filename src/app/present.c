#include "app/present.h"

#include <string.h>
#include <strings.h>

#include "core/xmalloc.h"

/* Quotation conventions by language (docs/presentation.md has the table).
 * The narrow no-break space U+202F sits inside French guillemets. Order
 * matters: a longer tag before its prefix. */
static const struct kb_quote_style styles[] = {
    {"fr", "\u00ab\u202f", "\u202f\u00bb", ", a d\u00e9clar\u00e9 "},
    {"de", "\u201e", "\u201c", " \u2013 "},
    {"en", "\u201c", "\u201d", " \u2014 "},
    {"es", "\u00ab", "\u00bb", " \u2014 "},
    {"pt-BR", "\u201c", "\u201d", " \u2014 "},
    {"pt", "\u00ab", "\u00bb", " \u2014 "},
    {"it", "\u00ab", "\u00bb", " \u2014 "},
    {"nl", "\u201c", "\u201d", " \u2014 "},
    {"pl", "\u201e", "\u201d", " \u2014 "},
    {"cs", "\u201e", "\u201c", " \u2013 "},
    {"sv", "\u201d", "\u201d", " \u2013 "},
    {"ru", "\u00ab", "\u00bb", " \u2014 "},
    {"uk", "\u00ab", "\u00bb", " \u2014 "},
    {"el", "\u00ab", "\u00bb", " \u2014 "},
    {"tr", "\u201c", "\u201d", " \u2014 "},
    {"id", "\u201c", "\u201d", " \u2014 "},
    {"ms", "\u201c", "\u201d", " \u2014 "},
    {"vi", "\u201c", "\u201d", " \u2014 "},
    {"ar", "\u00ab", "\u00bb", " \u2014 "},
    {"fa", "\u00ab", "\u00bb", " \u2014 "},
    {"he", "\"", "\"", " \u2014 "},
    {"hi", "\u201c", "\u201d", " \u2014 "},
    {"th", "\u201c", "\u201d", " \u2014 "},
    {"ko", "\u201c", "\u201d", " \u2014 "},
    {"ja", "\u300c", "\u300d", "\u2015\u2015"},
    {"zh-Hant", "\u300c", "\u300d", "\u2014\u2014"},
    {"zh-TW", "\u300c", "\u300d", "\u2014\u2014"},
    {"zh-HK", "\u300c", "\u300d", "\u2014\u2014"},
    {"zh", "\u201c", "\u201d", "\u2014\u2014"},
};

static bool tag_matches(const char *lang, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncasecmp(lang, prefix, n) == 0 && (lang[n] == '\0' || lang[n] == '-');
}

const struct kb_quote_style *kb_quote_style(const char *lang)
{
    for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
        if (tag_matches(lang, styles[i].lang))
            return &styles[i];
    }
    return &styles[2];
}

char *kb_present_text(const struct kb_item *item)
{
    if (item->kind != KB_KIND_QUOTE)
        return kb_xstrdup(item->text);
    const struct kb_quote_style *s = kb_quote_style(item->lang);
    const char *by = item->by != NULL ? item->by : "";
    return kb_xasprintf("%s%s%s%s%s", s->open, item->text, s->close, by[0] ? s->attribution : "",
                        by);
}

struct word {
    const char *lang, *label, *idle, *breaking, *stale; /* stale: %s is the time */
};

static const struct word words[] = {
    {"fr", "INFO", "En attente des informations\u2026", "ALERTE INFO",
     "flux inchang\u00e9 depuis %s"},
    {"id", "BERITA", "Menunggu berita\u2026", "BERITA TERKINI", "umpan tak berubah sejak %s"},
    {"ms", "BERITA", "Menunggu berita\u2026", "BERITA TERKINI", "suapan tidak berubah sejak %s"},
    {"ar", "\u0623\u062e\u0628\u0627\u0631",
     "\u0628\u0627\u0646\u062a\u0638\u0627\u0631 \u0627\u0644\u0623\u062e\u0628\u0627\u0631\u2026",
     "\u0639\u0627\u062c\u0644",
     "\u0644\u0645 \u064a\u062a\u063a\u064a\u0631 \u0627\u0644\u0645\u0635\u062f\u0631 "
     "\u0645\u0646\u0630 %s"},
    {"zh-Hant", "\u65b0\u805e", "\u7b49\u5f85\u65b0\u805e\u2026", "\u5feb\u8a0a",
     "\u8cc7\u8a0a\u4f86\u6e90\u81ea %s \u8d77\u672a\u66f4\u65b0"},
    {"zh", "\u65b0\u95fb", "\u7b49\u5f85\u65b0\u95fb\u2026", "\u7a81\u53d1",
     "\u4fe1\u606f\u6e90\u81ea %s \u8d77\u672a\u66f4\u65b0"},
    {"ja", "\u30cb\u30e5\u30fc\u30b9",
     "\u30cb\u30e5\u30fc\u30b9\u3092\u5f85\u3063\u3066\u3044\u307e\u3059\u2026", "\u901f\u5831",
     "%s \u4ee5\u964d\u66f4\u65b0\u306a\u3057"},
    {"ko", "\ub274\uc2a4", "\ub274\uc2a4\ub97c \uae30\ub2e4\ub9ac\ub294 \uc911\u2026",
     "\uc18d\ubcf4", "%s \uc774\ud6c4 \uc5c5\ub370\uc774\ud2b8 \uc5c6\uc74c"},
    {"de", "NACHRICHTEN", "Warten auf Nachrichten\u2026", "EILMELDUNG",
     "Quelle unver\u00e4ndert seit %s"},
    {"es", "NOTICIAS", "Esperando noticias\u2026", "\u00daLTIMA HORA",
     "fuente sin cambios desde las %s"},
    {"he", "\u05d7\u05d3\u05e9\u05d5\u05ea",
     "\u05de\u05de\u05ea\u05d9\u05e0\u05d9\u05dd \u05dc\u05d7\u05d3\u05e9\u05d5\u05ea\u2026",
     "\u05de\u05d1\u05d6\u05e7",
     "\u05d4\u05de\u05e7\u05d5\u05e8 \u05dc\u05d0 \u05d4\u05ea\u05e2\u05d3\u05db\u05df "
     "\u05de\u05d0\u05d6 %s"},
    {"hi", "\u0938\u092e\u093e\u091a\u093e\u0930",
     "\u0938\u092e\u093e\u091a\u093e\u0930 \u0915\u0940 "
     "\u092a\u094d\u0930\u0924\u0940\u0915\u094d\u0937\u093e\u2026",
     "\u0924\u093e\u091c\u093c\u093e \u0916\u093c\u092c\u0930",
     "%s \u0938\u0947 \u0915\u094b\u0908 \u0928\u0908 \u0916\u093c\u092c\u0930 "
     "\u0928\u0939\u0940\u0902"},
    {"en", "NEWS", "Waiting for news\u2026", "BREAKING", "feed stale since %s"},
};

static const struct word *word_for(const char *lang)
{
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (tag_matches(lang, words[i].lang))
            return &words[i];
    }
    return &words[sizeof(words) / sizeof(words[0]) - 1];
}

const char *kb_present_label(const char *screen_lang)
{
    return word_for(screen_lang)->label;
}

const char *kb_present_idle(const char *screen_lang)
{
    return word_for(screen_lang)->idle;
}

const char *kb_present_breaking(const char *screen_lang)
{
    return word_for(screen_lang)->breaking;
}

/* fmt with its one %s replaced by arg; never a printf format, so text from
 * tables and config cannot reach one. The caller frees it. */
static char *subst(const char *fmt, const char *arg)
{
    const char *pct = strstr(fmt, "%s");
    if (pct == NULL)
        return kb_xstrdup(fmt);
    size_t head = (size_t)(pct - fmt);
    char *out = kb_xmalloc(strlen(fmt) + strlen(arg) + 1);
    memcpy(out, fmt, head);
    strcpy(out + head, arg);
    strcat(out, pct + 2);
    return out;
}

char *kb_present_stale(const char *screen_lang, const char *since)
{
    return subst(word_for(screen_lang)->stale, since);
}

/* Names of source languages as they read inside each badge language's
 * phrase, with the phrase around them. Languages not in the table get the
 * English phrase; a source language not in it is named by its tag. */
struct badge_lang {
    const char *lang;     /* the badge's (the item's) language */
    const char *fmt;      /* %s: the source language's name from names[] */
    const char *names[7]; /* id, en, fr, ar, zh, ja, and the generic "another language" */
};

static const char *const badge_sources[] = {"id", "en", "fr", "ar", "zh", "ja"};

static const struct badge_lang badges[] = {
    {"fr",
     "traduit automatiquement %s",
     {"de l\u2019indon\u00e9sien", "de l\u2019anglais", "du fran\u00e7ais", "de l\u2019arabe",
      "du chinois", "du japonais", "d\u2019une autre langue"}},
    {"en",
     "machine-translated from %s",
     {"Indonesian", "English", "French", "Arabic", "Chinese", "Japanese", "another language"}},
    {"id",
     "terjemahan mesin dari %s",
     {"bahasa Indonesia", "bahasa Inggris", "bahasa Prancis", "bahasa Arab", "bahasa Tionghoa",
      "bahasa Jepang", "bahasa lain"}},
    {"ar",
     "\u062a\u0631\u062c\u0645\u0629 \u0622\u0644\u064a\u0629 \u0645\u0646 %s",
     {"\u0627\u0644\u0625\u0646\u062f\u0648\u0646\u064a\u0633\u064a\u0629",
      "\u0627\u0644\u0625\u0646\u062c\u0644\u064a\u0632\u064a\u0629",
      "\u0627\u0644\u0641\u0631\u0646\u0633\u064a\u0629",
      "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\u0627\u0644\u0635\u064a\u0646\u064a\u0629",
      "\u0627\u0644\u064a\u0627\u0628\u0627\u0646\u064a\u0629",
      "\u0644\u063a\u0629 \u0623\u062e\u0631\u0649"}},
    {"zh-Hant",
     "\u6a5f\u5668\u7ffb\u8b6f\u81ea%s",
     {"\u5370\u5c3c\u8a9e", "\u82f1\u8a9e", "\u6cd5\u8a9e", "\u963f\u62c9\u4f2f\u8a9e",
      "\u4e2d\u6587", "\u65e5\u8a9e", "\u5176\u4ed6\u8a9e\u8a00"}},
    {"zh",
     "\u673a\u5668\u7ffb\u8bd1\u81ea%s",
     {"\u5370\u5c3c\u8bed", "\u82f1\u8bed", "\u6cd5\u8bed", "\u963f\u62c9\u4f2f\u8bed",
      "\u4e2d\u6587", "\u65e5\u8bed", "\u5176\u4ed6\u8bed\u8a00"}},
    {"ja",
     "%s\u304b\u3089\u306e\u6a5f\u68b0\u7ffb\u8a33",
     {"\u30a4\u30f3\u30c9\u30cd\u30b7\u30a2\u8a9e", "\u82f1\u8a9e",
      "\u30d5\u30e9\u30f3\u30b9\u8a9e", "\u30a2\u30e9\u30d3\u30a2\u8a9e", "\u4e2d\u56fd\u8a9e",
      "\u65e5\u672c\u8a9e", "\u4ed6\u8a00\u8a9e"}},
};

char *kb_present_badge(const char *lang, const char *from)
{
    const struct badge_lang *b = &badges[1];
    for (size_t i = 0; i < sizeof(badges) / sizeof(badges[0]); i++) {
        if (tag_matches(lang, badges[i].lang)) {
            b = &badges[i];
            break;
        }
    }
    const char *name = b->names[6];
    for (size_t i = 0; i < sizeof(badge_sources) / sizeof(badge_sources[0]); i++) {
        if (tag_matches(from, badge_sources[i]))
            name = b->names[i];
    }
    return subst(b->fmt, name);
}

bool kb_present_rtl(const char *lang)
{
    static const char *const rtl[] = {"ar", "he", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"};
    for (size_t i = 0; i < sizeof(rtl) / sizeof(rtl[0]); i++) {
        if (tag_matches(lang, rtl[i]))
            return true;
    }
    /* A script subtag decides over the language: az-Arab, pa-Arab, ... */
    return strstr(lang, "-Arab") != NULL || strstr(lang, "-Hebr") != NULL;
}

char *kb_present_attribution(const char *lang, const char *by)
{
    /* Japanese and Chinese set a double dash before the speaker, no space. */
    if (tag_matches(lang, "ja") || tag_matches(lang, "zh"))
        return kb_xasprintf("\u2015\u2015%s", by);
    return kb_xasprintf("\u2014 %s", by);
}
