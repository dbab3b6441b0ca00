/* kabar: a fullscreen news ticker for unattended screens.
 *
 * The command line: `run` (the default), `shape`, `fonts`, `validate` and
 * `post`. Exit status: 0 on success, 1 on a user error (one line on
 * stderr), 2 on a usage error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "main"
#include "app/config.h"
#include "feed/feed.h"
#include "fleet/mqtt.h"
#include "app/paths.h"
#include "app/preview.h"
#include "app/run.h"
#include "cli/usage.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/xmalloc.h"
#include "kabar_build.h"
#include "spool/item.h"
#include "spool/spool.h"
#include "text/fonts.h"
#include "text/line.h"

static const char usage_main[] =
    "usage: kabar [run] [options]        show the crawl (the default)\n"
    "       kabar shape [options] TEXT    print the laid-out line\n"
    "       kabar fonts [--lang TAG] TEXT which font each character falls to\n"
    "       kabar validate FILE...        check spool files as the ticker would\n"
    "       kabar post --spool DIR [fields] TEXT   write an item atomically\n"
    "       kabar post --mqtt HOST --group G [fields] TEXT   publish it to a fleet\n"
    "       kabar mqtt --host HOST --group G --spool DIR     feed a screen from MQTT\n"
    "       kabar feed --url URL --spool DIR [options]       follow RSS/Atom/JSON feeds\n"
    "       kabar preview [--board NAME] [--png OUT.png] [--watch] FILE.json...\n"
    "       kabar --version | --help | --print-config\n"
    "\n"
    "`kabar SUBCOMMAND --help` says more. Docs: docs/cli.md, docs/config.md.\n";

static const char usage_run[] =
    "usage: kabar run [--spool DIR] [--config FILE] [--board NAME]\n"
    "                 [--window|--fullscreen|--headless] [--size WxH] [--speed PX_PER_S]\n"
    "                 [--frames N|--seconds S] [--virtual-clock] [--screenshot F.png]\n"
    "                 [--record DIR --every N] [--stats F.json] [--set KEY=VALUE]...\n"
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
    "  --set KEY=VALUE    set any config key\n"
    "  --print-config     print the effective config and exit\n";

static const char usage_shape[] =
    "usage: kabar shape [--lang TAG] [--dir auto|ltr|rtl] [--px N] [--json] [--fonts FILE] TEXT\n"
    "\n"
    "Lays TEXT out as the ticker would and prints the runs (visual order) and glyphs.\n"
    "--json prints the stable form documented in docs/cli.md.\n";

static const char usage_fonts[] =
    "usage: kabar fonts [--lang TAG] [--fonts FILE] TEXT\n"
    "\n"
    "Says which font each character of TEXT falls to, and names any character no font covers\n"
    "(exit 1 then).\n";

static const char usage_validate[] =
    "usage: kabar validate FILE...\n"
    "\n"
    "Checks each spool file as the ticker would and prints one line per file; exits 1 if any\n"
    "is invalid.\n";

static const char usage_preview[] =
    "usage: kabar preview [--board NAME] [--config FILE] [--size WxH] [--set KEY=VALUE]...\n"
    "                     [--png OUT.png] [--watch] FILE.json...\n"
    "\n"
    "Shows the items of the given spool files as a wall with that board and config would:\n"
    "in a window, or with --png as a strip of bars showing each item whole. --watch shows\n"
    "each edit of the files at once. Invalid files are reported as `kabar validate` does.\n";

static const char usage_post[] =
    "usage: kabar post --spool DIR --id ID --lang TAG [--kind headline|quote] [--by NAME]\n"
    "                  [--source S] [--story S] [--translated-from TAG]\n"
    "                  [--priority normal|high|breaking] [--published T] [--expires T]\n"
    "                  [--dir auto|ltr|rtl] TEXT\n"
    "       kabar post --mqtt HOST [--port P] --group G [--cafile F] [--user U\n"
    "                  --password-file F] (--id ID --lang TAG [fields] TEXT | --retract ID)\n"
    "\n"
    "Writes one item into the spool atomically (a hidden temp file, then rename) and prints\n"
    "its path. With --mqtt, publishes it instead (retained, QoS 1) to every screen of group G\n"
    "on kabar/G/items/ID and prints that topic; --retract ID takes it off them\n"
    "(docs/fleet.md).\n";

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

/* ---- run ---- */

