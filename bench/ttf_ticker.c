/* ttf_ticker: the news ticker a competent developer writes in an afternoon
 * with SDL2_ttf, the baseline kabar is measured against (docs/bench.md).
 *
 * One font, one line of text per headline, no fallback, no bidi, no
 * language: what SDL2_ttf can do. Two ways to draw it:
 *   --mode prerender  each headline rendered once with TTF_RenderUTF8_Blended
 *                     into a texture as it enters, SDL_RenderCopyF each
 *                     frame, the texture freed when the headline leaves;
 *   --mode rerender   each visible headline rendered, uploaded, copied and
 *                     destroyed every frame;
 *   --mode none       the floor under both: the clear and the bar, no text.
 * The screen is kabar's with its defaults: background cleared every frame,
 * a bar 10 % of the height at the bottom, text 0.58 of the bar, 2 em between
 * headlines, crawling right to left at a speed given at 1080 lines.
 *
 * At exit one JSON line goes to stdout: frames, draw calls per frame and
 * texture bytes uploaded per frame in the steady state (once the crawl has
 * come round to a headline it showed before, as kabar's --stats counts
 * them), and the frame at which it came round. Plain SDL2 + SDL2_ttf on
 * purpose: it links nothing of kabar's. */
#include <SDL.h>
#include <SDL_ttf.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_FONT "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
/* kabar's defaults (docs/config.md): the bar, the text in it, the gap, the colours. */
#define BAR_HEIGHT 0.1
#define FONT_SCALE 0.58
#define ITEM_GAP_EM 2.0
#define REFRESH_HZ 60.0
/* Draw calls per frame counted exactly up to this, like kabar's stats. */
#define CALLS_MAX 256
/* Headlines read from the file; more is not a benchmark of a ticker. */
#define HEADLINES_MAX 10000

enum mode { MODE_PRERENDER, MODE_RERENDER, MODE_NONE };
static const char *const mode_names[] = {"prerender", "rerender", "none"};

struct opts {
    enum mode mode;
    const char *headlines;
    const char *font;
    const char *driver;
    const char *screenshot;
    int width, height;
    double speed;
    long frames;
    double seconds;
    bool headless, vsync, virtual_clock;
};

struct headlines {
    char **text;
    size_t n;
};

/* A headline on screen. */
struct item {
    size_t index;     /* into the headlines */
    double start;     /* crawl offset at which its leading edge entered */
    int w, h;         /* of its rendered text */
    SDL_Texture *tex; /* prerender only */
};

struct counts {
    uint64_t frames, steady_frames, dropped;
    uint64_t calls_hist[CALLS_MAX + 1], text_calls_hist[CALLS_MAX + 1];
    int calls_max, text_calls_max;
    uint64_t steady_calls, steady_text_calls;
    uint64_t upload_steady_total, upload_total;
    size_t upload_steady_max;
    uint64_t renders, entered;
    uint64_t steady_from; /* the frame the first repeat entered; 0: not yet */
};

struct ticker {
    const struct opts *o;
    const struct headlines *hl;
    SDL_Window *window;
    SDL_Renderer *renderer;
    TTF_Font *font;
    SDL_FRect bar;
    float baseline;
    double px_per_frame, gap, offset;
    size_t next; /* the headline to enter next */
    struct item *items;
    size_t n, cap;
    /* this frame */
    int calls, text_calls;
    size_t upload;
    struct counts c;
};

