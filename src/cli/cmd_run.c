/* `kabar run` (the default): the board, the config file and the flags, in
 * that order, into the ticker's options; SIGHUP reads all three again. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/config.h"
#include "app/paths.h"
#include "app/run.h"
#include "cli/cmd.h"
#include "cli/usage.h"
#include "core/log.h"
#include "core/xmalloc.h"

const char kb_cmd_run_usage[] =
    "usage: kabar run [--spool DIR] [--config FILE] [--board NAME]\n"
    "                 [--window|--fullscreen|--headless] [--size WxH] [--speed PX_PER_S]\n"
    "                 [--frames N|--seconds S] [--virtual-clock] [--screenshot F.png]\n"
    "                 [--record DIR --every N] [--stats F.json] [--set KEY=VALUE]...\n"
    "                 [--wall COLSxROWS --tile COL,ROW [--bezel PX]]\n"
    "                 [--log-level LEVEL] [--print-config]\n"
    "\n"
    "  --spool DIR        the spool folder (default: the demo spool)\n"
    "  --config FILE      an INI config file (docs/config.md); flags override it\n"
    "  --board NAME       a board profile from boards/ (rpi4, desktop, ...)\n"
    "  --window, --fullscreen, --headless\n"
    "                     where to draw; default: a window on a desktop, else headless\n"
    "  --size WxH         window or headless size (headless default 1920x1080)\n"
    "  --speed PX_PER_S   crawl speed in pixels per second at 1080 lines\n"
    "  --frames N, --seconds S   stop after N frames or S seconds of crawl\n"
    "  --virtual-clock    advance one frame period per frame, no pacing (tests)\n"
    "  --screenshot F     write the last frame as a PNG\n"
    "  --record DIR --every N    write every N-th frame as DIR/frame-NNNNNN.png\n"
    "  --stats F          write frame and crawl statistics as JSON at exit and on SIGUSR1\n"
    "  --wall COLSxROWS   this screen is one tile of a video wall (docs/wall.md)\n"
    "  --tile COL,ROW     which tile, from 0,0 at the top left; all (or \"0,0 1,0\"):\n"
    "                     several tiles, one per display (files get -tileK)\n"
    "  --bezel PX         the gap between two tiles' pictures, in this screen's pixels\n"
    "  --set KEY=VALUE    set any config key\n"
    "  --print-config     print the effective config and exit\n";

double kb_cmd_process_start;

enum {
    O_SPOOL = 256,
    O_CONFIG,
    O_BOARD,
    O_WINDOW,
    O_FULL,
    O_HEADLESS,
    O_SIZE,
    O_SPEED,
    O_FRAMES,
    O_SECONDS,
    O_VIRTUAL,
    O_SHOT,
    O_STATS,
    O_RECORD,
    O_EVERY,
    O_SET,
    O_PRINT,
    O_LOG,
    O_WALL,
    O_TILE,
    O_BEZEL
};

static const struct option run_opts[] = {{"spool", required_argument, 0, O_SPOOL},
                                         {"config", required_argument, 0, O_CONFIG},
                                         {"board", required_argument, 0, O_BOARD},
                                         {"window", no_argument, 0, O_WINDOW},
                                         {"fullscreen", no_argument, 0, O_FULL},
                                         {"headless", no_argument, 0, O_HEADLESS},
                                         {"size", required_argument, 0, O_SIZE},
                                         {"speed", required_argument, 0, O_SPEED},
                                         {"frames", required_argument, 0, O_FRAMES},
                                         {"seconds", required_argument, 0, O_SECONDS},
                                         {"virtual-clock", no_argument, 0, O_VIRTUAL},
                                         {"screenshot", required_argument, 0, O_SHOT},
                                         {"stats", required_argument, 0, O_STATS},
                                         {"record", required_argument, 0, O_RECORD},
                                         {"every", required_argument, 0, O_EVERY},
                                         {"set", required_argument, 0, O_SET},
                                         {"print-config", no_argument, 0, O_PRINT},
                                         {"log-level", required_argument, 0, O_LOG},
                                         {"wall", required_argument, 0, O_WALL},
                                         {"tile", required_argument, 0, O_TILE},
                                         {"bezel", required_argument, 0, O_BEZEL},
                                         {0, 0, 0, 0}};

bool kb_cmd_load_board(struct kb_config *cfg, const char *name, struct kb_error *err)
{
    if (strchr(name, '/') != NULL || name[0] == '.' || name[0] == '\0')
        return kb_error_set(err, "--board %s: not a board name (see boards/)", name);
    char *rel = kb_xasprintf("boards/%s.conf", name);
    char *path = kb_data_path(rel);
    free(rel);
    bool ok = access(path, R_OK) == 0
                  ? kb_config_load(cfg, path, err)
                  : kb_error_set(err, "--board %s: no such board profile (%s)", name, path);
    free(path);
    return ok;
}

bool kb_cmd_set_flag(struct kb_config *cfg, const char *arg, struct kb_error *err)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL)
        return kb_error_set(err, "--set %s: expected KEY=VALUE", arg);
    char key[128];
    snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
    return kb_config_set(cfg, key, eq + 1, "--set", err);
}

/* The first pass: the board and the config file, so that flags override
 * them whatever their order. Returns -1 to go on, else the exit status. */
