#include "app/preview_slide.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/compose.h"
#include "app/present.h"
#include "app/scene.h"
#include "app/slides.h"
#include "core/file.h"
#include "core/limits.h"
#include "core/xmalloc.h"
#include "render/atlas.h"
#include "render/batch.h"
#include "render/chrome.h"
#include "render/crawl.h"
#include "render/fit.h"
#include "render/screen.h"
#include "render/slide.h"
#include "spool/images.h"
#include "spool/spool.h"

/* Copies src (read whole, at most max bytes) to dst, renamed in. */
static bool copy_file(const char *src, const char *dst, size_t max)
{
    char *buf = NULL;
    size_t len = 0;
    struct stat st;
    struct kb_error err;
    bool ok = kb_file_read(AT_FDCWD, src, src, max, &buf, &len, &st, &err) == KB_READ_OK &&
              kb_file_write_atomic(AT_FDCWD, dst, dst, "preview", buf, len, &err);
    free(buf);
    return ok;
}

/* A private spool holding a copy of file and, once the item is read, of
 * its picture: a bad picture is moved to the copy's rejected/, never the
 * editor's. */
struct priv {
    char dir[32];
    struct kb_spool *spool;
    const struct kb_item *item; /* the spool's */
};

static bool priv_open(struct priv *p, const char *file)
{
    memset(p, 0, sizeof(*p));
    struct kb_error err;
    if (kb_spool_validate_file(file, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return false;
    }
    snprintf(p->dir, sizeof(p->dir), "/tmp/kabar-slide-XXXXXX");
    if (mkdtemp(p->dir) == NULL) {
        fprintf(stderr, "kabar: cannot make a folder for the preview: %s\n", strerror(errno));
        p->dir[0] = '\0';
        return false;
    }
    char *dst = kb_xasprintf("%s/item.json", p->dir);
    bool ok = copy_file(file, dst, KB_SPOOL_FILE_MAX_BYTES);
    free(dst);
    if (!ok) {
        fprintf(stderr, "kabar: %s: cannot copy for the preview\n", file);
        return false;
    }
    struct kb_spool_opts so = {.dir = p->dir, .settle_s = 0, .move_rejected = false};
    p->spool = kb_spool_new(&so, NULL, NULL);
    kb_spool_update(p->spool, (int64_t)time(NULL) * 1000);
    size_t n = 0;
    const struct kb_item *const *items = kb_spool_items(p->spool, &n);
    if (n == 0) {
        fprintf(stderr, "kabar: %s: nothing to preview\n", file);
        return false;
    }
    p->item = items[0];
    if (p->item->image[0] == '\0')
        return true;
    /* The picture from images/ beside the file. */
    char *src_dir = kb_xstrdup(file);
    char *slash = strrchr(src_dir, '/');
    const char *base = slash ? (*slash = '\0', src_dir) : ".";
    char *src = kb_xasprintf("%s/" KB_SPOOL_IMAGES_DIR "/%s", base, p->item->image);
    char *img_dir = kb_xasprintf("%s/" KB_SPOOL_IMAGES_DIR, p->dir);
    char *img = kb_xasprintf("%s/%s", img_dir, p->item->image);
    mkdir(img_dir, 0700);
    if (strchr(p->item->image, '/') != NULL || !copy_file(src, img, KB_IMAGE_FILE_MAX_BYTES))
        fprintf(stderr, "kabar: %s: cannot read the picture; the slide is shown without it\n", src);
    free(img);
    free(img_dir);
    free(src);
    free(src_dir);
    return true;
}

/* Removes the files of dir/sub, then the folder (the private spool's). */
static void remove_dir(const char *dir, const char *sub)
{
    char *path = sub[0] ? kb_xasprintf("%s/%s", dir, sub) : kb_xstrdup(dir);
    DIR *d = opendir(path);
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    if (d != NULL)
        closedir(d);
    rmdir(path);
    free(path);
}

static void priv_close(struct priv *p)
{
    kb_spool_free(p->spool);
    if (p->dir[0] == '\0')
        return;
    remove_dir(p->dir, KB_SPOOL_IMAGES_DIR);
    remove_dir(p->dir, "rejected");
    remove_dir(p->dir, "");
}

/* Where the ticker puts the slides and their headline's em
 * (kb_loop_slides_place): above the bar, room left for it to grow. */
static SDL_Rect slide_rect(const struct kb_config *cfg, const struct kb_scene *sc, int w, int h,
                           int *px)
{
    bool top = strcmp(cfg->position, "top") == 0;
    int safe = (int)lround(h * cfg->safe_area / 100.0);
    int grow = (int)lround(sc->bar.h * (KB_FIT_GROW_MAX - 1));
    int y = top ? sc->bar.y + sc->bar.h + grow : safe;
    int rh = top ? h - safe - y : sc->bar.y - grow - y;
    SDL_Rect r = {sc->bar.x, y, sc->bar.w, rh > 0 ? rh : 0};
    double lines = kb_scene_lines(w, h);
    *px = (int)lround(fmin(lines * cfg->quote_size * 1.25, r.h / 9.0));
    return r;
}

/* The bar as it airs while the item enters: its colour, the label, and the
 * item's first screenful of crawl from the reading start. */
static void draw_bar(const struct kb_config *cfg, const struct kb_scene *sc, struct kb_faces *faces,
                     const struct kb_item *item, SDL_Renderer *renderer, struct kb_atlas *atlas,
                     struct kb_batch *batch)
{
    struct kb_crawl_style crawl_style;
    struct kb_chrome_style chrome_style;
    kb_scene_styles(cfg, &crawl_style, &chrome_style);
    struct kb_chrome *chrome = kb_chrome_new();
    kb_chrome_set_style(chrome, &chrome_style);
    bool breaking = item->priority == KB_PRIORITY_BREAKING;
    const char *label = cfg->label[0] ? cfg->label : kb_present_label(cfg->screen_lang);
    struct kb_line *lines[2] = {kb_compose_chrome(faces, cfg, label, sc->px, KB_CHROME_SCALE),
                                kb_compose_chrome(faces, cfg, kb_present_breaking(cfg->screen_lang),
                                                  sc->px, KB_CHROME_SCALE)};
    kb_chrome_set(chrome, KB_CHROME_LABEL, lines[0]);
    kb_chrome_set(chrome, KB_CHROME_BREAKING_LABEL, lines[1]);
    kb_line_unref(lines[0]);
    kb_line_unref(lines[1]);
    struct kb_crawl_geometry geo = sc->geo;
    kb_chrome_place(chrome, sc->bar, kb_present_rtl(cfg->screen_lang), &geo.area);
    SDL_Color bc = kb_scene_color(breaking ? cfg->breaking_bg : cfg->bar);
    SDL_SetRenderDrawColor(renderer, bc.r, bc.g, bc.b, 255);
    SDL_RenderFillRect(renderer, &sc->bar);
    struct kb_ready r;
    struct kb_crawl *crawl = kb_crawl_new();
    if (kb_compose_item(faces, cfg, item, sc->px, &r)) {
        kb_crawl_set_geometry(crawl, &geo);
        kb_crawl_set_style(crawl, &crawl_style);
        bool rtl = false;
        for (size_t i = 0; i < r.n_segs; i++) {
            if (r.segs[i].style == KB_SEG_TEXT)
                rtl = r.segs[i].line->base_dir == KB_DIR_RTL;
        }
        double width = kb_crawl_item_width(r.segs, r.n_segs);
        double x = rtl ? geo.area.x + geo.area.w - width : geo.area.x;
        kb_crawl_show_at(crawl, r.segs, r.n_segs, r.id, r.flags, x);
        kb_crawl_draw(crawl, renderer, atlas);
        kb_ready_release(&r);
    }
    kb_chrome_draw(chrome, renderer, atlas, batch, breaking);
    kb_crawl_free(crawl);
    kb_chrome_free(chrome);
}

/* Draws the slide and the bar on a headless screen of w x h into png. */
static int draw(const struct kb_config *cfg, struct kb_faces *faces, const struct priv *p, int w,
                int h, const char *png)
{
    struct kb_error err;
    struct kb_screen screen;
    struct kb_screen_opts sopt = {.mode = KB_SCREEN_HEADLESS, .width = w, .height = h};
    if (!kb_screen_open(&screen, &sopt, &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    struct kb_atlas_opts ao = {cfg->atlas_page, screen.max_texture,
                               (size_t)cfg->atlas_budget_kib * 1024};
    struct kb_atlas *atlas = kb_atlas_new(screen.renderer, faces, &ao);
    struct kb_batch *batch = kb_batch_new();
    struct kb_slides *slides = kb_slides_new();
    struct kb_slide_style st = kb_scene_slide_style(cfg, 0);
    kb_slides_set_style(slides, &st);
    struct kb_scene sc = kb_scene_layout(cfg, w, h, 60);
    int px = 0;
    SDL_Rect rect = slide_rect(cfg, &sc, w, h, &px);
    kb_slides_place(slides, rect);
    SDL_Color bg = st.background;
    SDL_SetRenderDrawColor(screen.renderer, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(screen.renderer);
    kb_atlas_begin_frame(atlas);
    struct kb_story *s = rect.h > 0 ? kb_slide_compose(faces, cfg, p->item, p->dir, rect.w, rect.h,
                                                       px, (int64_t)time(NULL))
                                    : NULL;
    int status = 1;
    if (s == NULL) {
        fprintf(stderr, "kabar: %s: no room for a slide, or its headline cannot be laid out\n",
                png);
    } else {
        /* Pushed at 0 and drawn once its fade-in is over: fully on. */
        kb_slides_push(slides, screen.renderer, s, 0);
        kb_slides_step(slides, st.fade_s, atlas, SIZE_MAX);
        kb_slides_draw(slides, screen.renderer, atlas, batch);
        draw_bar(cfg, &sc, faces, p->item, screen.renderer, atlas, batch);
        if (kb_screen_save_png(&screen, png, &err)) {
            printf("%s: %dx%d\n", png, w, h);
            status = 0;
        } else {
            fprintf(stderr, "kabar: %s\n", err.msg);
        }
    }
    kb_slides_free(slides);
    kb_batch_free(batch);
    kb_atlas_free(atlas);
    kb_screen_close(&screen);
    SDL_Quit();
    return status;
}

int kb_preview_slide(const struct kb_config *cfg, const char *file, const char *png)
{
    struct priv p;
    int status = 1;
    if (priv_open(&p, file)) {
        struct kb_error err;
        struct kb_fonts *fonts =
            kb_fonts_new(cfg->fonts[0] ? cfg->fonts : kb_fonts_default_chain(), &err);
        if (fonts == NULL) {
            fprintf(stderr, "kabar: %s\n", err.msg);
        } else {
            struct kb_faces *faces = kb_faces_new(fonts);
            status = draw(cfg, faces, &p, cfg->width > 0 ? cfg->width : 1920,
                          cfg->height > 0 ? cfg->height : 1080, png);
            kb_faces_free(faces);
            kb_fonts_free(fonts);
        }
    }
    priv_close(&p);
    return status;
}
