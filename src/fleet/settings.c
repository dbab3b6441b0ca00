#include "fleet/settings.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_MODULE "mqtt"
#include "core/ini.h"
#include "fleet/conn.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"

void kb_mqtt_settings_init(struct kb_mqtt_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->keepalive_s = 30;
    s->status_interval_s = 5;
}

void kb_mqtt_settings_free(struct kb_mqtt_settings *s)
{
    char **strs[] = {&s->host,   &s->group, &s->screen,        &s->spool,
                     &s->cafile, &s->user,  &s->password_file, &s->stats};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        free(*strs[i]);
        *strs[i] = NULL;
    }
    for (size_t i = 0; i < s->ntopics; i++)
        free(s->topics[i]);
    s->ntopics = 0;
}

static bool parse_int(const char *value, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static bool add_topics(struct kb_mqtt_settings *s, const char *list, const char *where,
                       struct kb_error *err)
{
    char *copy = kb_xstrdup(list);
    bool ok = true;
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t != NULL && ok; t = strtok_r(NULL, ",", &save)) {
        t += strspn(t, " \t");
        size_t n = strlen(t);
        while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
            t[--n] = '\0';
        if (n == 0)
            continue;
        if (n >= KB_MQTT_TOPIC_MAX || mosquitto_sub_topic_check(t) != MOSQ_ERR_SUCCESS)
            ok = kb_error_set(err, "%s: \"%s\" is not an MQTT topic filter", where, t);
        else if (s->ntopics == KB_MQTT_TOPICS_MAX)
            ok = kb_error_set(err, "%s: more than %d topics", where, KB_MQTT_TOPICS_MAX);
        else
            s->topics[s->ntopics++] = kb_xstrdup(t);
    }
    free(copy);
    return ok;
}

bool kb_mqtt_settings_set(struct kb_mqtt_settings *s, const char *key, const char *value,
                          const char *where, struct kb_error *err)
{
    static const struct {
        const char *key;
        size_t off;
    } strs[] = {
        {"host", offsetof(struct kb_mqtt_settings, host)},
        {"group", offsetof(struct kb_mqtt_settings, group)},
        {"screen", offsetof(struct kb_mqtt_settings, screen)},
        {"spool", offsetof(struct kb_mqtt_settings, spool)},
        {"cafile", offsetof(struct kb_mqtt_settings, cafile)},
        {"user", offsetof(struct kb_mqtt_settings, user)},
        {"password_file", offsetof(struct kb_mqtt_settings, password_file)},
        {"stats", offsetof(struct kb_mqtt_settings, stats)},
    };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        if (strcmp(key, strs[i].key) != 0)
            continue;
        if ((strcmp(key, "group") == 0 || strcmp(key, "screen") == 0) && !kb_mqtt_name_valid(value))
            return kb_error_set(err,
                                "%s: \"%s\": a %s is 1-128 of A-Z a-z 0-9 . _ : - and does not "
                                "start with '.'",
                                where, value, key);
        if (value[0] == '\0')
            return kb_error_set(err, "%s: empty %s", where, key);
        char **field = (char **)((char *)s + strs[i].off);
        free(*field);
        *field = kb_xstrdup(value);
        return true;
    }
    if (strcmp(key, "port") == 0) {
        if (!parse_int(value, 1, 65535, &s->port))
            return kb_error_set(err, "%s: \"%s\": expected a port, 1 to 65535", where, value);
        return true;
    }
    if (strcmp(key, "keepalive_s") == 0) {
        if (!parse_int(value, 5, 3600, &s->keepalive_s))
            return kb_error_set(err, "%s: \"%s\": expected 5 to 3600 seconds", where, value);
        return true;
    }
    if (strcmp(key, "status_interval_s") == 0) {
        char *end;
        double v = strtod(value, &end);
        if (end == value || *end != '\0' || !isfinite(v) || v < 0.2 || v > 3600)
            return kb_error_set(err, "%s: \"%s\": expected 0.2 to 3600 seconds", where, value);
        s->status_interval_s = v;
        return true;
    }
    if (strcmp(key, "topics") == 0)
        return add_topics(s, value, where, err);
    return kb_error_set(err, "%s: unknown key \"%s\"", where, key);
}

static bool known_key(const char *key)
{
    static const char *const keys[] = {"host",  "port",   "group",       "screen",
                                       "spool", "cafile", "user",        "password_file",
                                       "stats", "topics", "keepalive_s", "status_interval_s"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(key, keys[i]) == 0)
            return true;
    }
    return false;
}

/* A key of the config file (kb_ini_read): [mqtt], and spool from [spool]. */
static bool on_key(void *user, const char *section, const char *name, const char *value,
                   const char *where, int line, struct kb_error *err)
{
    struct kb_mqtt_settings *s = user;
    (void)line;
    if (strcmp(section, "spool") == 0 && strcmp(name, "spool") == 0) {
        /* The ticker's own default (the demo spool) means nothing here. */
        return value[0] == '\0' || kb_mqtt_settings_set(s, "spool", value, where, err);
    }
    if (strcmp(section, "mqtt") != 0)
        return true;
    if (!known_key(name)) {
        LOG_WARN("%s: unknown key \"%s\" in [mqtt] ignored", where, name);
        return true;
    }
    return kb_mqtt_settings_set(s, name, value, where, err);
}

bool kb_mqtt_settings_load(struct kb_mqtt_settings *s, const char *path, struct kb_error *err)
{
    return kb_ini_read(path, on_key, s, err);
}

bool kb_mqtt_settings_finish(struct kb_mqtt_settings *s, struct kb_error *err)
{
    if (s->host == NULL)
        return kb_error_set(err, "no broker: give --host HOST (or host in [mqtt])");
    if (s->group == NULL)
        return kb_error_set(err, "no group: give --group G (or group in [mqtt])");
    if (s->spool == NULL)
        return kb_error_set(err, "no spool: give --spool DIR (or spool in [spool])");
    if (s->password_file != NULL && s->user == NULL)
        return kb_error_set(err, "--password-file needs --user");
    if (s->screen == NULL) {
        char host[256];
        if (gethostname(host, sizeof(host)) != 0)
            return kb_error_set(err, "cannot read the host name: %s; give --screen NAME",
                                strerror(errno));
        host[sizeof(host) - 1] = '\0';
        if (!kb_mqtt_name_valid(host))
            return kb_error_set(err, "host name \"%s\" cannot name a screen; give --screen NAME",
                                host);
        s->screen = kb_xstrdup(host);
    }
    return true;
}
