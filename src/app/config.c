#include "app/config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MODULE "config"
#include "app/schedule.h"
#include "core/ini.h"
#include "core/limits.h"
#include "core/log.h"

enum type { T_STR, T_INT, T_DOUBLE, T_BOOL, T_COLOR, T_ENUM, T_SIZE };

struct key {
    const char *name, *section;
    enum type type;
    size_t off, size;
    double min, max;
    const char *choices; /* T_ENUM: "a|b|c" */
    const char *def;
    const char *doc;
};

#define F(field) offsetof(struct kb_config, field), sizeof(((struct kb_config *)0)->field)

static const struct key keys[] = {
    {"mode", "screen", T_ENUM, F(mode), 0, 0, "auto|window|fullscreen|headless", "auto",
     "auto: a window on a desktop, fullscreen on a board with no desktop, headless with no "
     "display"},
    {"size", "screen", T_SIZE, F(width), 0, 0, NULL, "0x0",
     "WxH in pixels; 0x0 takes the display's mode (window 1280x720, headless 1920x1080)"},
    {"render_driver", "screen", T_STR, F(render_driver), 0, 0, NULL, "",
     "SDL render driver (opengles2, opengl, software); empty lets SDL choose"},
    {"vsync", "screen", T_BOOL, F(vsync), 0, 0, NULL, "true", "wait for the display's refresh"},
    {"refresh_hz", "screen", T_DOUBLE, F(refresh_hz), 1, 1000, NULL, "60",
     "frame rate to pace to where the renderer cannot wait for vsync"},
    {"present_changes", "screen", T_BOOL, F(present_changes), 0, 0, NULL, "true",
     "send only what changed to the display where the renderer draws into the window (software); "
     "false sends whole frames"},
    {"rotation", "screen", T_ENUM, F(rotation), 0, 0, "0|90|180|270", "0",
     "degrees clockwise, for a portrait-mounted screen"},
    {"safe_area", "screen", T_DOUBLE, F(safe_area), 0, 20, NULL, "0",
     "percent of each edge kept clear for TVs that overscan"},
    {"display_schedule", "screen", T_STR, F(display_schedule), 0, 0, NULL, "",
     "the hours the screen shows the ticker, e.g. \"Mon-Fri 07:00-20:00, Sat 09:00-13:00\"; "
     "outside them it is black, about one frame a second, the display powered down where DRM "
     "allows; empty: always on"},
    {"cec", "screen", T_BOOL, F(cec), 0, 0, NULL, "false",
     "also send the TV to standby and wake it over HDMI-CEC (cec-ctl) with display_schedule"},
    {"speed", "crawl", T_DOUBLE, F(speed), 1, 5000, NULL, "120",
     "pixels per second at 1080 lines; scaled to the screen"},
    {"bar_height", "crawl", T_DOUBLE, F(bar_height), 0.03, 1, NULL, "0.1",
     "height of the crawl bar as a fraction of the screen height"},
    {"position", "crawl", T_ENUM, F(position), 0, 0, "bottom|top", "bottom", "where the bar sits"},
    {"crawl_direction", "crawl", T_ENUM, F(crawl_direction), 0, 0,
     "auto|right-to-left|left-to-right", "auto",
     "auto moves left-to-right text leftwards and right-to-left text rightwards"},
    {"item_gap", "crawl", T_DOUBLE, F(item_gap), 0, 20, NULL, "2",
     "space between two items, in em of the crawl text"},
    {"separator", "crawl", T_STR, F(separator), 0, 0, NULL, "\u2022",
     "glyph drawn between items; empty for none"},
    {"separator_image", "crawl", T_STR, F(separator_image), 0, 0, NULL, "",
     "a PNG drawn between items instead of the separator glyph: a file name (no path) in "
     "/etc/kabar/assets/ or kabar's assets/separators/ (diamond.png ships)"},
    {"show_source", "crawl", T_BOOL, F(show_source), 0, 0, NULL, "true",
     "show the item's source label before its text"},
    {"translation_badge", "crawl", T_BOOL, F(translation_badge), 0, 0, NULL, "true",
     "show a localized machine-translation badge after items with translated_from"},
    {"background", "theme", T_COLOR, F(background), 0, 0, NULL, "#101418",
     "colour of the screen background"},
    {"bar", "theme", T_COLOR, F(bar), 0, 0, NULL, "#1b2a3a", "colour of the crawl bar"},
    {"text", "theme", T_COLOR, F(text), 0, 0, NULL, "#ffffff", "colour of the crawl text"},
    {"label_bg", "theme", T_COLOR, F(label_bg), 0, 0, NULL, "#c8102e", "colour of the label box"},
    {"label_fg", "theme", T_COLOR, F(label_fg), 0, 0, NULL, "#ffffff", "colour of the label text"},
    {"breaking_bg", "theme", T_COLOR, F(breaking_bg), 0, 0, NULL, "#b00020",
     "bar colour while a breaking item shows"},
    {"breaking_fg", "theme", T_COLOR, F(breaking_fg), 0, 0, NULL, "#ffffff",
     "text colour of a breaking item"},
    {"source", "theme", T_COLOR, F(source), 0, 0, NULL, "#8fb4d9",
     "colour of the source label in the crawl"},
    {"badge_bg", "theme", T_COLOR, F(badge_bg), 0, 0, NULL, "#33475b",
     "colour of the machine-translation badge's box"},
    {"badge_fg", "theme", T_COLOR, F(badge_fg), 0, 0, NULL, "#dce6f0",
     "colour of the machine-translation badge's text"},
    {"separator_color", "theme", T_COLOR, F(separator_color), 0, 0, NULL, "#c8102e",
     "colour of the separator between items"},
    {"breaking_label_bg", "theme", T_COLOR, F(breaking_label_bg), 0, 0, NULL, "#ffffff",
     "colour of the label box while breaking news shows"},
    {"breaking_label_fg", "theme", T_COLOR, F(breaking_label_fg), 0, 0, NULL, "#b00020",
     "colour of the label text while breaking news shows"},
    {"clock_fg", "theme", T_COLOR, F(clock_fg), 0, 0, NULL, "#dce6f0", "colour of the clock"},
    {"quote_fg", "theme", T_COLOR, F(quote_fg), 0, 0, NULL, "#ffffff",
     "colour of a quote on the panel"},
    {"attribution_fg", "theme", T_COLOR, F(attribution_fg), 0, 0, NULL, "#8fb4d9",
     "colour of a quote's attribution on the panel"},
    {"stale_fg", "theme", T_COLOR, F(stale_fg), 0, 0, NULL, "#f0c05a",
     "colour of the feed-stale marker's text"},
    {"stale_bg", "theme", T_COLOR, F(stale_bg), 0, 0, NULL, "#24282e",
     "colour of the feed-stale marker's box"},
    {"spool", "spool", T_STR, F(spool), 0, 0, NULL, "",
     "the spool folder; empty: the demo spool shipped with kabar"},
    {"spool_poll_ms", "spool", T_INT, F(spool_poll_ms), 50, 600000, NULL, "1000",
     "rescan period where inotify is unavailable"},
    {"settle_ms", "spool", T_INT, F(settle_ms), 0, 600000, NULL, "2000",
     "a file that fails to parse while younger than this is retried, not rejected"},
    {"max_items", "spool", T_INT, F(max_items), 1, KB_SPOOL_ITEMS_MAX, NULL, "10000",
     "items held at once; past it the oldest normal items are dropped"},
    {"max_file_kib", "spool", T_INT, F(max_file_kib), 1, KB_SPOOL_FILE_MAX_BYTES / 1024, NULL,
     "1024", "largest spool file read"},
    {"languages", "spool", T_STR, F(languages), 0, 0, NULL, "",
     "comma-separated BCP 47 tags: per story, show the first the story has; empty shows all"},
    {"language_mode", "spool", T_ENUM, F(language_mode), 0, 0, "first|cycle", "first",
     "cycle shows every translation of a story in turn, in the order of languages"},
    {"fonts", "text", T_STR, F(fonts), 0, 0, NULL, "",
     "font chain file; empty: fonts/chain.conf shipped with kabar"},
    {"font_scale", "text", T_DOUBLE, F(font_scale), 0.2, 1, NULL, "0.58",
     "crawl text size as a fraction of the bar height"},
    {"atlas_page", "text", T_INT, F(atlas_page), 64, 2048, NULL, "2048",
     "side of a glyph atlas page in texels (capped by the renderer)"},
    {"atlas_budget_kib", "text", T_INT, F(atlas_budget_kib), 64, 1048576, NULL, "32768",
     "texture memory for glyphs; least recently used pages are reused past it"},
    {"warm_glyphs_per_frame", "text", T_INT, F(warm_glyphs_per_frame), 1, 10000, NULL, "24",
     "glyphs rasterised per frame ahead of an item entering the screen"},
    {"screen_lang", "chrome", T_STR, F(screen_lang), 0, 0, NULL, "en",
     "BCP 47 language of the chrome: label, badges, idle message, mirroring"},
    {"label", "chrome", T_STR, F(label), 0, 0, NULL, "",
     "text of the label box; empty: the screen language's word for news"},
    {"idle_message", "chrome", T_STR, F(idle_message), 0, 0, NULL, "",
     "shown when nothing is loaded; empty: a localized default"},
    {"quotes", "chrome", T_ENUM, F(quotes), 0, 0, "crawl|panel", "panel",
     "quotes in a panel above the crawl (the crawl keeps the headlines), or in the crawl"},
    {"panel", "chrome", T_ENUM, F(panel), 0, 0, "stories|quotes|both", "both",
     "what the space above the crawl shows: story slides (picture, headline, summary), quotes, "
     "or both in turn (docs/presentation.md)"},
    {"slides_ahead", "chrome", T_INT, F(slides_ahead), 1, 4, NULL, "2",
     "story slides laid out, with their pictures decoded, ahead of being shown"},
    {"picture_budget_kib", "chrome", T_INT, F(picture_budget_kib), 1024, 262144, NULL, "24576",
     "memory for the pictures of slides held ahead and on screen; a picture is scaled to its "
     "box first"},
    {"logo", "chrome", T_STR, F(logo), 0, 0, NULL, "",
     "a PNG drawn at the start of the label box, scaled to fit the bar (a file name in "
     "/etc/kabar/assets/ or kabar's assets/, or an absolute path; docs/presentation.md); empty "
     "for none"},
    {"slide_min_seconds", "chrome", T_DOUBLE, F(slide_min_seconds), 1, 600, NULL, "6",
     "the least a story slide stays, however short its reading time (docs/presentation.md)"},
    {"slide_max_seconds", "chrome", T_DOUBLE, F(slide_max_seconds), 2, 3600, NULL, "30",
     "the most a story slide stays, however long its reading time"},
    {"quote_seconds", "chrome", T_DOUBLE, F(quote_seconds), 2, 3600, NULL, "12",
     "the least a quote stays on the panel, all its pages together"},
    {"quote_page_min_seconds", "chrome", T_DOUBLE, F(quote_page_min_seconds), 1, 600, NULL, "5",
     "the least a quote's page stays, however short its reading time (docs/presentation.md)"},
    {"quote_page_max_seconds", "chrome", T_DOUBLE, F(quote_page_max_seconds), 2, 3600, NULL, "40",
     "the most a quote's page stays, however long its reading time"},
    {"quote_size", "chrome", T_DOUBLE, F(quote_size), 0.02, 0.2, NULL, "0.055",
     "em size of a quote on the panel, as a fraction of the screen height"},
    {"clock_format", "chrome", T_STR, F(clock_format), 0, 0, NULL, "%H:%M",
     "strftime format of the clock (24-hour by default); empty hides the clock"},
    {"stale_after_min", "chrome", T_DOUBLE, F(stale_after_min), 0, 100000, NULL, "30",
     "minutes without a change in the spool before a discreet \"feed stale since\" marker shows; 0 "
     "never"},
    {"breaking_flash", "chrome", T_BOOL, F(breaking_flash), 0, 0, NULL, "true",
     "flash the bar three times when breaking news enters"},
    {"wall", "wall", T_STR, F(wall), 0, 0, NULL, "",
     "COLSxROWS: this screen is one tile of a video wall of that many screens (docs/wall.md); "
     "empty: a screen of its own"},
    {"wall_tile", "wall", T_STR, F(wall_tile), 0, 0, NULL, "0,0",
     "COL,ROW of this tile, from 0,0 at the top left; all: every tile, one window per display"},
    {"wall_bezel_px", "wall", T_INT, F(wall_bezel_px), 0, 4096, NULL, "0",
     "the gap between two neighbours' pictures, in this screen's pixels: the crawl moves through "
     "it unseen"},
    {"stats_interval_s", "log", T_DOUBLE, F(stats_interval_s), 0, 86400, NULL, "0",
     "with --stats, also write the stats this often (seconds); 0: at exit and on SIGUSR1 only"},
    {"thumb_interval_s", "log", T_DOUBLE, F(thumb_interval_s), 0, 86400, NULL, "60",
     "with --stats, write a 480 px PNG of the screen beside the stats file this often (seconds), "
     "for `kabar mqtt` to publish (docs/fleet.md); 0: never"},
    {"log_level", "log", T_ENUM, F(log_level), 0, 0, "debug|info|warning|error|quiet", "info",
     "least severe level logged"},
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))
/* The longest `key = value` line inih reads whole (core/limits.h says why). */
#define CONFIG_LINE_MAX KB_CONFIG_LINE_MAX

