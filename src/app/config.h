/* Configuration: one INI file with comments (docs/config.md documents every
 * key and its default), then command-line flags on top. Parsed with inih.
 *
 * Keys live in sections ([screen], [crawl], [theme], [spool], [text],
 * [chrome], [log]); a key's name is unique across sections, and a key
 * written outside its section, or with no section, is accepted. An unknown
 * key is a warning; a bad value is an error naming file:line. */
#ifndef KB_APP_CONFIG_H
#define KB_APP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

struct kb_color {
    unsigned char r, g, b, a;
};

struct kb_config {
    /* [screen] */
    char mode[16];     /* auto | window | fullscreen | headless */
    int width, height; /* 0: the mode's default */
    char render_driver[32];
    bool vsync;
    double refresh_hz;          /* pacing rate where the renderer cannot wait for vsync */
    bool present_changes;       /* only the changed rectangles, where the screen can */
    int rotation;               /* 0, 90, 180, 270 */
    double safe_area;           /* percent of each side kept clear (TV overscan) */
    char display_schedule[256]; /* the hours the screen shows; "" always (app/schedule.h) */
    bool cec;                   /* HDMI-CEC standby and wake with the schedule (cec-ctl) */
    /* [crawl] */
    double speed;             /* px/s at 1080 lines */
    double bar_height;        /* fraction of the screen height */
    char position[8];         /* bottom | top */
    char crawl_direction[16]; /* auto | right-to-left | left-to-right */
    double item_gap;          /* em */
    char separator[32];
    char separator_image[129]; /* a PNG file name in the assets folders; "" for none */
    bool show_source;          /* the item's source label before its text */
    bool translation_badge;    /* the machine-translation badge after a translated item */
    /* [theme] */
    struct kb_color background, bar, text, label_bg, label_fg, breaking_bg, breaking_fg;
    struct kb_color source, badge_bg, badge_fg, separator_color;
    struct kb_color breaking_label_bg, breaking_label_fg, clock_fg, stale_fg, stale_bg;
    struct kb_color quote_fg, attribution_fg;
    /* [spool] */
    char spool[4096];
    int spool_poll_ms;
    int settle_ms;
    int max_items;
    int max_file_kib;
    char languages[256];
    char language_mode[16]; /* first | cycle */
    /* [text] */
    char fonts[4096];  /* chain file; "" = built-in default */
    double font_scale; /* text em size as a fraction of the bar height */
    int atlas_page;    /* texels; capped by the renderer and 2048 */
    int atlas_budget_kib;
    int warm_glyphs_per_frame;
    /* [chrome] */
    char screen_lang[64];   /* language of the chrome (label, badges, idle message) */
    char label[128];        /* "" = localized default */
    char idle_message[512]; /* "" = localized default */
    char quotes[16];        /* crawl | panel */
    char panel[16];         /* stories | quotes | both: what the space above the crawl shows */
    int slides_ahead;       /* story slides prepared ahead */
    int picture_budget_kib; /* decoded pictures held at once */
    char logo[129];         /* a PNG file name in the assets folders; "" for none */
    double quote_seconds;   /* the least a quote stays on the panel, all its pages */
    double quote_page_min_seconds, quote_page_max_seconds; /* bounds of a page's reading time */
    double slide_min_seconds, slide_max_seconds; /* bounds of a story slide's reading time */
    double quote_size;                           /* quote em size, fraction of the screen height */
    char clock_format[64];                       /* strftime format; "" hides the clock */
    double stale_after_min; /* "feed stale" marker after this long without change; 0: never */
    bool breaking_flash;    /* flash the bar when breaking news enters */
    /* Not a key: set by `kabar preview`, whose edits must show at once. */
    bool restart_on_edit;
    /* [wall] (app/wall.h, docs/wall.md) */
    char wall[16];      /* COLSxROWS; "" for a screen of its own */
    char wall_tile[64]; /* COL,ROW from 0, a list of them, or all */
    int wall_bezel_px;  /* the gap between two tiles' pictures, in this screen's pixels */
    /* [log] */
    double stats_interval_s;
    double thumb_interval_s; /* the screen's picture beside the stats file (app/thumb.h) */
    char log_level[16];
};

/* A struct kb_config is a plain value (fixed-size strings, no pointers):
 * copy it freely, nothing to free. */

/* Fills cfg with every default. */
void kb_config_defaults(struct kb_config *cfg);
/* Reads path over cfg. Unknown keys warn (logged with file:line); a bad
 * value fails with err = "FILE:LINE: key: why". */
bool kb_config_load(struct kb_config *cfg, const char *path, struct kb_error *err);
/* Sets one key from a string ("speed", "120"), as a flag does; where names
 * the source for messages ("--speed"). */
bool kb_config_set(struct kb_config *cfg, const char *key, const char *value, const char *where,
                   struct kb_error *err);
/* Writes the effective config as an INI file, every key, with its section. */
void kb_config_print(const struct kb_config *cfg, FILE *out);
/* The key table, for docs and tests: name, section, default, doc. Static,
 * for the life of the process; *n is its length. */
struct kb_config_key_info {
    const char *name, *section, *def, *doc;
};
const struct kb_config_key_info *kb_config_keys(size_t *n);

#endif