static void usage(FILE *f)
{
    fputs("usage: ttf_ticker --headlines FILE [--mode prerender|rerender|none]\n"
          "                  [--font PATH] [--size WxH] [--speed PX_PER_S]\n"
          "                  [--frames N] [--seconds S] [--driver NAME] [--headless]\n"
          "                  [--vsync] [--virtual] [--screenshot F.bmp]\n"
          "  --mode        prerender (default): one texture per headline, made as it enters;\n"
          "                rerender: each visible headline rendered and uploaded every frame;\n"
          "                none: the clear and the bar only, the floor under both\n"
          "  --font        default " DEFAULT_FONT "\n"
          "  --size        screen size, default 1920x1080\n"
          "  --speed       pixels per second at 1080 lines, default 120\n"
          "  --frames N, --seconds S   stop after N frames or S seconds of crawl\n"
          "  --driver      SDL render driver (software, opengles2, opengl)\n"
          "  --headless    dummy video driver and the software renderer\n"
          "  --vsync       ask for vsync; without it (or where it is refused) pace to 60 Hz\n"
          "  --virtual     no pacing: every frame advances the crawl by 1/60 s\n"
          "  --screenshot  write the last frame as a BMP\n",
          f);
}

static bool parse_size(const char *s, int *w, int *h)
{
    char tail;
    return sscanf(s, "%dx%d%c", w, h, &tail) == 2 && *w >= 16 && *h >= 16 && *w <= 16384 &&
           *h <= 16384;
}

static bool parse_double(const char *s, double lo, double hi, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' && *v >= lo && *v <= hi;
}

static bool parse_opts(int argc, char **argv, struct opts *o)
{
    enum {
        O_MODE = 256,
        O_HEADLINES,
        O_FONT,
        O_SIZE,
        O_SPEED,
        O_FRAMES,
        O_SECONDS,
        O_DRIVER,
        O_HEADLESS,
        O_VSYNC,
        O_VIRTUAL,
        O_SCREENSHOT,
        O_HELP
    };
    static const struct option longopts[] = {
        {"mode", required_argument, 0, O_MODE},
        {"headlines", required_argument, 0, O_HEADLINES},
        {"font", required_argument, 0, O_FONT},
        {"size", required_argument, 0, O_SIZE},
        {"speed", required_argument, 0, O_SPEED},
        {"frames", required_argument, 0, O_FRAMES},
        {"seconds", required_argument, 0, O_SECONDS},
        {"driver", required_argument, 0, O_DRIVER},
        {"headless", no_argument, 0, O_HEADLESS},
        {"vsync", no_argument, 0, O_VSYNC},
        {"virtual", no_argument, 0, O_VIRTUAL},
        {"screenshot", required_argument, 0, O_SCREENSHOT},
        {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0},
    };
    *o = (struct opts){
        .mode = MODE_PRERENDER, .font = DEFAULT_FONT, .width = 1920, .height = 1080, .speed = 120};
    int c;
    double v;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_MODE:
            if (strcmp(optarg, "prerender") == 0)
                o->mode = MODE_PRERENDER;
            else if (strcmp(optarg, "rerender") == 0)
                o->mode = MODE_RERENDER;
            else if (strcmp(optarg, "none") == 0)
                o->mode = MODE_NONE;
            else
                return fprintf(stderr, "--mode %s: prerender, rerender or none\n", optarg), false;
            break;
        case O_HEADLINES:
            o->headlines = optarg;
            break;
        case O_FONT:
            o->font = optarg;
            break;
        case O_SIZE:
            if (!parse_size(optarg, &o->width, &o->height))
                return fprintf(stderr, "--size %s: expected WxH\n", optarg), false;
            break;
        case O_SPEED:
            if (!parse_double(optarg, 1, 5000, &o->speed))
                return fprintf(stderr, "--speed %s: 1 to 5000\n", optarg), false;
            break;
        case O_FRAMES:
            if (!parse_double(optarg, 1, 1e9, &v))
                return fprintf(stderr, "--frames %s: a positive count\n", optarg), false;
            o->frames = (long)v;
            break;
        case O_SECONDS:
            if (!parse_double(optarg, 0.001, 1e7, &o->seconds))
                return fprintf(stderr, "--seconds %s: a positive number\n", optarg), false;
            break;
        case O_DRIVER:
            o->driver = optarg;
            break;
        case O_HEADLESS:
            o->headless = true;
            break;
        case O_VSYNC:
            o->vsync = true;
            break;
        case O_VIRTUAL:
            o->virtual_clock = true;
            break;
        case O_SCREENSHOT:
            o->screenshot = optarg;
            break;
        case O_HELP:
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return false;
        }
    }
    if (optind < argc || o->headlines == NULL) {
        usage(stderr);
        return false;
    }
    return true;
}