static bool parse_color(const char *s, struct kb_color *c)
{
    size_t n = strlen(s);
    if (s[0] != '#' || (n != 7 && n != 9) || strspn(s + 1, "0123456789abcdefABCDEF") != n - 1)
        return false;
    unsigned long v = strtoul(s + 1, NULL, 16);
    if (n == 7)
        v = (v << 8) | 0xff;
    c->r = (unsigned char)(v >> 24);
    c->g = (unsigned char)(v >> 16);
    c->b = (unsigned char)(v >> 8);
    c->a = (unsigned char)v;
    return true;
}

static bool enum_has(const char *choices, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0)
            return true;
        p += len + (bar ? 1 : 0);
    }
    return false;
}

/* Sets k from v; on a bad value, *why says what is wrong. */
static bool apply(struct kb_config *cfg, const struct key *k, const char *v, const char **why)
{
    char *field = (char *)cfg + k->off;
    char *end;
    switch (k->type) {
    case T_STR:
        /* What --print-config writes must read back: the whole `key =
         * value` line within inih's line (CONFIG_LINE_MAX), and no line
         * break inside (inih reads an indented next line as more value). */
        if (strlen(v) >= k->size || strlen(k->name) + 3 + strlen(v) > CONFIG_LINE_MAX) {
            *why = "value too long for a config line";
            return false;
        }
        if (strpbrk(v, "\n\r") != NULL) {
            *why = "a line break inside the value";
            return false;
        }
        if (strcmp(k->name, "display_schedule") == 0) {
            static char reason[128]; /* read by the caller before the next key */
            struct kb_schedule sched;
            if (!kb_schedule_parse(v, &sched, reason, sizeof(reason))) {
                *why = reason;
                return false;
            }
        }
        memcpy(field, v, strlen(v) + 1);
        return true;
    case T_ENUM:
        if (!enum_has(k->choices, v)) {
            *why = k->choices;
            return false;
        }
        if (k->size == sizeof(int))
            *(int *)field = atoi(v);
        else
            snprintf(field, k->size, "%s", v);
        return true;
    case T_INT: {
        errno = 0;
        long x = strtol(v, &end, 10);
        if (errno != 0 || end == v || *end != '\0' || x < k->min || x > k->max) {
            *why = "not a whole number in range";
            return false;
        }
        *(int *)field = (int)x;
        return true;
    }
    case T_DOUBLE: {
        errno = 0;
        double x = strtod(v, &end);
        if (errno != 0 || end == v || *end != '\0' || !isfinite(x) || x < k->min || x > k->max) {
            *why = "not a number in range";
            return false;
        }
        *(double *)field = x;
        return true;
    }
    case T_BOOL:
        if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") ||
            !strcmp(v, "1"))
            *(bool *)field = true;
        else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") ||
                 !strcmp(v, "0"))
            *(bool *)field = false;
        else {
            *why = "expected true or false";
            return false;
        }
        return true;
    case T_COLOR:
        if (!parse_color(v, (struct kb_color *)field)) {
            *why = "expected #RRGGBB or #RRGGBBAA";
            return false;
        }
        return true;
    case T_SIZE: {
        int w, h;
        char tail;
        if (sscanf(v, "%dx%d%c", &w, &h, &tail) != 2 || w < 0 || h < 0 || w > 16384 || h > 16384 ||
            (w == 0) != (h == 0)) {
            *why = "expected WxH, e.g. 1920x1080";
            return false;
        }
        cfg->width = w;
        cfg->height = h;
        return true;
    }
    }
    return false;
}

