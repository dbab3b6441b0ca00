#define LOG_MODULE "text"

#include "text/fonts.h"

#include <ctype.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <hb-ft.h>
#include <hb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "kabar_build.h"

/* Bounds on the font table and chain files: core/limits.h says why. */
#define FONTS_MAX KB_FONTS_MAX
#define STRIKES_MAX KB_FONT_STRIKES_MAX
#define PATHS_MAX KB_FONT_CHAIN_PATHS_MAX
#define LINE_MAX_BYTES KB_FONT_CHAIN_LINE_MAX
#define FC_MISSES_MAX KB_FC_MISSES_MAX
/* Per-thread cache of (grapheme, script, language) -> font. */
#define CACHE_SIZE 4096
/* Graphemes of up to this many code points are cached (a Thai or
 * Devanagari syllable, a letter with two marks, a flag). */
#define CACHE_CPS 4
/* Per-thread cache of (font, code point) -> has a glyph: FT_Get_Char_Index
 * is a binary search through the cmap, asked again for every space and
 * punctuation mark of every line. */
#define COVER_SIZE 8192
/* Fonts tried for one lookup: the chains involved plus fontconfig's finds. */
#define CANDIDATES_MAX (FONTS_MAX + 64)

struct font {
    char *path;
    int face_index;
    bool color;    /* bitmap colour font */
    int n_strikes; /* bitmap strikes, y ppem in pixels */
    int strikes[STRIKES_MAX];
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
    struct font *fonts[FONTS_MAX];
    int count; /* read with __atomic_load_n: slots below it are complete */
    struct chain *chains;
    size_t n_chains;
    /* Our own fontconfig configuration, loaded on first need and destroyed
     * with the table: the process-wide one is never freed and shows up as a
     * leak in every test under LeakSanitizer. */
    FcConfig *fc;
    bool fc_failed;
    uint32_t fc_misses[FC_MISSES_MAX];
    size_t n_fc_misses;
};

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
    struct slot slots[FONTS_MAX];
    struct cache_entry cache[CACHE_SIZE];
    unsigned cache_turn; /* which way of a cache pair a miss replaces */
    struct cover_entry cover[COVER_SIZE];
    hb_buffer_t *buffer;
};

/* ---- the table ---- */

static int fonts_count(const struct kb_fonts *fonts)
{
    return __atomic_load_n(&fonts->count, __ATOMIC_ACQUIRE);
}

int kb_fonts_count(const struct kb_fonts *fonts)
{
    return fonts_count(fonts);
}

const char *kb_fonts_path(const struct kb_fonts *fonts, int id, int *face_index)
{
    if (id < 0 || id >= fonts_count(fonts))
        return NULL;
    if (face_index != NULL)
        *face_index = fonts->fonts[id]->face_index;
    return fonts->fonts[id]->path;
}

bool kb_fonts_is_color(const struct kb_fonts *fonts, int id)
{
    if (id < 0 || id >= fonts_count(fonts))
        return false;
    return fonts->fonts[id]->color;
}

/* The strike used at px: the smallest at least px, else the largest, so
 * bitmaps are scaled down (sharper) rather than up where possible. */
static int pick_strike(const struct font *f, int px)
{
    int best = -1;
    for (int i = 0; i < f->n_strikes; i++) {
        if (f->strikes[i] >= px && (best < 0 || f->strikes[i] < f->strikes[best]))
            best = i;
    }
    if (best < 0) {
        best = 0;
        for (int i = 1; i < f->n_strikes; i++) {
            if (f->strikes[i] > f->strikes[best])
                best = i;
        }
    }
    return best;
}

float kb_fonts_bitmap_scale(const struct kb_fonts *fonts, int id, int px)
{
    if (id < 0 || id >= fonts_count(fonts))
        return 1.0f;
    const struct font *f = fonts->fonts[id];
    if (!f->color || f->n_strikes == 0)
        return 1.0f;
    return (float)px / (float)f->strikes[pick_strike(f, px)];
}

