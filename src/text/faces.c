/* Per-thread faces over the shared table: FT_Face objects are not
 * thread-safe, so each thread that shapes or rasterises has its own; and
 * the lookup of the font for a grapheme, cached per thread. */
#define LOG_MODULE "text"

#include <hb-ft.h>
#include <hb.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/xmalloc.h"
#include "text/fonts_internal.h"

/* Per-thread cache of (grapheme, script, language) -> font. */
#define CACHE_SIZE 4096
/* Graphemes of up to this many code points are cached (a Thai or
 * Devanagari syllable, a letter with two marks, a flag). */
#define CACHE_CPS 4
/* Per-thread cache of (font, code point) -> has a glyph: FT_Get_Char_Index
 * is a binary search through the cmap, asked again for every space and
 * punctuation mark of every line. */
#define COVER_SIZE 8192

struct slot {
    FT_Face face;
    int px;        /* size the face is set to; 0 = not yet */
    bool failed;   /* could not open: do not retry every lookup */
    hb_font_t *hb; /* over face, made on first shaping */
    int hb_px;     /* the px hb was last scaled for */
};

struct cache_entry {
    uint32_t cps[CACHE_CPS];
    uint32_t n;
    uint32_t script;
    uint32_t lang_hash;
    int font; /* -2 = empty */
};

struct cover_entry {
    uint32_t cp;
    int16_t font; /* -1 = empty */
    bool has;
};

struct kb_faces {
    struct kb_fonts *fonts;
    FT_Library lib;
    struct slot slots[KB_FONTS_MAX];
    struct cache_entry cache[CACHE_SIZE];
    unsigned cache_turn; /* which way of a cache pair a miss replaces */
    struct cover_entry cover[COVER_SIZE];
    hb_buffer_t *buffer;
};

struct kb_faces *kb_faces_new(struct kb_fonts *fonts)
{
    struct kb_faces *faces = kb_xcalloc(1, sizeof(*faces));
    faces->fonts = fonts;
    if (FT_Init_FreeType(&faces->lib) != 0) {
        LOG_ERR("cannot initialise FreeType");
        free(faces);
        return NULL;
    }
    for (size_t i = 0; i < CACHE_SIZE; i++)
        faces->cache[i].font = -2;
    for (size_t i = 0; i < COVER_SIZE; i++)
        faces->cover[i].font = -1;
    return faces;
}

void kb_faces_free(struct kb_faces *faces)
{
    if (faces == NULL)
        return;
    for (int i = 0; i < KB_FONTS_MAX; i++) {
        /* The hb font holds a reference to the face: drop it first. */
        if (faces->slots[i].hb != NULL)
            hb_font_destroy(faces->slots[i].hb);
        if (faces->slots[i].face != NULL)
            FT_Done_Face(faces->slots[i].face);
    }
    hb_buffer_destroy(faces->buffer);
    FT_Done_FreeType(faces->lib);
    free(faces);
}

struct kb_fonts *kb_faces_fonts(struct kb_faces *faces)
{
    return faces->fonts;
}

FT_Library kb_faces_library(struct kb_faces *faces)
{
    return faces->lib;
}

/* The open face of font id at whatever size it has, or NULL. */
static FT_Face open_face(struct kb_faces *faces, int id)
{
    if (id < 0 || id >= kb_fonts_count(faces->fonts))
        return NULL;
    struct slot *s = &faces->slots[id];
    if (s->face == NULL && !s->failed) {
        const struct font *f = faces->fonts->fonts[id];
        if (FT_New_Face(faces->lib, f->path, f->face_index, &s->face) != 0) {
            LOG_WARN_ONCE(f->path, "cannot open font %s@%d", f->path, f->face_index);
            s->face = NULL;
            s->failed = true;
        }
    }
    return s->face;
}

FT_Face kb_faces_get(struct kb_faces *faces, int id, int px)
{
    FT_Face face = open_face(faces, id);
    if (face == NULL || px <= 0)
        return face;
    struct slot *s = &faces->slots[id];
    if (s->px == px)
        return face;
    const struct font *f = faces->fonts->fonts[id];
    FT_Error e;
    if (f->n_strikes > 0 && !FT_IS_SCALABLE(face)) {
        /* The strike index in the face's list, as pick_strike chose it. */
        int want = f->strikes[kb_fonts_pick_strike(f, px)], idx = 0;
        for (int i = 0; i < face->num_fixed_sizes; i++) {
            if ((int)((face->available_sizes[i].y_ppem + 32) >> 6) == want)
                idx = i;
        }
        e = FT_Select_Size(face, idx);
    } else {
        e = FT_Set_Pixel_Sizes(face, 0, (FT_UInt)px);
    }
    if (e != 0) {
        LOG_WARN_ONCE(f->path, "cannot size font %s to %d px", f->path, px);
        return NULL;
    }
    s->px = px;
    return face;
}

hb_font_t *kb_faces_hb_font(struct kb_faces *faces, int id, int px)
{
    FT_Face face = kb_faces_get(faces, id, px);
    if (face == NULL)
        return NULL;
    struct slot *s = &faces->slots[id];
    if (s->hb == NULL) {
        /* What libraqm 0.7 made per run, made once: it references the face. */
        s->hb = hb_ft_font_create_referenced(face);
    } else if (s->hb_px != s->px) {
        /* Takes the face's new size and drops the cached advances. */
        hb_ft_font_changed(s->hb);
    }
    s->hb_px = s->px;
    return s->hb;
}

