/* kabar: a fullscreen news ticker for unattended screens.
 *
 * The command line: `run` (the default), `shape`, `fonts`, `validate`,
 * `post`, `preview`, `feed` and `mqtt`, each in its own cmd_*.c. This file
 * only picks one. Exit status: 0 on success, 1 on a user error (one line on
 * stderr), 2 on a usage error. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/usage.h"
#include "core/clock.h"
#include "kabar_build.h"

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

static const struct {
    const char *name;
    const char *usage;
    int (*fn)(int argc, char **argv);
} commands[] = {
    {"run", kb_cmd_run_usage, kb_cmd_run},
    {"shape", kb_cmd_shape_usage, kb_cmd_shape},
    {"fonts", kb_cmd_fonts_usage, kb_cmd_fonts},
    {"validate", kb_cmd_validate_usage, kb_cmd_validate},
    {"post", kb_cmd_post_usage, kb_cmd_post},
    {"preview", kb_cmd_preview_usage, kb_cmd_preview},
    {"mqtt", kb_cmd_mqtt_usage, kb_cmd_mqtt},
    {"feed", kb_cmd_feed_usage, kb_cmd_feed},
};

static bool is_flag(const char *arg, const char *long_name, const char *short_name)
{
    return strcmp(arg, long_name) == 0 || strcmp(arg, short_name) == 0;
}

/* --help anywhere among a subcommand's arguments prints its usage. */
static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (is_flag(argv[i], "--help", "-h"))
            return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    kb_cmd_process_start = kb_clock_mono();
    const char *cmd = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
    if (cmd == NULL) {
        if (argc > 1 && is_flag(argv[1], "--version", "-V")) {
            printf("kabar %s\n", KABAR_VERSION);
            return 0;
        }
        if (argc > 1 && is_flag(argv[1], "--help", "-h")) {
            fputs(usage_main, stdout);
            return 0;
        }
        return kb_cmd_run(argc, argv);
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(cmd, commands[i].name) != 0)
            continue;
        if (wants_help(argc - 1, argv + 1)) {
            fputs(commands[i].usage, stdout);
            return 0;
        }
        return commands[i].fn(argc - 1, argv + 1);
    }
    return kb_usage_error(usage_main, "unknown subcommand \"%s\"", cmd);
}