static void headlines_free(struct headlines *hl)
{
    for (size_t i = 0; i < hl->n; i++)
        free(hl->text[i]);
    free(hl->text);
    hl->text = NULL;
    hl->n = 0;
}

/* One headline per line; blank lines skipped. */
static bool headlines_read(const char *path, struct headlines *hl)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    *hl = (struct headlines){0};
    while ((len = getline(&line, &cap, f)) != -1 && hl->n < HEADLINES_MAX) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        char **grown = realloc(hl->text, (hl->n + 1) * sizeof(*hl->text));
        char *copy = strdup(line);
        if (grown == NULL || copy == NULL) {
            free(copy);
            hl->text = grown != NULL ? grown : hl->text;
            break;
        }
        hl->text = grown;
        hl->text[hl->n++] = copy;
    }
    free(line);
    fclose(f);
    if (hl->n == 0) {
        fprintf(stderr, "%s: no headlines\n", path);
        headlines_free(hl);
        return false;
    }
    return true;
}

/* Pixels per frame at this height; within 5 % of a whole number, snapped to
 * it, as kabar does. */
static double px_per_frame(double speed, int height)
{
    double v = speed * height / 1080.0 / REFRESH_HZ;
    double whole = round(v);
    if (whole >= 1 && fabs(v - whole) <= 0.05 * v)
        return whole;
    return v;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
    struct timespec ts = {(time_t)t, (long)((t - floor(t)) * 1e9)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

static size_t texture_bytes(SDL_Texture *tex)
{
    Uint32 format;
    int w, h;
    if (SDL_QueryTexture(tex, &format, NULL, &w, &h) != 0)
        return 0;
    return (size_t)w * (size_t)h * SDL_BYTESPERPIXEL(format);
}

/* The headline's text as a texture: what both modes do, once or every frame. */
static SDL_Texture *render_text(struct ticker *t, const char *text)
{
    static const SDL_Color white = {255, 255, 255, 255};
    SDL_Surface *s = TTF_RenderUTF8_Blended(t->font, text, white);
    if (s == NULL) {
        fprintf(stderr, "cannot render a headline: %s\n", TTF_GetError());
        return NULL;
    }
    SDL_Texture *tex = SDL_CreateTextureFromSurface(t->renderer, s);
    SDL_FreeSurface(s);
    if (tex == NULL) {
        fprintf(stderr, "cannot make a texture: %s\n", SDL_GetError());
        return NULL;
    }
    t->upload += texture_bytes(tex);
    t->c.renders++;
    return tex;
}

static double left_x(const struct ticker *t, const struct item *it)
{
    return t->bar.x + t->bar.w - (t->offset - it->start);
}

static bool has_left(const struct ticker *t, const struct item *it)
{
    return t->offset - it->start > (double)t->bar.w + it->w;
}

static void item_free(struct item *it)
{
    if (it->tex != NULL)
        SDL_DestroyTexture(it->tex);
    it->tex = NULL;
}

/* The next headline enters at the right edge 2 em after the last one. */
static bool enter_next(struct ticker *t)
{
    struct item it = {.index = t->next, .start = t->offset};
    const char *text = t->hl->text[it.index];
    if (t->n > 0) {
        const struct item *last = &t->items[t->n - 1];
        double entry = last->start + last->w + t->gap;
        if (t->offset < entry)
            return false;
        /* On time keeps the exact spacing; late enters at the edge now. */
        if (t->offset - entry < t->px_per_frame + 1)
            it.start = entry;
    }
    bool ok;
    if (t->o->mode == MODE_PRERENDER) {
        it.tex = render_text(t, text);
        ok = it.tex != NULL && SDL_QueryTexture(it.tex, NULL, NULL, &it.w, &it.h) == 0;
    } else {
        ok = TTF_SizeUTF8(t->font, text, &it.w, &it.h) == 0;
        if (!ok)
            fprintf(stderr, "cannot measure a headline: %s\n", TTF_GetError());
    }
    if (!ok) {
        /* Skip it rather than stall the crawl on it. */
        item_free(&it);
        t->next = (t->next + 1) % t->hl->n;
        return false;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap * 2 + 4;
        struct item *grown = realloc(t->items, cap * sizeof(*grown));
        if (grown == NULL) {
            item_free(&it);
            return false;
        }
        t->items = grown;
        t->cap = cap;
    }
    t->items[t->n++] = it;
    t->next = (t->next + 1) % t->hl->n;
    t->c.entered++;
    return true;
}

static void step(struct ticker *t, uint64_t frame)
{
    t->offset = (double)frame * t->px_per_frame;
    size_t j = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (has_left(t, &t->items[i]))
            item_free(&t->items[i]);
        else
            t->items[j++] = t->items[i];
    }
    t->n = j;
    while (enter_next(t)) {
    }
}

static void draw_item(struct ticker *t, const struct item *it)
{
    float x = (float)floor(left_x(t, it));
    if (x >= t->bar.x + t->bar.w || x + (float)it->w <= t->bar.x)
        return;
    SDL_Texture *tex = it->tex;
    if (t->o->mode == MODE_RERENDER)
        tex = render_text(t, t->hl->text[it->index]);
    if (tex == NULL)
        return;
    SDL_FRect dst = {x, t->baseline - (float)TTF_FontAscent(t->font), (float)it->w, (float)it->h};
    SDL_RenderCopyF(t->renderer, tex, NULL, &dst);
    t->calls++;
    t->text_calls++;
    if (t->o->mode == MODE_RERENDER)
        SDL_DestroyTexture(tex);
}

static void draw(struct ticker *t)
{
    SDL_SetRenderDrawColor(t->renderer, 0x10, 0x14, 0x18, 255);
    SDL_RenderClear(t->renderer);
    SDL_SetRenderDrawColor(t->renderer, 0x1b, 0x2a, 0x3a, 255);
    SDL_RenderFillRectF(t->renderer, &t->bar);
    t->calls += 2;
    if (t->o->mode == MODE_NONE)
        return;
    for (size_t i = 0; i < t->n; i++)
        draw_item(t, &t->items[i]);
}

static void count_frame(struct counts *c, int calls, int text_calls, size_t upload, bool steady,
                        bool dropped)
{
    c->frames++;
    c->upload_total += upload;
    if (dropped)
        c->dropped++;
    if (!steady)
        return;
    c->steady_frames++;
    c->calls_hist[calls > CALLS_MAX ? CALLS_MAX : calls]++;
    c->text_calls_hist[text_calls > CALLS_MAX ? CALLS_MAX : text_calls]++;
    c->calls_max = calls > c->calls_max ? calls : c->calls_max;
    c->text_calls_max = text_calls > c->text_calls_max ? text_calls : c->text_calls_max;
    c->steady_calls += (uint64_t)calls;
    c->steady_text_calls += (uint64_t)text_calls;
    c->upload_steady_total += upload;
    if (upload > c->upload_steady_max)
        c->upload_steady_max = upload;
}

static int p50(const uint64_t *hist, uint64_t n)
{
    uint64_t acc = 0;
    for (int i = 0; i <= CALLS_MAX; i++) {
        acc += hist[i];
        if (acc >= n / 2 + 1)
            return i;
    }
    return 0;
}

static double mean(uint64_t total, uint64_t n)
{
    return n > 0 ? (double)total / (double)n : 0;
}

static void print_json(const struct ticker *t)
{
    const struct counts *c = &t->c;
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(t->renderer, &info) != 0)
        info.name = "";
    printf("{\"mode\":\"%s\",\"renderer\":\"%s\",\"size\":[%d,%d],\"px_per_frame\":%g,"
           "\"frames\":%llu,\"steady_frames\":%llu,\"dropped_frames\":%llu,"
           "\"draw_calls_per_frame\":{\"p50\":%d,\"max\":%d,\"mean\":%.3f},"
           "\"text_draw_calls_per_frame\":{\"p50\":%d,\"max\":%d,\"mean\":%.3f},"
           "\"upload_bytes_per_frame_steady\":%zu,\"upload_bytes_per_frame_mean\":%.1f,"
           "\"headlines_entered\":%llu,\"text_renders\":%llu,\"steady_from_frame\":%llu}\n",
           mode_names[t->o->mode], info.name, t->o->width, t->o->height, t->px_per_frame,
           (unsigned long long)c->frames, (unsigned long long)c->steady_frames,
           (unsigned long long)c->dropped, p50(c->calls_hist, c->steady_frames), c->calls_max,
           mean(c->steady_calls, c->steady_frames), p50(c->text_calls_hist, c->steady_frames),
           c->text_calls_max, mean(c->steady_text_calls, c->steady_frames), c->upload_steady_max,
           mean(c->upload_steady_total, c->steady_frames), (unsigned long long)c->entered,
           (unsigned long long)c->renders, (unsigned long long)c->steady_from);
    fflush(stdout);
}

