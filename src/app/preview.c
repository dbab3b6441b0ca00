#include "app/preview.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "preview"
#include "app/compose.h"
#include "app/present.h"
#include "app/run.h"
#include "app/scene.h"
#include "core/file.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/atlas.h"
#include "render/fit.h"
#include "render/batch.h"
#include "render/chrome.h"
#include "render/crawl.h"
#include "render/screen.h"
#include "spool/spool.h"

/* Pixels between two bars of a strip. */
#define STRIP_GAP 12

static volatile sig_atomic_t stop_watch;

static void on_stop(int sig)
{
    (void)sig;
    stop_watch = 1;
}

/* The private spool's name for the i-th file: its number keeps two files
 * of one name apart. The caller frees it. */
static char *copy_name(int i, const char *path)
{
    const char *base = strrchr(path, '/');
    return kb_xasprintf("%02d-%s", i, base ? base + 1 : path);
}

/* Copies the files into dir, the way producers must: a hidden temp name,
 * then rename. Says what is wrong with a file. Returns how many were valid. */
static int copy_files(const struct kb_preview_opts *o, const char *dir)
{
    int valid = 0;
    for (int i = 0; i < o->n_files; i++) {
        struct kb_error err;
        if (kb_spool_validate_file(o->files[i], &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            continue;
        }
        /* Copied whole (it was just validated, so it is within the spool's
         * bound) and renamed in, so the preview's spool never sees half. */
        char *buf = NULL;
        size_t len = 0;
        struct stat st;
        char *name = copy_name(i, o->files[i]);
        char *dst = kb_xasprintf("%s/%s", dir, name);
        if (kb_file_read(AT_FDCWD, o->files[i], o->files[i], KB_SPOOL_FILE_MAX_BYTES, &buf, &len,
                         &st, &err) == KB_READ_OK &&
            kb_file_write_atomic(AT_FDCWD, dst, dst, "preview", buf, len, &err))
            valid++;
        else
            fprintf(stderr, "kabar: %s: cannot copy for the preview\n", o->files[i]);
        free(buf);
        free(name);
        free(dst);
    }
    return valid;
}

static void remove_dir(const char *dir, const struct kb_preview_opts *o)
{
    for (int i = 0; i < o->n_files; i++) {
        char *name = copy_name(i, o->files[i]);
        char *path = kb_xasprintf("%s/%s", dir, name);
        unlink(path);
        free(path);
        free(name);
    }
    rmdir(dir);
}

/* Waits until one of the files is written or replaced (or a stop). */
static bool wait_for_change(const struct kb_preview_opts *o)
{
    int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd < 0)
        return false;
    for (int i = 0; i < o->n_files; i++) {
        /* Watch the folder: editors replace files by rename. */
        char *dir = kb_xstrdup(o->files[i]);
        char *slash = strrchr(dir, '/');
        if (slash != NULL)
            *slash = '\0';
        inotify_add_watch(fd, slash ? dir : ".", IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
        free(dir);
    }
    bool changed = false;
    while (!stop_watch && !changed) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0)
            continue;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t len = read(fd, buf, sizeof(buf));
        for (char *at = buf; len > 0 && at < buf + len;) {
            struct inotify_event *ev = (struct inotify_event *)at;
            for (int i = 0; ev->len > 0 && i < o->n_files; i++) {
                const char *base = strrchr(o->files[i], '/');
                if (strcmp(ev->name, base ? base + 1 : o->files[i]) == 0)
                    changed = true;
            }
            at += sizeof(*ev) + ev->len;
        }
    }
    close(fd);
    /* Let the writer finish what it is writing. */
    if (changed)
        usleep(100 * 1000);
    return changed;
}

struct strip_item {
    struct kb_ready r;
    double width;
    int rows;
    int bar_h; /* its bars' height: the wall's, or taller for its ink (render/fit.h) */
};

/* What a strip is drawn from: the private spool's items laid out, the
 * scene of the wall and its chrome. Owns everything it points to. */
struct strip {
    const struct kb_config *cfg;
    int w, h;
    struct kb_fonts *fonts;
    struct kb_faces *faces;
    struct kb_spool *spool;
    const struct kb_item *const *items; /* the spool's */
    size_t n;
    struct kb_scene scene;
    struct kb_chrome *chrome;
    struct kb_crawl_style crawl_style;
    bool rtl_screen;
    SDL_Rect area;         /* the crawl's part of a bar, beside the chrome */
    struct strip_item *si; /* one per item; n_segs 0 where it did not lay out */
    int rows;              /* bars in all */
    int height;            /* the strip's height in pixels */
};

/* The fonts and the items of the private spool. Says why and returns false
 * if the fonts cannot be had. */
