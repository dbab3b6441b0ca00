/* The font table's parts, shared inside src/text by the files that make
 * it: fonts.c (the table), chain.c (the chain file and the order fonts are
 * tried in), fontconfig.c (what the chain lacks) and faces.c (per-thread
 * faces and the lookup of a font for a grapheme). Nothing outside those
 * files includes this. */
#ifndef KB_TEXT_FONTS_INTERNAL_H
#define KB_TEXT_FONTS_INTERNAL_H

#include <fontconfig/fontconfig.h>
#include <pthread.h>

#include "core/limits.h"
#include "text/fonts.h"

/* Fonts tried for one lookup: the chains involved plus fontconfig's finds. */
#define KB_CHAIN_CANDIDATES_MAX (KB_FONTS_MAX + 64)

struct font {
    char *path;
    int face_index;
    bool color;    /* bitmap colour font */
    int n_strikes; /* bitmap strikes, y ppem in pixels */
    int strikes[KB_FONT_STRIKES_MAX];
    bool from_fontconfig;
};

struct chain {
    char script[5]; /* ISO 15924; "*" for the default chain */
    char *lang;     /* NULL: any language */
    int *ids;
    size_t n;
};

struct kb_fonts {
    pthread_mutex_t lock; /* guards appends, fc_misses and fontconfig calls */
    struct font *fonts[KB_FONTS_MAX];
    int count; /* read with __atomic_load_n: slots below it are complete */
    struct chain *chains;
    size_t n_chains;
    /* Our own fontconfig configuration, loaded on first need and destroyed
     * with the table: the process-wide one is never freed and shows up as a
     * leak in every test under LeakSanitizer. */
    FcConfig *fc;
    bool fc_failed;
    uint32_t fc_misses[KB_FC_MISSES_MAX];
    size_t n_fc_misses;
};

/* fonts.c */

/* Opens path to learn whether it is usable and whether it is a bitmap
 * colour font. Returns a new font the caller gives to kb_fonts_append, or
 * NULL if FreeType cannot open it. */
struct font *kb_fonts_probe(FT_Library lib, const char *path, int face_index);
/* The id of path@face_index in the table, or -1. */
int kb_fonts_find(const struct kb_fonts *fonts, const char *path, int face_index);
/* Appends f (taking it) and returns its id, or -1 if the table is full.
 * Call with fonts->lock held, or before the table is shared. */
int kb_fonts_append(struct kb_fonts *fonts, struct font *f);
/* The strike used at px: the index in f->strikes. */
int kb_fonts_pick_strike(const struct font *f, int px);

/* chain.c */

/* Reads the chain file into fonts (its fonts and chains). Returns false
 * with err set only if the file cannot be read or FreeType cannot start;
 * bad lines and missing fonts are logged and skipped. */
bool kb_chain_read(struct kb_fonts *fonts, const char *chain_file, struct kb_error *err);
/* The fonts to try for a character of script in lang, in order, written
 * to out (room for KB_CHAIN_CANDIDATES_MAX); returns how many. */
size_t kb_chain_candidates(const struct kb_fonts *fonts, const char *script, const char *lang,
                           bool emoji, int *out);

/* fontconfig.c */

/* Asks fontconfig for a font with cp, preferring lang; adds it to the
 * table. Returns its id or -1. Serialised by the table's lock. */
int kb_fontconfig_find(struct kb_faces *faces, uint32_t cp, const char *lang);

#endif