/* CLOCK_MONOTONIC seconds at main(), for the start-up figures in --stats. */
static double process_start;

static bool load_board(struct kb_config *cfg, const char *name, struct kb_error *err)
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

/* Sets one --set KEY=VALUE; argv is not modified (a reload parses it again). */
static bool set_flag(struct kb_config *cfg, const char *arg, struct kb_error *err)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL)
        return kb_error_set(err, "--set %s: expected KEY=VALUE", arg);
    char key[128];
    snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
    return kb_config_set(cfg, key, eq + 1, "--set", err);
}

/* Reads `kabar run`'s flags, board and config file into ro. Returns -1 on
 * success, else the exit status (the message already printed). */
static int parse_run(int argc, char **argv, struct kb_run_opts *ro, bool *print)
{
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
        O_LOG
    };
    static const struct option opts[] = {{"spool", required_argument, 0, O_SPOOL},
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
                                         {0, 0, 0, 0}};

    memset(ro, 0, sizeof(*ro));
    kb_config_defaults(&ro->cfg);
    struct kb_error err;
    const char *config = NULL, *board = NULL;
    *print = false;

    /* First pass: the files, so flags can override them whatever their order. */
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == O_CONFIG)
            config = optarg;
        else if (c == O_BOARD)
            board = optarg;
    }
    if (board != NULL && !load_board(&ro->cfg, board, &err)) {
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
    if (config != NULL && !kb_config_load(&ro->cfg, config, &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }

    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *key = NULL, *value = optarg;
        char *end;
        switch (c) {
        case O_SPOOL:
            key = "spool";
            break;
        case O_WINDOW:
            key = "mode";
            value = "window";
            break;
        case O_FULL:
            key = "mode";
            value = "fullscreen";
            break;
        case O_HEADLESS:
            key = "mode";
            value = "headless";
            break;
        case O_SIZE:
            key = "size";
            break;
        case O_SPEED:
            key = "speed";
            break;
        case O_LOG:
            key = "log_level";
            break;
        case O_CONFIG:
        case O_BOARD:
            break;
        case O_FRAMES:
            ro->frames = strtoll(optarg, &end, 10);
            if (*end != '\0' || ro->frames <= 0)
                return kb_usage_error(usage_run, "--frames %s: expected a positive number", optarg);
            break;
        case O_SECONDS:
            ro->seconds = strtod(optarg, &end);
            if (*end != '\0' || !(ro->seconds > 0))
                return kb_usage_error(usage_run, "--seconds %s: expected a positive number",
                                      optarg);
            break;
        case O_EVERY:
            ro->record_every = (int)strtol(optarg, &end, 10);
            if (*end != '\0' || ro->record_every <= 0)
                return kb_usage_error(usage_run, "--every %s: expected a positive number", optarg);
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
        case O_SET:
            if (!set_flag(&ro->cfg, optarg, &err)) {
                fprintf(stderr, "kabar: %s\n", err.msg);
                return 1;
            }
            break;
        default:
            fputs(usage_run, stderr);
            return 2;
        }
        if (key != NULL && !kb_config_set(&ro->cfg, key, value, argv[optind - 1], &err)) {
            fprintf(stderr, "kabar: %s\n", err.msg);
            return 1;
        }
    }
    if (optind < argc)
        return kb_usage_error(usage_run, "unexpected argument \"%s\"", argv[optind]);
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

static int cmd_run(int argc, char **argv)
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
    ro.started = process_start;
    ro.reload = reload_run;
    ro.reload_user = &args;
    return kb_run(&ro);
}

/* ---- preview ---- */

