/* `kabar mqtt`: the flags of the bridge from a broker into one screen's
 * spool. The settings and their checks are fleet/settings.h's (shared with
 * the [mqtt] section of the config file); the bridge is fleet/mqtt.h's. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/usage.h"
#include "core/log.h"
#include "fleet/mqtt.h"
#include "fleet/settings.h"

const char kb_cmd_mqtt_usage[] =
    "usage: kabar mqtt --host HOST [--port P] --group G --spool DIR [--screen NAME]\n"
    "                  [--topic FILTER]... [--cafile F] [--user U --password-file F]\n"
    "                  [--stats FILE] [--status-interval S] [--keepalive S]\n"
    "                  [--config FILE] [--log-level LEVEL]\n"
    "\n"
    "Mirrors the items a newsroom publishes on the MQTT broker HOST into the spool DIR,\n"
    "and publishes what this screen shows. Runs until SIGINT or SIGTERM.\n"
    "\n"
    "  --host HOST        the broker\n"
    "  --port P           its port (default 1883, or 8883 with --cafile)\n"
    "  --group G          the screens' group: items come from kabar/G/items/ID\n"
    "  --spool DIR        the spool the ticker shows (created if missing)\n"
    "  --screen NAME      this screen's name (default: the host name); client id\n"
    "                     kabar-G-NAME, status on kabar/G/status/NAME\n"
    "  --topic FILTER     another topic filter to take items from (the last level of\n"
    "                     each topic is the item id); repeatable\n"
    "  --cafile F         connect with TLS and check the broker against this CA file\n"
    "  --user U           MQTT user name\n"
    "  --password-file F  its password: the first line of F (never a flag)\n"
    "  --stats FILE       the ticker's --stats file, to publish what the screen shows\n"
    "                     (run the ticker with --set stats_interval_s=10)\n"
    "  --status-interval S  look at the stats file every S seconds (default 5)\n"
    "  --keepalive S      MQTT keepalive (default 30): how soon a dead link is noticed\n"
    "  --config FILE      read these settings from the [mqtt] section of FILE\n"
    "                     (and spool from its [spool] section); flags override it\n"
    "\n"
    "docs/fleet.md tells how to set up a broker, TLS, passwords and ACLs.\n";

static const struct option mqtt_opts[] = {{"host", required_argument, 0, 'H'},
                                          {"port", required_argument, 0, 'p'},
                                          {"group", required_argument, 0, 'g'},
                                          {"spool", required_argument, 0, 's'},
                                          {"screen", required_argument, 0, 'S'},
                                          {"topic", required_argument, 0, 't'},
                                          {"cafile", required_argument, 0, 'c'},
                                          {"user", required_argument, 0, 'u'},
                                          {"password-file", required_argument, 0, 'P'},
                                          {"password", required_argument, 0, 'W'},
                                          {"stats", required_argument, 0, 'x'},
                                          {"status-interval", required_argument, 0, 'i'},
                                          {"keepalive", required_argument, 0, 'k'},
                                          {"config", required_argument, 0, 'C'},
                                          {"log-level", required_argument, 0, 'l'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};

/* The settings key of each flag that sets one. */
static const char *const mqtt_keys[128] = {
    ['H'] = "host",
    ['p'] = "port",
    ['g'] = "group",
    ['s'] = "spool",
    ['S'] = "screen",
    ['t'] = "topics",
    ['c'] = "cafile",
    ['u'] = "user",
    ['P'] = "password_file",
    ['x'] = "stats",
    ['i'] = "status_interval_s",
    ['k'] = "keepalive_s",
};

/* The config file comes first whatever its place among the flags, so
 * that every flag overrides it. */
static const char *config_arg(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            path = argv[i] + 9;
    }
    return path;
}

/* One flag that is not a settings key. Returns -1 to go on, else the
 * exit status. */
static int other_flag(int c)
{
    if (c == 'h') {
        fputs(kb_cmd_mqtt_usage, stdout);
        return 0;
    }
    if (c == 'C')
        return -1; /* read first, by config_arg */
    if (c == 'W') {
        fprintf(stderr, "kabar: --password: a password on the command line shows in ps and "
                        "in shell history; put it in a file and give --password-file\n");
        return 2;
    }
    if (c == 'l') {
        enum kb_log_level level;
        if (!kb_log_level_parse(optarg, &level)) {
            fprintf(stderr,
                    "kabar: --log-level %s: expected debug, info, warning, error or "
                    "quiet\n",
                    optarg);
            return 1;
        }
        kb_log_set_level(level);
        return -1;
    }
    fputs(kb_cmd_mqtt_usage, stderr);
    return 2;
}

/* Parses argv into set; returns -1 to go on, else the exit status. */
static int parse_mqtt(int argc, char **argv, struct kb_mqtt_settings *set)
{
    struct kb_error err;
    const char *config = config_arg(argc, argv);
    if (config != NULL && !kb_mqtt_settings_load(set, config, &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    int c, index = 0;
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "h", mqtt_opts, &index)) != -1) {
        if (c <= 0 || c >= 128 || mqtt_keys[c] == NULL) {
            int status = other_flag(c);
            if (status >= 0)
                return status;
            continue;
        }
        char where[64];
        snprintf(where, sizeof(where), "--%s", mqtt_opts[index].name);
        /* getopt_long leaves index alone for short options; we have none
         * that take a value, so it names the long option just parsed. */
        if (!kb_mqtt_settings_set(set, mqtt_keys[c], optarg, where, &err)) {
            fprintf(stderr, "kabar: %s\n", err.msg);
            return 1;
        }
    }
    if (optind != argc)
        return kb_usage_error(kb_cmd_mqtt_usage, "unexpected argument \"%s\"", argv[optind]);
    if (!kb_mqtt_settings_finish(set, &err))
        return kb_usage_error(kb_cmd_mqtt_usage, "%s", err.msg);
    return -1;
}

int kb_cmd_mqtt(int argc, char **argv)
{
    struct kb_mqtt_settings set;
    kb_mqtt_settings_init(&set);
    int status = parse_mqtt(argc, argv, &set);
    if (status < 0)
        status = kb_mqtt_bridge_run(&set);
    kb_mqtt_settings_free(&set);
    return status;
}