static const struct key *find(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    }
    return NULL;
}

void kb_config_defaults(struct kb_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < N_KEYS; i++) {
        const char *why;
        if (!apply(cfg, &keys[i], keys[i].def, &why))
            abort(); /* a default that does not parse is a bug in the table */
    }
}

bool kb_config_set(struct kb_config *cfg, const char *name, const char *value, const char *where,
                   struct kb_error *err)
{
    const struct key *k = find(name);
    if (k == NULL)
        return kb_error_set(err, "%s: unknown key \"%s\"", where, name);
    const char *why = "bad value";
    if (!apply(cfg, k, value, &why))
        return kb_error_set(err, "%s: %s: \"%s\": %s", where, name, value, why);
    return true;
}

/* A key of the config file (kb_ini_read). */
static bool on_key(void *user, const char *section, const char *name, const char *value,
                   const char *where, int line, struct kb_error *err)
{
    struct kb_config *cfg = user;
    (void)line;
    /* The producers read their own sections: `kabar mqtt` [mqtt], `kabar
     * feed` [feed NAME]. */
    if (strcmp(section, "mqtt") == 0 || strcmp(section, "feed") == 0 ||
        strncmp(section, "feed ", 5) == 0)
        return true;
    const struct key *k = find(name);
    if (k == NULL) {
        LOG_WARN("%s: unknown key \"%s\" ignored", where, name);
        return true;
    }
    if (section[0] != '\0' && strcmp(section, k->section) != 0)
        LOG_WARN("%s: key \"%s\" belongs in [%s], not [%s]", where, name, k->section, section);
    const char *why = "bad value";
    if (!apply(cfg, k, value, &why))
        return kb_error_set(err, "%s: %s: \"%s\": %s", where, name, value, why);
    return true;
}