static bool window_open(struct ticker *t)
{
    const struct opts *o = t->o;
    /* As kabar: on X11 the software renderer would otherwise upload every
     * frame through GL (DESIGN.md, "Measured facts"). */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (o->headless) {
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    } else if (o->driver != NULL) {
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, o->driver);
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "cannot start SDL video: %s\n", SDL_GetError());
        return false;
    }
    t->window = SDL_CreateWindow("ttf_ticker", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                 o->width, o->height, SDL_WINDOW_SHOWN);
    if (t->window == NULL) {
        fprintf(stderr, "cannot open a %dx%d window: %s\n", o->width, o->height, SDL_GetError());
        return false;
    }
    Uint32 flags = o->headless ? SDL_RENDERER_SOFTWARE : 0;
    if (o->vsync && !o->headless)
        flags |= SDL_RENDERER_PRESENTVSYNC;
    t->renderer = SDL_CreateRenderer(t->window, -1, flags);
    if (t->renderer == NULL && (flags & SDL_RENDERER_PRESENTVSYNC))
        t->renderer = SDL_CreateRenderer(t->window, -1, flags & ~(Uint32)SDL_RENDERER_PRESENTVSYNC);
    if (t->renderer == NULL) {
        fprintf(stderr, "cannot create a renderer: %s\n", SDL_GetError());
        return false;
    }
    return true;
}

