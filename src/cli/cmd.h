/* The subcommands of kabar's command line, one file each (cmd_*.c): each
 * reads its own flags and prints its own usage, then calls the library that
 * does the work. main.c dispatches to them.
 *
 * Every kb_cmd_* takes the arguments after "kabar" (argv[0] is the
 * subcommand's name, or "kabar" for a bare `kabar [options]`) and returns the
 * process's exit status: 0 on success, 1 on a user error (one line on
 * stderr), 2 on a usage error (the message and the usage on stderr). argv is
 * not modified and is borrowed for the duration of the call; they use
 * getopt's global state, so one at a time. */
#ifndef KB_CLI_CMD_H
#define KB_CLI_CMD_H

#include <stdbool.h>

#include "app/config.h"
#include "core/error.h"

/* The usage texts printed by `kabar SUBCOMMAND --help` (static strings). */
extern const char kb_cmd_run_usage[];
extern const char kb_cmd_shape_usage[];
extern const char kb_cmd_fonts_usage[];
extern const char kb_cmd_validate_usage[];
extern const char kb_cmd_post_usage[];
extern const char kb_cmd_preview_usage[];
extern const char kb_cmd_feed_usage[];
extern const char kb_cmd_mqtt_usage[];

int kb_cmd_run(int argc, char **argv);
int kb_cmd_shape(int argc, char **argv);
int kb_cmd_fonts(int argc, char **argv);
int kb_cmd_validate(int argc, char **argv);
int kb_cmd_post(int argc, char **argv);
int kb_cmd_preview(int argc, char **argv);
/* `kabar feed`: see feed/schedule.h for what it does and its exit status. */
int kb_cmd_feed(int argc, char **argv);
/* `kabar mqtt`: see fleet/mqtt.h (kb_mqtt_bridge_run) for its exit status. */
int kb_cmd_mqtt(int argc, char **argv);

/* CLOCK_MONOTONIC seconds when main() began, for the start-up figures in
 * `kabar run --stats`. Set once by main. */
extern double kb_cmd_process_start;

/* Shared by `run` and `preview`: loads boards/NAME.conf into cfg (NAME a
 * plain name, no path), and sets one --set KEY=VALUE (arg is not modified,
 * so a reload can parse it again). False with err set on a bad value. */
bool kb_cmd_load_board(struct kb_config *cfg, const char *name, struct kb_error *err);
bool kb_cmd_set_flag(struct kb_config *cfg, const char *arg, struct kb_error *err);

#endif