hb_buffer_t *kb_faces_hb_buffer(struct kb_faces *faces)
{
    if (faces->buffer == NULL)
        faces->buffer = hb_buffer_create();
    return faces->buffer;
}

bool kb_faces_has_glyph(struct kb_faces *faces, int id, uint32_t cp)
{
    if (id < 0 || id >= KB_FONTS_MAX)
        return false;
    struct cover_entry *e =
        &faces->cover[((cp * 2654435761u) ^ (uint32_t)id * 40503u) % COVER_SIZE];
    if (e->font == id && e->cp == cp)
        return e->has;
    FT_Face face = open_face(faces, id);
    bool has = face != NULL && FT_Get_Char_Index(face, cp) != 0;
    *e = (struct cover_entry){cp, (int16_t)id, has};
    return has;
}

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; s != NULL && *s; s++) {
        unsigned char c = (unsigned char)*s;
        h = (h ^ (uint32_t)(c >= 'A' && c <= 'Z' ? c + 32 : c)) * 16777619u;
    }
    return h;
}

static uint32_t script_tag(const char *script)
{
    uint32_t t = 0;
    for (int i = 0; i < 4 && script[i] != '\0'; i++)
        t = t << 8 | (unsigned char)script[i];
    return t;
}

static void script_of(uint32_t cp, char out[5])
{
    hb_script_t s = hb_unicode_script(hb_unicode_funcs_get_default(), cp);
    hb_tag_to_string(hb_script_to_iso15924_tag(s), out);
    out[4] = '\0';
}

/* True if font id covers every code point of the grapheme that needs a glyph. */
static bool covers_all(struct kb_faces *faces, int id, const uint32_t *cps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!kb_fonts_ignorable(cps[i]) && !kb_faces_has_glyph(faces, id, cps[i]))
            return false;
    }
    return open_face(faces, id) != NULL;
}

int kb_faces_font_for_grapheme(struct kb_faces *faces, const uint32_t *cps, size_t n,
                               const char *script, const char *lang, bool emoji)
{
    if (n == 0)
        return -1;
    char derived[5];
    if (script == NULL) {
        script_of(cps[0], derived);
        script = derived;
    }
    /* The cache serves nearly every grapheme of real text. */
    struct cache_entry *ce = NULL;
    if (n <= CACHE_CPS) {
        uint32_t st = script_tag(script), lh = hash_str(lang) ^ (emoji ? 0x9e3779b9u : 0);
        uint32_t h = st ^ lh;
        for (size_t i = 0; i < n; i++)
            h = (h ^ cps[i]) * 2654435761u;
        /* Two ways: a key may sit in either slot of its pair. */
        struct cache_entry *pair = &faces->cache[((h ^ (h >> 15)) % CACHE_SIZE) & ~(size_t)1];
        for (int way = 0; way < 2; way++) {
            ce = &pair[way];
            if (ce->font != -2 && ce->n == n && ce->script == st && ce->lang_hash == lh &&
                memcmp(ce->cps, cps, n * sizeof(uint32_t)) == 0)
                return ce->font;
        }
        /* A miss replaces an empty slot, else one of the two in turn. */
        ce = pair[0].font == -2 ? &pair[0] : &pair[(faces->cache_turn++) & 1];
        memcpy(ce->cps, cps, n * sizeof(uint32_t));
        ce->n = (uint32_t)n;
        ce->script = st;
        ce->lang_hash = lh;
    }
    int cand[KB_CHAIN_CANDIDATES_MAX];
    size_t nc = kb_chain_candidates(faces->fonts, script, lang, emoji, cand);
    int found = -1;
    for (size_t i = 0; i < nc && found < 0; i++) {
        if (covers_all(faces, cand[i], cps, n))
            found = cand[i];
    }
    /* No font has the whole grapheme: take one that has its base. */
    size_t base = 0;
    while (base + 1 < n && kb_fonts_ignorable(cps[base]))
        base++;
    for (size_t i = 0; i < nc && found < 0; i++) {
        if (kb_faces_has_glyph(faces, cand[i], cps[base]))
            found = cand[i];
    }
    if (found < 0 && !kb_fonts_ignorable(cps[base]))
        found = kb_fontconfig_find(faces, cps[base], lang);
    if (ce != NULL)
        ce->font = found;
    return found;
}

int kb_faces_font_for(struct kb_faces *faces, uint32_t cp, const char *script, const char *lang)
{
    return kb_faces_font_for_grapheme(faces, &cp, 1, script, lang, false);
}

int kb_faces_first_font(struct kb_faces *faces, const char *script, const char *lang)
{
    int cand[KB_CHAIN_CANDIDATES_MAX];
    size_t nc =
        kb_chain_candidates(faces->fonts, script != NULL ? script : "Zyyy", lang, false, cand);
    for (size_t i = 0; i < nc; i++) {
        if (open_face(faces, cand[i]) != NULL)
            return cand[i];
    }
    for (int i = 0; i < kb_fonts_count(faces->fonts); i++) {
        if (open_face(faces, i) != NULL)
            return i;
    }
    return -1;
}
