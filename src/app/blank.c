#include "app/blank.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "screen"
#include "app/dpms.h"
#include "app/loop.h"
#include "app/schedule.h"
#include "core/log.h"
#include "render/verify.h"

extern char **environ;

/* Set by kabar for itself when it starts again on the next renderer. */
#define ENV_RENDERER "KABAR_RENDERER_FALLBACK"
#define CHECK_EVERY_S 5.0
#define BLANK_RESTART 3 /* bar checks in a row that found nothing drawn */

static struct {
    char asked[32];
    int fallbacks;
    uint64_t checks, blank;
    int blank_in_row;
    double last_check;
    /* The schedule as last parsed, and the text it came from. */
    char sched_text[sizeof(((struct kb_config *)0)->display_schedule)];
    struct kb_schedule sched;
    bool dark;
    double next_look; /* monotonic seconds: when to look at the clock again */
} B;

static const char *const chain[] = {"opengles2", "software"};

/* The next renderer after `name` in the chain, or NULL. */
static const char *next_after(const char *name)
{
    for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++)
        if (strcmp(chain[i], name) == 0)
            return i + 1 < sizeof(chain) / sizeof(chain[0]) ? chain[i + 1] : NULL;
    return chain[0];
}

bool kb_blank_screen_open(struct kb_screen *s, const struct kb_screen_opts *o, struct kb_error *err)
{
    const char *want = o->render_driver != NULL ? o->render_driver : "";
    const char *env = getenv(ENV_RENDERER);
    if (env != NULL && env[0] != '\0') {
        B.fallbacks = atoi(env);
        const char *colon = strchr(env, ':');
        want = colon != NULL ? colon + 1 : want;
    }
    if (B.asked[0] == '\0')
        snprintf(B.asked, sizeof(B.asked), "%s", o->render_driver ? o->render_driver : "");
    struct kb_screen_opts so = *o;
    const char *driver = want;
    /* At most one try per renderer of the chain, and the one asked for. */
    for (int attempt = 0;; attempt++) {
        so.render_driver = driver;
        if (!kb_screen_open(s, &so, err))
            return false;
        if (driver[0] != '\0' && strcmp(s->driver, driver) != 0)
            LOG_WARN("asked for renderer %s, SDL gave %s", driver, s->driver);
        /* The dummy driver has no display to fail on. */
        if (o->mode == KB_SCREEN_HEADLESS)
            return true;
        char why[160];
        if (kb_verify_probe(s->renderer, why, sizeof(why)))
            return true;
        const char *next = next_after(s->driver);
        if (next == NULL || attempt == 2) {
            LOG_ERR("renderer %s draws nothing (%s), and no other is left: keeping it", s->driver,
                    why);
            return true;
        }
        LOG_ERR("renderer %s draws nothing (%s); falling back to %s", s->driver, why, next);
        B.fallbacks++;
        kb_screen_close(s);
        driver = next;
    }
}

/* Starts this same command again with the next renderer: the screen, the
 * atlas and every texture belong to the renderer, so a fresh start is the
 * one clean way to change it. The process id stays (the service manager's
 * main process); READY was already sent. Returns only if exec failed. */
static void restart_on(const char *next)
{
    char cmdline[8192];
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline) - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return;
    cmdline[n] = '\0';
    char *argv[256];
    int argc = 0;
    for (char *p = cmdline; p < cmdline + n && argc < 255; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    char env[64];
    snprintf(env, sizeof(env), "%d:%s", B.fallbacks + 1, next);
    setenv(ENV_RENDERER, env, 1);
    execv("/proc/self/exe", argv);
    LOG_ERR("cannot start again on renderer %s: %s", next, strerror(errno));
}

