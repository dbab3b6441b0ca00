/* `kabar preview`: spool files shown as a wall with a given board and config
 * would show them, in a window or as a PNG strip. */
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/config.h"
#include "app/paths.h"
#include "app/preview.h"
#include "app/preview_slide.h"
#include "cli/cmd.h"
#include "cli/usage.h"
#include "core/log.h"
#include "core/xmalloc.h"

const char kb_cmd_preview_usage[] =
    "usage: kabar preview [--board NAME] [--config FILE] [--size WxH] [--set KEY=VALUE]...\n"
    "                     [--png OUT.png] [--watch] FILE.json...\n"
    "       kabar preview --profile NAME|all --png OUT.png [--config FILE] [--set K=V]... "
    "FILE.json\n"
    "\n"
    "Shows the items of the given spool files as a wall with that board and config would:\n"
    "in a window, or with --png as a strip of bars showing each item whole. --watch shows\n"
    "each edit of the files at once. Invalid files are reported as `kabar validate` does.\n"
    "\n"
    "--profile draws the item's story slide and the bar below it as they will air on that\n"
    "board profile (boards/NAME.conf), at its screen size, its picture read from images/\n"
    "beside FILE.json. --profile all writes one PNG per profile: OUT-NAME.png.\n";

static const struct option preview_opts[] = {
    {"board", required_argument, 0, 'b'},   {"config", required_argument, 0, 'c'},
    {"size", required_argument, 0, 's'},    {"set", required_argument, 0, 'S'},
    {"png", required_argument, 0, 'p'},     {"watch", no_argument, 0, 'w'},
    {"profile", required_argument, 0, 'P'}, {0, 0, 0, 0}};

/* The board, then the config file, whatever their place among the flags. */
static bool load_files(int argc, char **argv, struct kb_config *cfg, const char *profile)
{
    const char *board = profile, *config = NULL;
    struct kb_error err;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", preview_opts, NULL)) != -1) {
        if (c == 'b' && profile == NULL)
            board = optarg;
        else if (c == 'c')
            config = optarg;
    }
    if ((board != NULL && !kb_cmd_load_board(cfg, board, &err)) ||
        (config != NULL && !kb_config_load(cfg, config, &err))) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return false;
    }
    return true;
}

/* The config for one profile (NULL: --board's, if any) and the flags.
 * Returns -1 to go on, else the exit status. */
static int parse(int argc, char **argv, struct kb_preview_opts *po, const char *profile,
                 const char **profile_arg)
{
    memset(po, 0, sizeof(*po));
    kb_config_defaults(&po->cfg);
    if (!load_files(argc, argv, &po->cfg, profile))
        return 1;
    struct kb_error err;
    int c;
    optind = 1;
    opterr = profile == NULL;
    while ((c = getopt_long(argc, argv, "", preview_opts, NULL)) != -1) {
        switch (c) {
        case 'b':
        case 'c':
            break;
        case 'P':
            *profile_arg = optarg;
            break;
        case 's':
            if (!kb_config_set(&po->cfg, "size", optarg, "--size", &err)) {
                fprintf(stderr, "kabar: %s\n", err.msg);
                return 1;
            }
            break;
        case 'S':
            if (!kb_cmd_set_flag(&po->cfg, optarg, &err)) {
                fprintf(stderr, "kabar: %s\n", err.msg);
                return 1;
            }
            break;
        case 'p':
            po->png = optarg;
            break;
        case 'w':
            po->watch = true;
            break;
        default:
            fputs(kb_cmd_preview_usage, stderr);
            return 2;
        }
    }
    if (optind >= argc)
        return kb_usage_error(kb_cmd_preview_usage, "%s", "expected at least one FILE.json");
    po->files = argv + optind;
    po->n_files = argc - optind;
    return -1;
}

/* The profile's file, or NULL (the caller frees it). */
static char *profile_path(const char *name)
{
    if (strchr(name, '/') != NULL || name[0] == '.' || name[0] == '\0')
        return NULL;
    char *rel = kb_xasprintf("boards/%s.conf", name);
    char *path = kb_data_path(rel);
    free(rel);
    if (access(path, R_OK) == 0)
        return path;
    free(path);
    return NULL;
}

/* OUT.png for one profile, OUT-NAME.png for each of all (the caller frees it). */
static char *profile_png(const char *png, const char *name, bool all)
{
    if (!all)
        return kb_xstrdup(png);
    size_t n = strlen(png);
    if (n > 4 && strcmp(png + n - 4, ".png") == 0)
        n -= 4;
    return kb_xasprintf("%.*s-%s.png", (int)n, png, name);
}

/* --profile: the item's slide on each profile named. */
static int preview_profiles(int argc, char **argv, const struct kb_preview_opts *first,
                            const char *profile)
{
    if (first->png == NULL || first->watch || first->n_files != 1)
        return kb_usage_error(kb_cmd_preview_usage, "%s",
                              "--profile takes --png OUT.png and one FILE.json");
    bool all = strcmp(profile, "all") == 0;
    glob_t g;
    memset(&g, 0, sizeof(g));
    if (all) {
        char *dir = kb_data_path("boards");
        char *pattern = kb_xasprintf("%s/*.conf", dir);
        glob(pattern, 0, NULL, &g);
        free(pattern);
        free(dir);
    } else {
        char *path = profile_path(profile);
        if (path == NULL) {
            fprintf(stderr, "kabar: --profile %s: no such board profile (see boards/, or all)\n",
                    profile);
            return 2;
        }
        free(path);
    }
    int status = all && g.gl_pathc == 0 ? 1 : 0;
    for (size_t i = 0; i < (all ? g.gl_pathc : 1); i++) {
        char *name;
        if (all) {
            const char *base = strrchr(g.gl_pathv[i], '/');
            base = base ? base + 1 : g.gl_pathv[i];
            name = kb_xasprintf("%.*s", (int)(strlen(base) - 5), base);
        } else {
            name = kb_xstrdup(profile);
        }
        struct kb_preview_opts po;
        const char *unused = NULL;
        int rc = parse(argc, argv, &po, name, &unused);
        char *png = profile_png(first->png, name, all);
        enum kb_log_level level;
        if (rc < 0 && kb_log_level_parse(po.cfg.log_level, &level))
            kb_log_set_level(level);
        if (rc < 0)
            rc = kb_preview_slide(&po.cfg, po.files[0], png);
        if (rc != 0)
            status = rc;
        free(png);
        free(name);
    }
    globfree(&g);
    return status;
}

int kb_cmd_preview(int argc, char **argv)
{
    struct kb_preview_opts po;
    const char *profile = NULL;
    int rc = parse(argc, argv, &po, NULL, &profile);
    if (rc >= 0)
        return rc;
    if (profile != NULL)
        return preview_profiles(argc, argv, &po, profile);
    if (po.png == NULL && strcmp(po.cfg.mode, "auto") == 0)
        snprintf(po.cfg.mode, sizeof(po.cfg.mode), "window");
    enum kb_log_level level;
    if (kb_log_level_parse(po.cfg.log_level, &level))
        kb_log_set_level(level);
    return kb_preview(&po);
}