static int cmd_preview(int argc, char **argv)
{
    static const struct option opts[] = {{"board", required_argument, 0, 'b'},
                                         {"config", required_argument, 0, 'c'},
                                         {"size", required_argument, 0, 's'},
                                         {"set", required_argument, 0, 'S'},
                                         {"png", required_argument, 0, 'p'},
                                         {"watch", no_argument, 0, 'w'},
                                         {0, 0, 0, 0}};
    struct kb_preview_opts po;
    memset(&po, 0, sizeof(po));
    kb_config_defaults(&po.cfg);
    struct kb_error err;
    const char *board = NULL, *config = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'b')
            board = optarg;
        else if (c == 'c')
            config = optarg;
    }
    if ((board != NULL && !load_board(&po.cfg, board, &err)) ||
        (config != NULL && !kb_config_load(&po.cfg, config, &err))) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
        case 'c':
            break;
        case 's':
            if (!kb_config_set(&po.cfg, "size", optarg, "--size", &err)) {
                fprintf(stderr, "kabar: %s\n", err.msg);
                return 1;
            }
            break;
        case 'S':
            if (!set_flag(&po.cfg, optarg, &err)) {
                fprintf(stderr, "kabar: %s\n", err.msg);
                return 1;
            }
            break;
        case 'p':
            po.png = optarg;
            break;
        case 'w':
            po.watch = true;
            break;
        default:
            fputs(usage_preview, stderr);
            return 2;
        }
    }
    if (optind >= argc)
        return kb_usage_error(usage_preview, "%s", "expected at least one FILE.json");
    po.files = argv + optind;
    po.n_files = argc - optind;
    if (po.png == NULL && strcmp(po.cfg.mode, "auto") == 0)
        snprintf(po.cfg.mode, sizeof(po.cfg.mode), "window");
    enum kb_log_level level;
    if (kb_log_level_parse(po.cfg.log_level, &level))
        kb_log_set_level(level);
    return kb_preview(&po);
}

/* ---- shape and fonts ---- */

static int cmd_shape(int argc, char **argv, bool fonts_only)
{
    static const struct option opts[] = {
        {"lang", required_argument, 0, 'l'},  {"dir", required_argument, 0, 'd'},
        {"px", required_argument, 0, 'p'},    {"json", no_argument, 0, 'j'},
        {"fonts", required_argument, 0, 'f'}, {0, 0, 0, 0}};
    const char *usage = fonts_only ? usage_fonts : usage_shape;
    const char *lang = "und", *chain = NULL;
    enum kb_dir dir = KB_DIR_AUTO;
    int px = 64;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'l':
            lang = optarg;
            break;
        case 'f':
            chain = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'd':
            if (fonts_only || !kb_dir_parse(optarg, &dir))
                return kb_usage_error(usage, "--dir %s: expected auto, ltr or rtl", optarg);
            break;
        case 'p':
            px = (int)strtol(optarg, &end, 10);
            if (fonts_only || *end != '\0' || px < 4 || px > 1000)
                return kb_usage_error(usage, "--px %s: expected 4 to 1000", optarg);
            break;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind != argc - 1)
        return kb_usage_error(usage, "%s", "expected one TEXT argument");
    const char *text = argv[optind];
    size_t bad;
    if (!kb_utf8_validate(text, strlen(text), &bad)) {
        fprintf(stderr, "kabar: TEXT: invalid UTF-8 at byte %zu\n", bad);
        return 1;
    }
    if (!kb_lang_tag_valid(lang)) {
        fprintf(stderr, "kabar: --lang: \"%s\" is not a BCP 47 language tag\n", lang);
        return 1;
    }
    struct kb_error err;
    struct kb_fonts *fonts = kb_fonts_new(chain ? chain : kb_fonts_default_chain(), &err);
    if (fonts == NULL) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    struct kb_faces *faces = kb_faces_new(fonts);
    int status = 0;
    if (fonts_only) {
        size_t uncovered = 0;
        char *report = kb_fonts_report(faces, text, strlen(text), lang, &uncovered);
        fputs(report, stdout);
        free(report);
        status = uncovered > 0 ? 1 : 0;
    } else {
        struct kb_line *line = kb_line_layout(faces, text, strlen(text), lang, dir, px, &err);
        if (line == NULL) {
            fprintf(stderr, "kabar: %s\n", err.msg);
            status = 1;
        } else {
            char *out = json ? kb_line_to_json(line, fonts) : kb_line_to_text(line, fonts);
            fputs(out, stdout);
            if (out[0] && out[strlen(out) - 1] != '\n')
                fputc('\n', stdout);
            free(out);
            kb_line_unref(line);
        }
    }
    kb_faces_free(faces);
    kb_fonts_free(fonts);
    return status;
}