void kb_blank_watch(struct kb_loop *L, uint64_t n, double now)
{
    /* The first check after a few frames (the atlas has text by then),
     * then one row every few seconds. A turned screen draws through a
     * texture first: its bar is elsewhere on the display; not checked. */
    if (B.dark || L->rotated != NULL || (n != 3 && now - B.last_check < CHECK_EVERY_S) || n < 3)
        return;
    B.last_check = now;
    B.checks++;
    SDL_Rect bar = L->layout.bar;
    SDL_Color bg = kb_scene_color(L->cfg.background);
    enum kb_verify_row r = kb_verify_row(L->screen.renderer, bar.y + bar.h / 2, bar.x, bar.w, bg);
    if (r != KB_ROW_BACKGROUND) {
        B.blank_in_row = 0;
        return;
    }
    B.blank++;
    B.blank_in_row++;
    const char *next = next_after(L->screen.driver);
    if (B.blank_in_row >= BLANK_RESTART && next != NULL) {
        LOG_ERR("the bar still reads back as the background: starting again on renderer %s", next);
        restart_on(next);
    }
    if (B.blank_in_row == 1)
        LOG_ERR("the bar reads back as the background colour: renderer %s drew nothing; "
                "rebuilding its textures",
                L->screen.driver);
    SDL_Event e = {.type = SDL_RENDER_DEVICE_RESET};
    SDL_PushEvent(&e);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* `cec-ctl --standby` or `--image-view-on` to the TV, waited for (it takes
 * a fraction of a second; the screen is dark meanwhile anyway). */
static void cec(const char *what)
{
    char *argv[] = {"cec-ctl", "--to", "0", (char *)what, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "cec-ctl", NULL, NULL, argv, environ);
    int status = 0;
    if (rc == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        LOG_INFO("cec-ctl %s: done", what);
    else
        LOG_WARN("cec-ctl %s failed (%s)", what, rc ? strerror(rc) : "exit status");
}

/* Parses the config's schedule when it changed (a reload); an unparsable
 * one was refused when the config was read, so this keeps the last one. */
static void update_schedule(const struct kb_config *cfg)
{
    if (strcmp(B.sched_text, cfg->display_schedule) == 0 && B.sched_text[0] != '\0')
        return;
    char why[128];
    struct kb_schedule s;
    if (!kb_schedule_parse(cfg->display_schedule, &s, why, sizeof(why))) {
        LOG_ERR("display_schedule: %s", why);
        return;
    }
    B.sched = s;
    snprintf(B.sched_text, sizeof(B.sched_text), "%s", cfg->display_schedule);
    B.next_look = 0;
}

static void black_frame(struct kb_loop *L)
{
    SDL_Renderer *r = L->screen.renderer;
    SDL_SetRenderTarget(r, NULL);
    SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
    SDL_RenderClear(r);
    SDL_RenderPresent(r);
}

/* Into the dark: a black frame first (a display that ignores DPMS shows
 * black), then the display off. Out of it: the display on, then a whole
 * frame. */
static void go_dark(struct kb_loop *L, bool dark, int minutes)
{
    B.dark = dark;
    if (dark)
        black_frame(L);
    if (dark)
        LOG_INFO("display_schedule: dark for %d min", minutes);
    else
        LOG_INFO("display_schedule: on for %d min", minutes);
    kb_dpms_set(&L->screen, !dark);
    if (L->cfg.cec)
        cec(dark ? "--standby" : "--image-view-on");
    if (!dark)
        L->full_redraw = true;
}

bool kb_blank_dark(struct kb_loop *L)
{
    update_schedule(&L->cfg);
    double now = mono_s();
    if (now >= B.next_look) {
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        int minute = tm.tm_hour * 60 + tm.tm_min;
        bool on = kb_schedule_on(&B.sched, tm.tm_wday, minute);
        if (on == B.dark)
            go_dark(L, !on, kb_schedule_next_change(&B.sched, tm.tm_wday, minute));
        /* Look again at the next second: cheap, and a clock set by NTP or
         * a schedule changed by SIGHUP takes effect at once. */
        B.next_look = now + 1.0;
    }
    if (!B.dark)
        return false;
    black_frame(L);
    /* About a frame a second; a signal (SIGHUP, SIGTERM) ends the sleep. */
    struct timespec ts = {1, 0};
    nanosleep(&ts, NULL);
    return true;
}

struct kb_blank_report kb_blank_report(void)
{
    return (struct kb_blank_report){B.asked, B.fallbacks, B.checks, B.blank, B.dark};
}