static bool ticker_open(struct ticker *t)
{
    if (!window_open(t))
        return false;
    int w, h;
    if (SDL_GetRendererOutputSize(t->renderer, &w, &h) != 0) {
        w = t->o->width;
        h = t->o->height;
    }
    int bar_h = (int)lround(h * BAR_HEIGHT);
    int px = (int)lround(bar_h * FONT_SCALE);
    t->bar = (SDL_FRect){0, (float)(h - bar_h), (float)w, (float)bar_h};
    /* kabar centres Noto's mid-letter height (0.36 em) on the bar. */
    t->baseline = t->bar.y + (float)(bar_h / 2) + (float)lround(px * 0.36);
    t->gap = (double)lround(ITEM_GAP_EM * px);
    t->px_per_frame = px_per_frame(t->o->speed, h);
    if (TTF_Init() != 0) {
        fprintf(stderr, "cannot start SDL_ttf: %s\n", TTF_GetError());
        return false;
    }
    /* SDL_ttf sizes are points at 72 dpi: pixels. */
    t->font = TTF_OpenFont(t->o->font, px);
    if (t->font == NULL) {
        fprintf(stderr, "%s: %s\n", t->o->font, TTF_GetError());
        return false;
    }
    return true;
}

static void ticker_close(struct ticker *t)
{
    for (size_t i = 0; i < t->n; i++)
        item_free(&t->items[i]);
    free(t->items);
    if (t->font != NULL)
        TTF_CloseFont(t->font);
    if (TTF_WasInit())
        TTF_Quit();
    if (t->renderer != NULL)
        SDL_DestroyRenderer(t->renderer);
    if (t->window != NULL)
        SDL_DestroyWindow(t->window);
    SDL_Quit();
}

