/* What the ingest thread hands the render thread, without SDL: the
 * segments of a crawl item and their styles, the crawl's item flags, the
 * chrome's slots and the quote panel's line limit. The ingest thread
 * (app/ingest.c, app/compose.c, app/channel.h) takes only this header from
 * render/, so it compiles without SDL.h and cannot call into SDL, which
 * belongs to the render thread. */
#ifndef KB_RENDER_SEG_H
#define KB_RENDER_SEG_H

struct kb_line;

/* Flags of an item on the crawl. */
#define KB_CRAWL_BREAKING 1u

/* An item is a few laid-out lines side by side, in logical order: its
 * source label, its text, its machine-translation badge, the separator.
 * A right-to-left item shows them mirrored, so its source is read first. */
enum kb_seg_style { KB_SEG_TEXT = 0, KB_SEG_SOURCE, KB_SEG_BADGE, KB_SEG_SEPARATOR };

/* One segment. Whoever holds the struct says whether it holds a reference
 * to line (kb_crawl_push takes its own; see also app/channel.h). */
struct kb_crawl_seg {
    struct kb_line *line;
    enum kb_seg_style style;
};

/* Segments of one item: source, text, badge, separator. */
#define KB_CRAWL_SEGS_MAX 4

/* The chrome's lines (render/chrome.h). */
enum kb_chrome_slot {
    KB_CHROME_LABEL = 0,
    KB_CHROME_BREAKING_LABEL,
    KB_CHROME_CLOCK,
    KB_CHROME_STALE,
    KB_CHROME_SLOTS
};

/* A quote on the panel (render/panel.h), laid out by the ingest thread:
 * its lines, broken to the panel's width, in pages of whole lines that
 * the panel's height holds, each shown for its reading time. */
#define KB_PANEL_LINES_MAX 48
struct kb_quote_pages {
    struct kb_line *lines[KB_PANEL_LINES_MAX]; /* one reference each, first line first */
    size_t n;
    struct kb_line *attribution;          /* shown under every page; may be NULL */
    size_t first[KB_PANEL_LINES_MAX + 1]; /* page p is lines [first[p], first[p + 1]) */
    size_t n_pages;
    double dwell[KB_PANEL_LINES_MAX]; /* seconds page p stays */
    int pitch;                        /* pixels from one baseline to the next */
};

#endif