/* Opens path to learn whether it is usable and whether it is a bitmap
 * colour font. Returns NULL if FreeType cannot open it. */
static struct font *probe_font(FT_Library lib, const char *path, int face_index)
{
    FT_Face face;
    if (FT_New_Face(lib, path, face_index, &face) != 0)
        return NULL;
    struct font *f = kb_xcalloc(1, sizeof(*f));
    f->path = kb_xstrdup(path);
    f->face_index = face_index;
    if (!FT_IS_SCALABLE(face) && face->num_fixed_sizes > 0) {
        f->color = FT_HAS_COLOR(face);
        for (int i = 0; i < face->num_fixed_sizes && f->n_strikes < STRIKES_MAX; i++) {
            int ppem = (int)((face->available_sizes[i].y_ppem + 32) >> 6);
            if (ppem > 0)
                f->strikes[f->n_strikes++] = ppem;
        }
    }
    FT_Done_Face(face);
    return f;
}

static void font_free(struct font *f)
{
    if (f == NULL)
        return;
    free(f->path);
    free(f);
}

static int find_font(const struct kb_fonts *fonts, const char *path, int face_index)
{
    int n = fonts_count(fonts);
    for (int i = 0; i < n; i++) {
        if (fonts->fonts[i]->face_index == face_index && strcmp(fonts->fonts[i]->path, path) == 0)
            return i;
    }
    return -1;
}

/* Appends f (taking it) and returns its id, or -1 if the table is full.
 * Call with fonts->lock held, or before the table is shared. */
static int append_font(struct kb_fonts *fonts, struct font *f)
{
    int n = fonts->count;
    if (n >= FONTS_MAX) {
        LOG_WARN_ONCE("fonts-full", "font table full (%d fonts); not adding %s", FONTS_MAX,
                      f->path);
        font_free(f);
        return -1;
    }
    fonts->fonts[n] = f;
    __atomic_store_n(&fonts->count, n + 1, __ATOMIC_RELEASE);
    return n;
}

/* ---- the chain file ---- */

struct parse {
    const char *file;
    int line;
    char *paths[PATHS_MAX];
    int n_paths;
    FT_Library lib;
};

/* Resolves a chain file's font name against its search paths. Returns a
 * new string or NULL if no readable file is found. */
static char *resolve_path(const struct parse *p, const char *name)
{
    if (name[0] == '/')
        return access(name, R_OK) == 0 ? kb_xstrdup(name) : NULL;
    for (int i = 0; i < p->n_paths; i++) {
        char *full = kb_xasprintf("%s/%s", p->paths[i], name);
        if (access(full, R_OK) == 0)
            return full;
        free(full);
    }
    return NULL;
}

/* The id of FILE[@INDEX], adding it to the table on first use; -1 if it
 * cannot be found or opened (logged once per name). */
static int chain_font(struct kb_fonts *fonts, struct parse *p, const char *spec)
{
    char name[LINE_MAX_BYTES];
    snprintf(name, sizeof(name), "%s", spec);
    int face_index = 0;
    char *at = strrchr(name, '@');
    if (at != NULL) {
        char *end;
        long v = strtol(at + 1, &end, 10);
        if (*end != '\0' || end == at + 1 || v < 0 || v > 0xffff) {
            LOG_WARN("%s:%d: bad face index in \"%s\"", p->file, p->line, spec);
            return -1;
        }
        face_index = (int)v;
        *at = '\0';
    }
    char *path = resolve_path(p, name);
    if (path == NULL) {
        LOG_WARN_ONCE(name, "%s:%d: font %s not found in the search paths; skipped", p->file,
                      p->line, name);
        return -1;
    }
    int id = find_font(fonts, path, face_index);
    if (id < 0) {
        struct font *f = probe_font(p->lib, path, face_index);
        if (f == NULL)
            LOG_WARN_ONCE(path, "%s:%d: cannot open font %s@%d; skipped", p->file, p->line, path,
                          face_index);
        else
            id = append_font(fonts, f);
    }
    free(path);
    return id;
}

