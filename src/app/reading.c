#include "app/reading.h"

#include <string.h>
#include <utf8proc.h>

#include "core/utf8.h"

/* Time to find where a text starts, once it is up. */
#define FIND_S 1.5

/* Reading rates. The measured ones are the mean silent reading speeds of
 * the International Reading Speed Texts (Trauzettel-Klosinski and Dietz,
 * Investigative Ophthalmology & Visual Science 53(9), 2012), words a
 * minute, or characters a minute for Chinese and Japanese. Scripts written
 * without spaces between words (Thai, Lao, Khmer, Myanmar) are counted by
 * letters at a rate near Japanese's. A wall is read from across a room, so
 * every rate is taken at 80 %. Anything else: 180 words a minute. */
struct rate {
    const char *lang; /* a language tag's first subtag */
    double per_min;
    int by_chars;
};

static const struct rate RATES[] = {
    {"ar", 138, 0}, {"zh", 255, 1}, {"nl", 202, 0}, {"en", 228, 0}, {"fi", 161, 0}, {"fr", 195, 0},
    {"de", 179, 0}, {"he", 187, 0}, {"it", 188, 0}, {"ja", 357, 1}, {"pl", 166, 0}, {"pt", 181, 0},
    {"ru", 184, 0}, {"sl", 180, 0}, {"es", 218, 0}, {"sv", 199, 0}, {"tr", 166, 0}, {"th", 350, 1},
    {"lo", 350, 1}, {"km", 350, 1}, {"my", 350, 1}, {"fa", 138, 0}, {"ur", 138, 0}, {"ps", 138, 0},
};
#define TAKEN 0.8
#define DEFAULT_WPM 180

static const struct rate *rate_of(const char *lang)
{
    size_t n = strcspn(lang, "-_");
    for (size_t i = 0; i < sizeof(RATES) / sizeof(RATES[0]); i++) {
        if (strlen(RATES[i].lang) == n && strncmp(RATES[i].lang, lang, n) == 0)
            return &RATES[i];
    }
    return NULL;
}

static bool is_letter(uint32_t cp)
{
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

double kb_reading_seconds(const char *text, size_t len, const char *lang)
{
    const struct rate *r = rate_of(lang != NULL ? lang : "");
    size_t words = 0, letters = 0, i = 0;
    bool in_word = false;
    while (i < len) {
        uint32_t cp = kb_utf8_next(text, len, &i);
        utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
        bool space = c == UTF8PROC_CATEGORY_ZS || cp == '\n' || cp == '\t';
        if (!space && !in_word)
            words++;
        in_word = !space;
        letters += is_letter(cp);
    }
    double per_min = (r != NULL ? r->per_min : DEFAULT_WPM) * TAKEN;
    double units = r != NULL && r->by_chars ? (double)letters : (double)words;
    return FIND_S + units / per_min * 60.0;
}