static int cmd_shape_only(int argc, char **argv)
{
    return cmd_shape(argc, argv, false);
}

static int cmd_fonts(int argc, char **argv)
{
    return cmd_shape(argc, argv, true);
}

/* ---- validate ---- */

static int cmd_validate(int argc, char **argv)
{
    if (argc < 2)
        return kb_usage_error(usage_validate, "%s", "expected at least one FILE");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct kb_error err;
        int n = kb_spool_validate_file(argv[i], &err);
        if (n < 0) {
            printf("%s\n", err.msg);
            status = 1;
        } else {
            printf("%s: ok, %d item%s\n", argv[i], n, n == 1 ? "" : "s");
        }
    }
    return status;
}

/* ---- post ---- */

static int cmd_post(int argc, char **argv)
{
    static const struct option opts[] = {{"spool", required_argument, 0, 's'},
                                         {"id", required_argument, 0, 'i'},
                                         {"lang", required_argument, 0, 'l'},
                                         {"kind", required_argument, 0, 'k'},
                                         {"by", required_argument, 0, 'b'},
                                         {"source", required_argument, 0, 'o'},
                                         {"story", required_argument, 0, 't'},
                                         {"translated-from", required_argument, 0, 'f'},
                                         {"priority", required_argument, 0, 'p'},
                                         {"published", required_argument, 0, 'P'},
                                         {"expires", required_argument, 0, 'e'},
                                         {"dir", required_argument, 0, 'd'},
                                         {"mqtt", required_argument, 0, 'M'},
                                         {"port", required_argument, 0, 'N'},
                                         {"group", required_argument, 0, 'G'},
                                         {"retract", required_argument, 0, 'R'},
                                         {"cafile", required_argument, 0, 'C'},
                                         {"user", required_argument, 0, 'U'},
                                         {"password-file", required_argument, 0, 'W'},
                                         {0, 0, 0, 0}};
    static const char *const fields[128] = {['i'] = "id",
                                            ['l'] = "lang",
                                            ['k'] = "kind",
                                            ['b'] = "by",
                                            ['o'] = "source",
                                            ['t'] = "story",
                                            ['f'] = "translated_from",
                                            ['p'] = "priority",
                                            ['P'] = "published",
                                            ['e'] = "expires",
                                            ['d'] = "dir"};
    const char *spool = NULL, *mqtt = NULL, *group = NULL, *retract = NULL;
    struct kb_mqtt_auth auth = {NULL, NULL, NULL};
    int port = 0;
    json_t *obj = json_object();
    int c, status = 1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 's') {
            spool = optarg;
        } else if (c == 'M') {
            mqtt = optarg;
        } else if (c == 'N') {
            char *end;
            long p = strtol(optarg, &end, 10);
            if (*end != '\0' || p < 1 || p > 65535) {
                json_decref(obj);
                fprintf(stderr, "kabar: --port %s: expected 1 to 65535\n", optarg);
                return 1;
            }
            port = (int)p;
        } else if (c == 'G') {
            group = optarg;
        } else if (c == 'R') {
            retract = optarg;
        } else if (c == 'C') {
            auth.cafile = optarg;
        } else if (c == 'U') {
            auth.user = optarg;
        } else if (c == 'W') {
            auth.password_file = optarg;
        } else if (c > 0 && c < 128 && fields[c] != NULL) {
            json_object_set_new(obj, fields[c], json_string(optarg));
        } else {
            json_decref(obj);
            fputs(usage_post, stderr);
            return 2;
        }
    }
    if (mqtt != NULL && (spool != NULL || group == NULL)) {
        json_decref(obj);
        return kb_usage_error(usage_post, "%s", "--mqtt HOST needs --group G, and no --spool");
    }
    if (mqtt != NULL && retract != NULL) {
        bool extra = optind != argc || json_object_size(obj) != 0;
        json_decref(obj);
        if (extra)
            return kb_usage_error(usage_post, "%s", "--retract ID takes no fields and no TEXT");
        struct kb_error err;
        if (!kb_mqtt_retract_item(mqtt, port, group, retract, &auth, &err)) {
            fprintf(stderr, "kabar: %s\n", err.msg);
            return 1;
        }
        printf("kabar/%s/items/%s\n", group, retract);
        return 0;
    }
    if ((spool == NULL && mqtt == NULL) || retract != NULL || optind != argc - 1) {
        json_decref(obj);
        return kb_usage_error(
            usage_post, "%s",
            "expected --spool DIR (or --mqtt HOST --group G) and one TEXT argument");
    }
    json_t *text = json_string(argv[optind]);
    if (text == NULL) {
        json_decref(obj);
        fprintf(stderr, "kabar: TEXT: invalid UTF-8\n");
        return 1;
    }
    json_object_set_new(obj, "text", text);

    struct kb_error err;
    char *unknown = NULL;
    struct kb_item *item =
        kb_item_from_json(obj, "kabar post", (int64_t)time(NULL), &err, &unknown);
    free(unknown);
    char *payload = NULL, *name = NULL;
    if (item == NULL) {
        fprintf(stderr, "%s\n", err.msg);
        goto done;
    }
    payload = json_dumps(obj, JSON_INDENT(2));
    if (mqtt != NULL) {
        if (!kb_mqtt_publish_item(mqtt, port, group, payload, &auth, &err)) {
            fprintf(stderr, "kabar: %s\n", err.msg);
        } else {
            printf("kabar/%s/items/%s\n", group, item->id);
            status = 0;
        }
        goto done;
    }
    /* An id may start with "." but a file that does is never read: prefix it. */
    name = kb_xasprintf("%s%s.json", item->id[0] == '.' ? "item-" : "", item->id);
    if (!kb_spool_write(spool, "post", name, payload, strlen(payload), &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        goto done;
    }
    printf("%s/%s\n", spool, name);
    status = 0;
done:
    kb_item_free(item);
    free(payload);
    free(name);
    json_decref(obj);
    return status;
}