static bool strip_load(struct strip *s, const struct kb_config *cfg, const char *dir)
{
    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    s->w = cfg->width > 0 ? cfg->width : 1920;
    s->h = cfg->height > 0 ? cfg->height : 1080;
    struct kb_error err;
    s->fonts = kb_fonts_new(cfg->fonts[0] ? cfg->fonts : kb_fonts_default_chain(), &err);
    if (s->fonts == NULL) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return false;
    }
    s->faces = kb_faces_new(s->fonts);
    struct kb_spool_opts so = {.dir = dir, .settle_s = 0, .move_rejected = false};
    s->spool = kb_spool_new(&so, NULL, NULL);
    kb_spool_update(s->spool, (int64_t)time(NULL) * 1000);
    s->items = kb_spool_items(s->spool, &s->n);
    return true;
}

/* The wall's bar and its chrome (the label, and the breaking label for
 * breaking items), as the ticker lays them out. */
static void strip_chrome(struct strip *s)
{
    const struct kb_config *cfg = s->cfg;
    s->scene = kb_scene_layout(cfg, s->w, s->h, 60);
    s->chrome = kb_chrome_new();
    struct kb_chrome_style chrome_style;
    kb_scene_styles(cfg, &s->crawl_style, &chrome_style);
    kb_chrome_set_style(s->chrome, &chrome_style);
    const char *label = cfg->label[0] ? cfg->label : kb_present_label(cfg->screen_lang);
    int px = s->scene.px;
    struct kb_line *lines[2] = {kb_compose_chrome(s->faces, cfg, label, px, KB_CHROME_SCALE),
                                kb_compose_chrome(s->faces, cfg,
                                                  kb_present_breaking(cfg->screen_lang), px,
                                                  KB_CHROME_SCALE)};
    kb_chrome_set(s->chrome, KB_CHROME_LABEL, lines[0]);
    kb_chrome_set(s->chrome, KB_CHROME_BREAKING_LABEL, lines[1]);
    kb_line_unref(lines[0]);
    kb_line_unref(lines[1]);
    s->rtl_screen = kb_present_rtl(cfg->screen_lang);
    kb_chrome_place(s->chrome, s->scene.bar, s->rtl_screen, &s->area);
}

/* Lays out every item and counts the bars each needs to show whole. */
static void strip_compose(struct strip *s)
{
    s->si = kb_xcalloc(s->n ? s->n : 1, sizeof(*s->si));
    for (size_t i = 0; i < s->n; i++) {
        struct strip_item *it = &s->si[i];
        if (!kb_compose_item(s->faces, s->cfg, s->items[i], s->scene.px, &it->r))
            continue;
        it->width = kb_crawl_item_width(it->r.segs, it->r.n_segs);
        it->rows = (int)ceil(it->width / s->area.w);
        it->rows = it->rows < 1 ? 1 : it->rows;
        s->rows += it->rows;
        /* As tall as the ticker's bar grows for it (kb_loop_fit_bar). */
        int base = s->scene.bar.h, cap = (int)lround(base * KB_FIT_GROW_MAX);
        int need = kb_crawl_item_need(it->r.segs, it->r.n_segs);
        it->bar_h = need < base ? base : need > cap ? cap : need;
        s->height += it->rows * (it->bar_h + STRIP_GAP);
    }
}

/* The bar at y of the strip: page k of item it, from its reading start. */
static void strip_draw_bar(const struct strip *s, const struct strip_item *it, int k, int y,
                           struct kb_screen *screen, struct kb_atlas *atlas, struct kb_batch *batch)
{
    const struct kb_scene *sc = &s->scene;
    bool breaking = (it->r.flags & KB_CRAWL_BREAKING) != 0;
    SDL_Rect bar = {sc->bar.x, y, sc->bar.w, it->bar_h};
    struct kb_crawl_geometry geo = sc->geo;
    kb_chrome_place(s->chrome, bar, s->rtl_screen, &geo.area);
    /* A grown bar keeps its baseline where the wall's bar has it, from the bottom. */
    geo.baseline = bar.y + bar.h - (sc->bar.y + sc->bar.h - sc->geo.baseline);
    struct kb_crawl *crawl = kb_crawl_new();
    kb_crawl_set_geometry(crawl, &geo);
    kb_crawl_set_style(crawl, &s->crawl_style);
    bool rtl = it->r.segs[0].line->base_dir == KB_DIR_RTL;
    for (size_t i = 0; i < it->r.n_segs; i++) {
        if (it->r.segs[i].style == KB_SEG_TEXT)
            rtl = it->r.segs[i].line->base_dir == KB_DIR_RTL;
    }
    double x = rtl ? geo.area.x + geo.area.w - it->width + (double)k * geo.area.w
                   : geo.area.x - (double)k * geo.area.w;
    kb_crawl_show_at(crawl, it->r.segs, it->r.n_segs, it->r.id, it->r.flags, x);
    SDL_Color bc = kb_scene_color(breaking ? s->cfg->breaking_bg : s->cfg->bar);
    SDL_SetRenderDrawColor(screen->renderer, bc.r, bc.g, bc.b, 255);
    SDL_RenderFillRect(screen->renderer, &bar);
    kb_crawl_draw(crawl, screen->renderer, atlas);
    kb_chrome_draw(s->chrome, screen->renderer, atlas, batch, breaking);
    kb_crawl_free(crawl);
}