static bool valid_script(const char *s)
{
    if (strcmp(s, "*") == 0)
        return true;
    if (strlen(s) != 4)
        return false;
    for (int i = 0; i < 4; i++) {
        if (!isalpha((unsigned char)s[i]))
            return false;
    }
    return true;
}

static void parse_chain(struct kb_fonts *fonts, struct parse *p, char *rest)
{
    char *save = NULL;
    char *key = strtok_r(rest, " \t", &save);
    if (key == NULL) {
        LOG_WARN("%s:%d: chain without a script", p->file, p->line);
        return;
    }
    char *lang = strchr(key, '/');
    if (lang != NULL)
        *lang++ = '\0';
    if (!valid_script(key) || (lang != NULL && *lang == '\0')) {
        LOG_WARN("%s:%d: \"%s\" is not an ISO 15924 script or '*'", p->file, p->line, key);
        return;
    }
    struct chain c = {0};
    snprintf(c.script, sizeof(c.script), "%s", key);
    c.lang = lang != NULL ? kb_xstrdup(lang) : NULL;
    for (char *tok = strtok_r(NULL, " \t", &save); tok != NULL;
         tok = strtok_r(NULL, " \t", &save)) {
        int id = chain_font(fonts, p, tok);
        if (id < 0)
            continue;
        c.ids = kb_xreallocarray(c.ids, c.n + 1, sizeof(int));
        c.ids[c.n++] = id;
    }
    fonts->chains = kb_xreallocarray(fonts->chains, fonts->n_chains + 1, sizeof(struct chain));
    fonts->chains[fonts->n_chains++] = c;
}

static void parse_line(struct kb_fonts *fonts, struct parse *p, char *line)
{
    char *hash = strchr(line, '#');
    if (hash != NULL)
        *hash = '\0';
    char *s = line;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    if (*s == '\0')
        return;
    char *rest = s;
    while (*rest != '\0' && !isspace((unsigned char)*rest))
        rest++;
    if (*rest != '\0')
        *rest++ = '\0';
    while (isspace((unsigned char)*rest))
        rest++;
    if (strcmp(s, "path") == 0) {
        if (*rest == '\0')
            LOG_WARN("%s:%d: path without a directory", p->file, p->line);
        else if (p->n_paths >= PATHS_MAX)
            LOG_WARN("%s:%d: more than %d paths; ignored", p->file, p->line, PATHS_MAX);
        else
            p->paths[p->n_paths++] = kb_xstrdup(rest);
    } else if (strcmp(s, "chain") == 0) {
        parse_chain(fonts, p, rest);
    } else {
        LOG_WARN("%s:%d: unknown directive \"%s\"", p->file, p->line, s);
    }
}

struct kb_fonts *kb_fonts_new(const char *chain_file, struct kb_error *err)
{
    FILE *fp = fopen(chain_file, "r");
    if (fp == NULL) {
        kb_error_set(err, "%s: %s", chain_file, strerror(errno));
        return NULL;
    }
    struct kb_fonts *fonts = kb_xcalloc(1, sizeof(*fonts));
    pthread_mutex_init(&fonts->lock, NULL);
    struct parse p = {.file = chain_file};
    if (FT_Init_FreeType(&p.lib) != 0) {
        fclose(fp);
        kb_fonts_free(fonts);
        kb_error_set(err, "cannot initialise FreeType");
        return NULL;
    }
    char line[LINE_MAX_BYTES];
    while (fgets(line, sizeof(line), fp) != NULL) {
        p.line++;
        parse_line(fonts, &p, line);
    }
    fclose(fp);
    FT_Done_FreeType(p.lib);
    for (int i = 0; i < p.n_paths; i++)
        free(p.paths[i]);
    if (fonts->count == 0) {
        kb_error_set(err, "%s: no font in the chain could be opened", chain_file);
        kb_fonts_free(fonts);
        return NULL;
    }
    return fonts;
}