int main(int argc, char **argv)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    process_start = (double)start.tv_sec + start.tv_nsec / 1e9;
    const char *cmd = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
    if (cmd == NULL) {
        if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
            printf("kabar %s\n", KABAR_VERSION);
            return 0;
        }
        if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            fputs(usage_main, stdout);
            return 0;
        }
        return cmd_run(argc, argv);
    }
    int sub_argc = argc - 1;
    char **sub_argv = argv + 1;
    static const struct {
        const char *name;
        const char *usage;
        int (*fn)(int argc, char **argv);
    } cmds[] = {
        {"run", usage_run, cmd_run},           {"shape", usage_shape, cmd_shape_only},
        {"fonts", usage_fonts, cmd_fonts},     {"validate", usage_validate, cmd_validate},
        {"post", usage_post, cmd_post},        {"preview", usage_preview, cmd_preview},
        {"mqtt", kb_mqtt_usage, kb_mqtt_main}, {"feed", kb_feed_usage, kb_feed_main},
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(cmd, cmds[i].name) != 0)
            continue;
        if (wants_help(sub_argc, sub_argv)) {
            fputs(cmds[i].usage, stdout);
            return 0;
        }
        return cmds[i].fn(sub_argc, sub_argv);
    }
    return kb_usage_error(usage_main, "unknown subcommand \"%s\"", cmd);
}