bool kb_config_load(struct kb_config *cfg, const char *path, struct kb_error *err)
{
    return kb_ini_read(path, on_key, cfg, err);
}

static void print_value(const struct kb_config *cfg, const struct key *k, FILE *out)
{
    const char *field = (const char *)cfg + k->off;
    switch (k->type) {
    case T_STR:
        fprintf(out, "%s", field);
        break;
    case T_ENUM:
        if (k->size == sizeof(int))
            fprintf(out, "%d", *(const int *)field);
        else
            fprintf(out, "%s", field);
        break;
    case T_INT:
        fprintf(out, "%d", *(const int *)field);
        break;
    case T_DOUBLE:
        fprintf(out, "%g", *(const double *)field);
        break;
    case T_BOOL:
        fprintf(out, "%s", *(const bool *)field ? "true" : "false");
        break;
    case T_COLOR: {
        const struct kb_color *c = (const struct kb_color *)field;
        fprintf(out, "#%02x%02x%02x", c->r, c->g, c->b);
        if (c->a != 255)
            fprintf(out, "%02x", c->a);
        break;
    }
    case T_SIZE:
        fprintf(out, "%dx%d", cfg->width, cfg->height);
        break;
    }
}

void kb_config_print(const struct kb_config *cfg, FILE *out)
{
    const char *section = "";
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct key *k = &keys[i];
        if (strcmp(section, k->section) != 0) {
            fprintf(out, "%s[%s]\n", i ? "\n" : "", k->section);
            section = k->section;
        }
        fprintf(out, "%s = ", k->name);
        print_value(cfg, k, out);
        fputc('\n', out);
    }
}

const struct kb_config_key_info *kb_config_keys(size_t *n)
{
    static struct kb_config_key_info info[N_KEYS];
    for (size_t i = 0; i < N_KEYS; i++)
        info[i] =
            (struct kb_config_key_info){keys[i].name, keys[i].section, keys[i].def, keys[i].doc};
    *n = N_KEYS;
    return info;
}