/* Draws every bar on a headless screen of the strip's size and saves it
 * as png. Returns the exit status. */
static int strip_draw(const struct strip *s, const char *png)
{
    const struct kb_config *cfg = s->cfg;
    struct kb_error err;
    struct kb_screen screen;
    struct kb_screen_opts sopt = {
        .mode = KB_SCREEN_HEADLESS, .width = s->w, .height = s->height - STRIP_GAP};
    if (!kb_screen_open(&screen, &sopt, &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    struct kb_atlas_opts ao = {cfg->atlas_page, screen.max_texture,
                               (size_t)cfg->atlas_budget_kib * 1024};
    struct kb_atlas *atlas = kb_atlas_new(screen.renderer, s->faces, &ao);
    struct kb_batch *batch = kb_batch_new();
    SDL_Color bg = kb_scene_color(cfg->background);
    SDL_SetRenderDrawColor(screen.renderer, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(screen.renderer);
    kb_atlas_begin_frame(atlas);
    int row = 0, y = 0;
    for (size_t i = 0; i < s->n; i++) {
        for (int k = 0; s->si[i].r.n_segs > 0 && k < s->si[i].rows; k++, row++) {
            strip_draw_bar(s, &s->si[i], k, y, &screen, atlas, batch);
            y += s->si[i].bar_h + STRIP_GAP;
        }
    }
    int status = 1;
    if (kb_screen_save_png(&screen, png, &err)) {
        printf("%s: %d item%s in %d bar%s\n", png, row ? (int)s->n : 0, s->n == 1 ? "" : "s", row,
               row == 1 ? "" : "s");
        status = 0;
    } else {
        fprintf(stderr, "kabar: %s\n", err.msg);
    }
    kb_batch_free(batch);
    kb_atlas_free(atlas);
    kb_screen_close(&screen);
    SDL_Quit();
    return status;
}

static void strip_free(struct strip *s)
{
    for (size_t i = 0; s->si != NULL && i < s->n; i++)
        kb_ready_release(&s->si[i].r);
    free(s->si);
    kb_chrome_free(s->chrome);
    kb_spool_free(s->spool);
    kb_faces_free(s->faces);
    kb_fonts_free(s->fonts);
}

/* Draws every item of the private spool whole, one bar per screen width
 * it needs, into a PNG. Returns the exit status. */
static int render_strip(const struct kb_preview_opts *o, const char *dir)
{
    struct strip s;
    if (!strip_load(&s, &o->cfg, dir))
        return 1;
    strip_chrome(&s);
    strip_compose(&s);
    int status = 1;
    if (s.rows == 0)
        fprintf(stderr, "kabar: nothing to preview\n");
    else
        status = strip_draw(&s, o->png);
    strip_free(&s);
    return status;
}

struct watcher {
    const struct kb_preview_opts *o;
    const char *dir;
};

static void *watch_files(void *arg)
{
    struct watcher *w = arg;
    while (!stop_watch) {
        if (wait_for_change(w->o))
            copy_files(w->o, w->dir);
    }
    return NULL;
}

int kb_preview(const struct kb_preview_opts *o)
{
    char dir[] = "/tmp/kabar-preview-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "kabar: cannot make a folder for the preview: %s\n", strerror(errno));
        return 1;
    }
    int valid = copy_files(o, dir);
    int status = valid == o->n_files ? 0 : 1;
    stop_watch = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;

    if (o->png != NULL) {
        if (valid > 0 && render_strip(o, dir) != 0)
            status = 1;
        if (o->watch) {
            sigaction(SIGINT, &sa, NULL);
            sigaction(SIGTERM, &sa, NULL);
            while (!stop_watch && wait_for_change(o)) {
                copy_files(o, dir);
                render_strip(o, dir);
            }
        }
        remove_dir(dir, o);
        return status;
    }

    struct kb_run_opts ro;
    memset(&ro, 0, sizeof(ro));
    ro.cfg = o->cfg;
    snprintf(ro.cfg.spool, sizeof(ro.cfg.spool), "%s", dir);
    /* An edit shows at once, not on the item's next turn. */
    ro.cfg.restart_on_edit = true;
    pthread_t thread;
    struct watcher w = {o, dir};
    bool watching = o->watch && pthread_create(&thread, NULL, watch_files, &w) == 0;
    int rs = kb_run(&ro);
    stop_watch = 1;
    if (watching)
        pthread_join(thread, NULL);
    remove_dir(dir, o);
    return rs != 0 ? rs : status;
}
