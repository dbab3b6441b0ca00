/* The chain file (fonts/chain.conf, docs/fonts.md): search paths, then per
 * script and language an ordered list of fonts; and the order in which
 * fonts are tried for a character. */
#define LOG_MODULE "text"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/file.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "text/fonts_internal.h"

struct parse {
    const char *file;
    int line;
    char *paths[KB_FONT_CHAIN_PATHS_MAX];
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
    char name[KB_FONT_CHAIN_LINE_MAX];
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
    int id = kb_fonts_find(fonts, path, face_index);
    if (id < 0) {
        struct font *f = kb_fonts_probe(p->lib, path, face_index);
        if (f == NULL)
            LOG_WARN_ONCE(path, "%s:%d: cannot open font %s@%d; skipped", p->file, p->line, path,
                          face_index);
        else
            id = kb_fonts_append(fonts, f);
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
        else if (p->n_paths >= KB_FONT_CHAIN_PATHS_MAX)
            LOG_WARN("%s:%d: more than %d paths; ignored", p->file, p->line,
                     KB_FONT_CHAIN_PATHS_MAX);
        else
            p->paths[p->n_paths++] = kb_xstrdup(rest);
    } else if (strcmp(s, "chain") == 0) {
        parse_chain(fonts, p, rest);
    } else {
        LOG_WARN("%s:%d: unknown directive \"%s\"", p->file, p->line, s);
    }
}

bool kb_chain_read(struct kb_fonts *fonts, const char *chain_file, struct kb_error *err)
{
    /* Read whole through core/file (bounded, never a FIFO), then by line. */
    char *text;
    size_t len;
    if (!kb_file_read_named(chain_file, KB_FONT_CHAIN_MAX_BYTES, &text, &len, err))
        return false;
    FILE *fp = fmemopen(text, len > 0 ? len : 1, "r"); /* "" holds its NUL: no line */
    if (fp == NULL) {
        free(text);
        return kb_error_set(err, "%s: %s", chain_file, strerror(errno));
    }
    struct parse p = {.file = chain_file};
    if (FT_Init_FreeType(&p.lib) != 0) {
        fclose(fp);
        free(text);
        return kb_error_set(err, "cannot initialise FreeType");
    }
    char line[KB_FONT_CHAIN_LINE_MAX];
    while (fgets(line, sizeof(line), fp) != NULL) {
        p.line++;
        parse_line(fonts, &p, line);
    }
    fclose(fp);
    free(text);
    FT_Done_FreeType(p.lib);
    for (int i = 0; i < p.n_paths; i++)
        free(p.paths[i]);
    return true;
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
    for (size_t i = 0; i < c->n && *n < KB_CHAIN_CANDIDATES_MAX; i++)
        out[(*n)++] = c->ids[i];
}

/* The emoji chain for an emoji, the chains for script in lang, for script,
 * the default chain, then fonts fontconfig found earlier. */
size_t kb_chain_candidates(const struct kb_fonts *fonts, const char *script, const char *lang,
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
    int count = kb_fonts_count(fonts);
    for (int i = 0; i < count && n < KB_CHAIN_CANDIDATES_MAX; i++) {
        if (fonts->fonts[i]->from_fontconfig)
            out[n++] = i;
    }
    return n;
}
