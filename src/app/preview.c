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
#include "core/log.h"
#include "core/xmalloc.h"
#include "render/atlas.h"
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
        FILE *in = fopen(o->files[i], "rb");
        if (in == NULL) {
            fprintf(stderr, "kabar: %s: %s\n", o->files[i], strerror(errno));
            continue;
        }
        char *name = copy_name(i, o->files[i]);
        char *tmp = kb_xasprintf("%s/.%s.tmp", dir, name);
        char *dst = kb_xasprintf("%s/%s", dir, name);
        FILE *out = fopen(tmp, "wb");
        char buf[65536];
        size_t n;
        bool ok = out != NULL;
        while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
            ok = fwrite(buf, 1, n, out) == n;
        if (out != NULL && fclose(out) != 0)
            ok = false;
        fclose(in);
        if (ok && rename(tmp, dst) == 0)
            valid++;
        else
            fprintf(stderr, "kabar: %s: cannot copy for the preview\n", o->files[i]);
        unlink(tmp);
        free(name);
        free(tmp);
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
};

/* Draws every item of the private spool whole, one bar per screen width
 * it needs, into a PNG. */
static int render_strip(const struct kb_preview_opts *o, const char *dir)
{
    const struct kb_config *cfg = &o->cfg;
    int w = cfg->width > 0 ? cfg->width : 1920, h = cfg->height > 0 ? cfg->height : 1080;
    struct kb_error err;
    struct kb_fonts *fonts =
        kb_fonts_new(cfg->fonts[0] ? cfg->fonts : kb_fonts_default_chain(), &err);
    if (fonts == NULL) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    struct kb_faces *faces = kb_faces_new(fonts);
    struct kb_spool_opts so = {.dir = dir, .settle_s = 0, .move_rejected = false};
    struct kb_spool *spool = kb_spool_new(&so, NULL, NULL);
    kb_spool_update(spool, (int64_t)time(NULL) * 1000);
    size_t n;
    const struct kb_item *const *items = kb_spool_items(spool, &n);

    struct kb_scene scene = kb_scene_layout(cfg, w, h, 60);
    struct kb_chrome *chrome = kb_chrome_new();
    struct kb_crawl_style crawl_style;
    struct kb_chrome_style chrome_style;
    kb_scene_styles(cfg, &crawl_style, &chrome_style);
    kb_chrome_set_style(chrome, &chrome_style);
    const char *label = cfg->label[0] ? cfg->label : kb_present_label(cfg->screen_lang);
    struct kb_line *lines[2] = {kb_compose_chrome(faces, cfg, label, scene.px, KB_CHROME_SCALE),
                                kb_compose_chrome(faces, cfg, kb_present_breaking(cfg->screen_lang),
                                                  scene.px, KB_CHROME_SCALE)};
    kb_chrome_set(chrome, KB_CHROME_LABEL, lines[0]);
    kb_chrome_set(chrome, KB_CHROME_BREAKING_LABEL, lines[1]);
    kb_line_unref(lines[0]);
    kb_line_unref(lines[1]);
    bool rtl_screen = kb_present_rtl(cfg->screen_lang);
    SDL_Rect area;
    kb_chrome_place(chrome, scene.bar, rtl_screen, &area);

    struct strip_item *si = kb_xcalloc(n ? n : 1, sizeof(*si));
    int rows = 0;
    for (size_t i = 0; i < n; i++) {
        if (!kb_compose_item(faces, cfg, items[i], scene.px, &si[i].r))
            continue;
        si[i].width = kb_crawl_item_width(si[i].r.segs, si[i].r.n_segs);
        si[i].rows = (int)ceil(si[i].width / area.w);
        si[i].rows = si[i].rows < 1 ? 1 : si[i].rows;
        rows += si[i].rows;
    }
    int status = 1;
    if (rows == 0) {
        fprintf(stderr, "kabar: nothing to preview\n");
        goto done;
    }
    int bh = scene.bar.h, pitch = bh + STRIP_GAP;
    struct kb_screen screen;
    struct kb_screen_opts sopt = {
        .mode = KB_SCREEN_HEADLESS, .width = w, .height = rows * pitch - STRIP_GAP};
    if (!kb_screen_open(&screen, &sopt, &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        goto done;
    }
    struct kb_atlas_opts ao = {cfg->atlas_page, screen.max_texture,
                               (size_t)cfg->atlas_budget_kib * 1024};
    struct kb_atlas *atlas = kb_atlas_new(screen.renderer, faces, &ao);
    struct kb_batch *batch = kb_batch_new();
    SDL_Color bg = kb_scene_color(cfg->background);
    SDL_SetRenderDrawColor(screen.renderer, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(screen.renderer);
    kb_atlas_begin_frame(atlas);
    int row = 0;
    for (size_t i = 0; i < n; i++) {
        if (si[i].r.n_segs == 0)
            continue;
        bool breaking = (si[i].r.flags & KB_CRAWL_BREAKING) != 0;
        for (int k = 0; k < si[i].rows; k++, row++) {
            SDL_Rect bar = {scene.bar.x, row * pitch, scene.bar.w, bh};
            struct kb_crawl_geometry geo = scene.geo;
            kb_chrome_place(chrome, bar, rtl_screen, &geo.area);
            geo.baseline = bar.y + (scene.geo.baseline - scene.bar.y);
            struct kb_crawl *crawl = kb_crawl_new();
            kb_crawl_set_geometry(crawl, &geo);
            kb_crawl_set_style(crawl, &crawl_style);
            bool rtl = si[i].r.segs[0].line->base_dir == KB_DIR_RTL;
            for (size_t s = 0; s < si[i].r.n_segs; s++) {
                if (si[i].r.segs[s].style == KB_SEG_TEXT)
                    rtl = si[i].r.segs[s].line->base_dir == KB_DIR_RTL;
            }
            /* Page k of the item, from its reading start. */
            double x = rtl ? geo.area.x + geo.area.w - si[i].width + (double)k * geo.area.w
                           : geo.area.x - (double)k * geo.area.w;
            kb_crawl_show_at(crawl, si[i].r.segs, si[i].r.n_segs, si[i].r.id, si[i].r.flags, x);
            SDL_Color bc = kb_scene_color(breaking ? cfg->breaking_bg : cfg->bar);
            SDL_SetRenderDrawColor(screen.renderer, bc.r, bc.g, bc.b, 255);
            SDL_RenderFillRect(screen.renderer, &bar);
            kb_crawl_draw(crawl, screen.renderer, atlas);
            kb_chrome_draw(chrome, screen.renderer, atlas, batch, breaking);
            kb_crawl_free(crawl);
        }
    }
    if (kb_screen_save_png(&screen, o->png, &err)) {
        printf("%s: %d item%s in %d bar%s\n", o->png, row ? (int)n : 0, n == 1 ? "" : "s", row,
               row == 1 ? "" : "s");
        status = 0;
    } else {
        fprintf(stderr, "kabar: %s\n", err.msg);
    }
    kb_batch_free(batch);
    kb_atlas_free(atlas);
    kb_screen_close(&screen);
    SDL_Quit();
done:
    for (size_t i = 0; i < n; i++)
        kb_ready_release(&si[i].r);
    free(si);
    kb_chrome_free(chrome);
    kb_spool_free(spool);
    kb_faces_free(faces);
    kb_fonts_free(fonts);
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