void kb_fonts_free(struct kb_fonts *fonts)
{
    if (fonts == NULL)
        return;
    for (int i = 0; i < fonts->count; i++)
        font_free(fonts->fonts[i]);
    for (size_t i = 0; i < fonts->n_chains; i++) {
        free(fonts->chains[i].lang);
        free(fonts->chains[i].ids);
    }
    free(fonts->chains);
    if (fonts->fc != NULL)
        FcConfigDestroy(fonts->fc);
    pthread_mutex_destroy(&fonts->lock);
    free(fonts);
}

const char *kb_fonts_default_chain(void)
{
    static const char src[] = KABAR_SOURCE_DIR "/fonts/chain.conf";
    /* A package has no source tree (KABAR_SOURCE_DIR is ""). */
    if (KABAR_SOURCE_DIR[0] != '\0' && access(src, R_OK) == 0)
        return src;
    return KABAR_DATA_DIR "/fonts/chain.conf";
}

/* ---- per-thread faces ---- */

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
    for (int i = 0; i < FONTS_MAX; i++) {
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
    if (id < 0 || id >= fonts_count(faces->fonts))
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
        int want = f->strikes[pick_strike(f, px)], idx = 0;
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
    if (id < 0 || id >= FONTS_MAX)
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

/* ---- fallback ---- */

/* Characters a font need not have: HarfBuzz hides them or uses them only
 * as context (joiners, variation selectors, bidi controls, tags). */
bool kb_fonts_ignorable(uint32_t cp)
{
    return cp == 0x200b || cp == 0x200c || cp == 0x200d || cp == 0x2060 || cp == 0xfeff ||
           cp == 0x034f || (cp >= 0x200e && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0xfe00 && cp <= 0xfe0f) ||
           (cp >= 0xe0000 && cp <= 0xe0fff) || (cp >= 0x180b && cp <= 0x180f);
}

static bool lang_matches(const char *chain_lang, const char *lang)
{
    if (lang == NULL)
        return false;
    size_t n = strlen(chain_lang);
    return strncasecmp(chain_lang, lang, n) == 0 && (lang[n] == '\0' || lang[n] == '-');
}

static void add_chain(int *out, size_t *n, const struct chain *c)
{
    for (size_t i = 0; i < c->n && *n < CANDIDATES_MAX; i++)
        out[(*n)++] = c->ids[i];
}

/* The fonts to try, in order: the emoji chain for an emoji, the chains for
 * script in lang, for script, the default chain, then fonts fontconfig
 * found earlier. */
static size_t candidates(const struct kb_fonts *fonts, const char *script, const char *lang,
                         bool emoji, int *out)
{
    size_t n = 0;
    for (int pass = 0; pass < 4; pass++) {
        for (size_t i = 0; i < fonts->n_chains; i++) {
            const struct chain *c = &fonts->chains[i];
            bool take;
            switch (pass) {
            case 0:
                take = emoji && strcmp(c->script, "Zsye") == 0;
                break;
            case 1:
                take = c->lang != NULL && strcmp(c->script, script) == 0 &&
                       lang_matches(c->lang, lang);
                break;
            case 2:
                take = c->lang == NULL && strcmp(c->script, script) == 0;
                break;
            default:
                take = strcmp(c->script, "*") == 0;
                break;
            }
            if (take)
                add_chain(out, &n, c);
        }
    }
    int count = fonts_count(fonts);
    for (int i = 0; i < count && n < CANDIDATES_MAX; i++) {
        if (fonts->fonts[i]->from_fontconfig)
            out[n++] = i;
    }
    return n;
}

static bool fc_missed(const struct kb_fonts *fonts, uint32_t cp)
{
    for (size_t i = 0; i < fonts->n_fc_misses; i++) {
        if (fonts->fc_misses[i] == cp)
            return true;
    }
    return false;
}

/* Asks fontconfig for a font with cp, preferring lang; adds it to the table.
 * Returns its id or -1. Serialised by fonts->lock. */
static int fontconfig_find(struct kb_faces *faces, uint32_t cp, const char *lang)
{
    struct kb_fonts *fonts = faces->fonts;
    int id = -1;
    pthread_mutex_lock(&fonts->lock);
    if (fc_missed(fonts, cp) || fonts->fc_failed)
        goto done;
    if (fonts->fc == NULL) {
        fonts->fc = FcInitLoadConfigAndFonts();
        if (fonts->fc == NULL) {
            LOG_WARN("fontconfig cannot load its configuration; no fallback beyond the chain");
            fonts->fc_failed = true;
            goto done;
        }
    }
    FcPattern *pat = FcPatternCreate();
    FcCharSet *cs = FcCharSetCreate();
    FcCharSetAddChar(cs, cp);
    FcPatternAddCharSet(pat, FC_CHARSET, cs);
    if (lang != NULL && *lang != '\0')
        FcPatternAddString(pat, FC_LANG, (const FcChar8 *)lang);
    FcConfigSubstitute(fonts->fc, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcFontSet *set = FcFontSort(fonts->fc, pat, FcFalse, NULL, &res);
    for (int i = 0; set != NULL && i < set->nfont && id < 0; i++) {
        FcCharSet *fcs;
        FcChar8 *file;
        int index = 0;
        if (FcPatternGetCharSet(set->fonts[i], FC_CHARSET, 0, &fcs) != FcResultMatch ||
            !FcCharSetHasChar(fcs, cp) ||
            FcPatternGetString(set->fonts[i], FC_FILE, 0, &file) != FcResultMatch)
            continue;
        FcPatternGetInteger(set->fonts[i], FC_INDEX, 0, &index);
        int known = find_font(fonts, (const char *)file, index);
        if (known >= 0) {
            /* Already in the table (a chain font lacking cp for this script,
             * or found before): usable only if it really has the glyph. */
            if (kb_faces_has_glyph(faces, known, cp))
                id = known;
            continue;
        }
        struct font *f = probe_font(faces->lib, (const char *)file, index);
        if (f == NULL)
            continue;
        f->from_fontconfig = true;
        id = append_font(fonts, f);
        if (id >= 0 && !kb_faces_has_glyph(faces, id, cp))
            id = -1; /* added (it is a real font) but fontconfig's charset was wrong */
        else if (id >= 0)
            LOG_INFO("fontconfig: U+%04X falls to %s@%d", (unsigned)cp, (const char *)file, index);
    }
    if (set != NULL)
        FcFontSetDestroy(set);
    FcCharSetDestroy(cs);
    FcPatternDestroy(pat);
    if (id < 0) {
        if (fonts->n_fc_misses < FC_MISSES_MAX)
            fonts->fc_misses[fonts->n_fc_misses++] = cp;
        LOG_WARN_ONCE("no-font", "no font covers U+%04X (further misses are not logged)",
                      (unsigned)cp);
    }
done:
    pthread_mutex_unlock(&fonts->lock);
    return id;
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
    int cand[CANDIDATES_MAX];
    size_t nc = candidates(faces->fonts, script, lang, emoji, cand);
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
        found = fontconfig_find(faces, cps[base], lang);
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
    int cand[CANDIDATES_MAX];
    size_t nc = candidates(faces->fonts, script != NULL ? script : "Zyyy", lang, false, cand);
    for (size_t i = 0; i < nc; i++) {
        if (open_face(faces, cand[i]) != NULL)
            return cand[i];
    }
    for (int i = 0; i < fonts_count(faces->fonts); i++) {
        if (open_face(faces, i) != NULL)
            return i;
    }
    return -1;
}