static int load_files(int argc, char **argv, struct kb_config *cfg)
{
    const char *config = NULL, *board = NULL;
    struct kb_error err;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", run_opts, NULL)) != -1) {
        if (c == O_CONFIG)
            config = optarg;
        else if (c == O_BOARD)
            board = optarg;
    }
    if (board != NULL && !kb_cmd_load_board(cfg, board, &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    /* The system's config when none is named; KABAR_CONFIG names another,
     * or with an empty value none (tests, a developer's machine). */
    const char *system = getenv("KABAR_CONFIG");
    if (system == NULL)
        system = "/etc/kabar/kabar.conf";
    if (config == NULL && board == NULL && system[0] != '\0' && access(system, R_OK) == 0)
        config = system;
    if (config != NULL && !kb_config_load(cfg, config, &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    return -1;
}

/* A positive count or length from a flag; false if it is not one. */
static bool positive_ll(const char *s, long long *out)
{
    char *end;
    *out = strtoll(s, &end, 10);
    return *end == '\0' && *out > 0;
}

/* The flags that are not config keys. Returns -1 to go on, else the exit
 * status. */
static int run_flag(int c, struct kb_run_opts *ro, bool *print)
{
    char *end;
    switch (c) {
    case O_FRAMES:
        if (!positive_ll(optarg, &ro->frames))
            return kb_usage_error(kb_cmd_run_usage, "--frames %s: expected a positive number",
                                  optarg);
        break;
    case O_SECONDS:
        ro->seconds = strtod(optarg, &end);
        if (*end != '\0' || !(ro->seconds > 0))
            return kb_usage_error(kb_cmd_run_usage, "--seconds %s: expected a positive number",
                                  optarg);
        break;
    case O_EVERY:
        ro->record_every = (int)strtol(optarg, &end, 10);
        if (*end != '\0' || ro->record_every <= 0)
            return kb_usage_error(kb_cmd_run_usage, "--every %s: expected a positive number",
                                  optarg);
        break;
    case O_VIRTUAL:
        ro->virtual_clock = true;
        break;
    case O_SHOT:
        ro->screenshot = optarg;
        break;
    case O_STATS:
        ro->stats = optarg;
        break;
    case O_RECORD:
        ro->record_dir = optarg;
        break;
    case O_PRINT:
        *print = true;
        break;
    case O_CONFIG:
    case O_BOARD:
        break; /* read by load_files */
    default:
        fputs(kb_cmd_run_usage, stderr);
        return 2;
    }
    return -1;
}

/* The config key a flag sets, and its value; NULL for the other flags. */
static const char *flag_key(int c, const char **value)
{
    switch (c) {
    case O_SPOOL:
        return "spool";
    case O_WINDOW:
        *value = "window";
        return "mode";
    case O_FULL:
        *value = "fullscreen";
        return "mode";
    case O_HEADLESS:
        *value = "headless";
        return "mode";
    case O_SIZE:
        return "size";
    case O_SPEED:
        return "speed";
    case O_LOG:
        return "log_level";
    case O_WALL:
        return "wall";
    case O_TILE:
        return "wall_tile";
    case O_BEZEL:
        return "wall_bezel_px";
    default:
        return NULL;
    }
}

/* The second pass: every flag, over the board and the file. */
static int apply_flags(int argc, char **argv, struct kb_run_opts *ro, bool *print)
{
    struct kb_error err;
    optind = 1;
    opterr = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", run_opts, NULL)) != -1) {
        const char *value = optarg;
        const char *key = flag_key(c, &value);
        if (c == O_SET) {
            if (!kb_cmd_set_flag(&ro->cfg, optarg, &err)) {
                fprintf(stderr, "kabar: %s\n", err.msg);
                return 1;
            }
        } else if (key == NULL) {
            int status = run_flag(c, ro, print);
            if (status >= 0)
                return status;
        } else if (!kb_config_set(&ro->cfg, key, value, argv[optind - 1], &err)) {
            fprintf(stderr, "kabar: %s\n", err.msg);
            return 1;
        }
    }
    if (optind < argc)
        return kb_usage_error(kb_cmd_run_usage, "unexpected argument \"%s\"", argv[optind]);
    return -1;
}

/* Reads `kabar run`'s flags, board and config file into ro. Returns -1 on
 * success, else the exit status (the message already printed). */
static int parse_run(int argc, char **argv, struct kb_run_opts *ro, bool *print)
{
    memset(ro, 0, sizeof(*ro));
    kb_config_defaults(&ro->cfg);
    *print = false;
    int status = load_files(argc, argv, &ro->cfg);
    if (status < 0)
        status = apply_flags(argc, argv, ro, print);
    if (status >= 0)
        return status;
    if (ro->record_dir != NULL && ro->record_every == 0)
        ro->record_every = 1;

    enum kb_log_level level;
    if (kb_log_level_parse(ro->cfg.log_level, &level))
        kb_log_set_level(level);
    if (ro->cfg.spool[0] == '\0') {
        char *demo = kb_data_path("assets/demo-spool");
        snprintf(ro->cfg.spool, sizeof(ro->cfg.spool), "%s", demo);
        free(demo);
    }
    return -1;
}

struct run_args {
    int argc;
    char **argv;
};

/* SIGHUP: the board, the config file and the flags, read again. */
static bool reload_run(struct kb_config *out, void *user, struct kb_error *err)
{
    const struct run_args *a = user;
    struct kb_run_opts ro;
    bool print;
    if (parse_run(a->argc, a->argv, &ro, &print) >= 0)
        return kb_error_set(err, "the config has an error (logged above)");
    *out = ro.cfg;
    return true;
}

int kb_cmd_run(int argc, char **argv)
{
    struct kb_run_opts ro;
    bool print;
    int status = parse_run(argc, argv, &ro, &print);
    if (status >= 0)
        return status;
    if (print) {
        kb_config_print(&ro.cfg, stdout);
        return 0;
    }
    struct run_args args = {argc, argv};
    ro.started = kb_cmd_process_start;
    ro.reload = reload_run;
    ro.reload_user = &args;
    return kb_run(&ro);
}