static bool quit_requested(void)
{
    SDL_Event e;
    bool quit = false;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT)
            quit = true;
    }
    return quit;
}

static void save_bmp(struct ticker *t, const char *path)
{
    int w, h;
    SDL_Surface *s = NULL;
    if (SDL_GetRendererOutputSize(t->renderer, &w, &h) == 0)
        s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 24, SDL_PIXELFORMAT_BGR24);
    bool ok =
        s != NULL &&
        SDL_RenderReadPixels(t->renderer, NULL, s->format->format, s->pixels, s->pitch) == 0 &&
        SDL_SaveBMP(s, path) == 0;
    if (!ok)
        fprintf(stderr, "%s: %s\n", path, SDL_GetError());
    SDL_FreeSurface(s);
}

static void run(struct ticker *t)
{
    const struct opts *o = t->o;
    SDL_RendererInfo info;
    /* SDL's software renderer says it has vsync but does not wait for it:
     * pace by the clock there, as kabar does. */
    bool vsync = !o->virtual_clock && SDL_GetRendererInfo(t->renderer, &info) == 0 &&
                 (info.flags & SDL_RENDERER_PRESENTVSYNC) && !(info.flags & SDL_RENDERER_SOFTWARE);
    double period = 1.0 / REFRESH_HZ, t0 = mono_s(), last_present = t0;
    uint64_t frame = 0;
    for (uint64_t n = 0;; n++) {
        if (o->frames > 0 && n >= (uint64_t)o->frames)
            break;
        if (o->seconds > 0 && (double)frame * period >= o->seconds)
            break;
        if (quit_requested())
            break;
        t->calls = t->text_calls = 0;
        t->upload = 0;
        step(t, frame);
        draw(t);
        bool last = (o->frames > 0 && n + 1 >= (uint64_t)o->frames) ||
                    (o->seconds > 0 && (double)(frame + 1) * period >= o->seconds);
        if (last && o->screenshot != NULL)
            save_bmp(t, o->screenshot);
        SDL_RenderPresent(t->renderer);
        double now = mono_s();
        bool dropped = !o->virtual_clock && n > 0 && now - last_present > 1.5 * period;
        last_present = now;
        /* Steady once a headline enters for the second time: every
         * headline has been seen by then, as kabar's stats count it. */
        if (t->c.steady_from == 0 && t->c.entered > t->hl->n)
            t->c.steady_from = n;
        count_frame(&t->c, t->calls, t->text_calls, t->upload, t->c.steady_from > 0, dropped);
        if (o->virtual_clock) {
            frame++;
            continue;
        }
        if (!vsync)
            sleep_until(t0 + (double)(n + 1) * period);
        /* The crawl follows the clock, so a slow frame does not slow it. */
        uint64_t f = (uint64_t)llround((mono_s() - t0) * REFRESH_HZ);
        frame = f > frame ? f : frame + 1;
    }
}

int main(int argc, char **argv)
{
    struct opts o;
    if (!parse_opts(argc, argv, &o))
        return 2;
    struct headlines hl;
    if (!headlines_read(o.headlines, &hl))
        return 1;
    struct ticker t = {.o = &o, .hl = &hl};
    int status = 1;
    if (ticker_open(&t)) {
        run(&t);
        print_json(&t);
        status = 0;
    }
    ticker_close(&t);
    headlines_free(&hl);
    return status;
}
