/* `kabar preview`: spool files shown as a wall with a given board and config
 * would show them, in a window or as a PNG strip. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "app/config.h"
#include "app/preview.h"
#include "cli/cmd.h"
#include "cli/usage.h"
#include "core/log.h"

const char kb_cmd_preview_usage[] =
    "usage: kabar preview [--board NAME] [--config FILE] [--size WxH] [--set KEY=VALUE]...\n"
    "                     [--png OUT.png] [--watch] FILE.json...\n"
    "\n"
    "Shows the items of the given spool files as a wall with that board and config would:\n"
    "in a window, or with --png as a strip of bars showing each item whole. --watch shows\n"
    "each edit of the files at once. Invalid files are reported as `kabar validate` does.\n";

static const struct option preview_opts[] = {{"board", required_argument, 0, 'b'},
                                             {"config", required_argument, 0, 'c'},
                                             {"size", required_argument, 0, 's'},
                                             {"set", required_argument, 0, 'S'},
                                             {"png", required_argument, 0, 'p'},
                                             {"watch", no_argument, 0, 'w'},
                                             {0, 0, 0, 0}};

/* The board, then the config file, whatever their place among the flags. */
static bool load_files(int argc, char **argv, struct kb_config *cfg)
{
    const char *board = NULL, *config = NULL;
    struct kb_error err;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", preview_opts, NULL)) != -1) {
        if (c == 'b')
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

int kb_cmd_preview(int argc, char **argv)
{
    struct kb_preview_opts po;
    memset(&po, 0, sizeof(po));
    kb_config_defaults(&po.cfg);
    if (!load_files(argc, argv, &po.cfg))
        return 1;
    struct kb_error err;
    int c;
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "", preview_opts, NULL)) != -1) {
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
            if (!kb_cmd_set_flag(&po.cfg, optarg, &err)) {
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
            fputs(kb_cmd_preview_usage, stderr);
            return 2;
        }
    }
    if (optind >= argc)
        return kb_usage_error(kb_cmd_preview_usage, "%s", "expected at least one FILE.json");
    po.files = argv + optind;
    po.n_files = argc - optind;
    if (po.png == NULL && strcmp(po.cfg.mode, "auto") == 0)
        snprintf(po.cfg.mode, sizeof(po.cfg.mode), "window");
    enum kb_log_level level;
    if (kb_log_level_parse(po.cfg.log_level, &level))
        kb_log_set_level(level);
    return kb_preview(&po);
}
