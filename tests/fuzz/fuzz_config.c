/* libFuzzer harness: the config parser.
 *
 * The first byte picks the mode. Even: the rest is a config file, written
 * to a temp file and read with kb_config_load (inih, then every key's
 * rules), then printed with kb_config_print, which must load cleanly
 * again. Odd: the rest is "key\0value" for kb_config_set, as
 * `--set KEY=VALUE` gives it. A config that loads must keep every bound
 * the rest of kabar relies on. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/config.h"
#include "core/error.h"
#include "core/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static char path2[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    kb_log_set_level(KB_LOG_QUIET);
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(path, sizeof(path), "%s/kabar-fuzz-config-%d.conf", dir, (int)getpid());
    snprintf(path2, sizeof(path2), "%s/kabar-fuzz-config-%d-2.conf", dir, (int)getpid());
    return 0;
}

static void check_bounds(const struct kb_config *c)
{
    if (!(c->refresh_hz >= 1 && c->refresh_hz <= 1000) || !(c->speed >= 1 && c->speed <= 5000))
        abort();
    if (c->width < 0 || c->height < 0 || c->width > 16384 || c->height > 16384)
        abort();
    if (c->max_items < 1 || c->max_items > 10000 || c->max_file_kib < 1 || c->max_file_kib > 1024)
        abort();
    if (c->atlas_page < 64 || c->atlas_page > 2048 || !isfinite(c->stats_interval_s))
        abort();
    if (memchr(c->spool, 0, sizeof(c->spool)) == NULL ||
        memchr(c->fonts, 0, sizeof(c->fonts)) == NULL ||
        memchr(c->clock_format, 0, sizeof(c->clock_format)) == NULL ||
        memchr(c->separator, 0, sizeof(c->separator)) == NULL)
        abort();
}

static bool write_file(const char *p, const uint8_t *data, size_t size)
{
    FILE *f = fopen(p, "wb");
    if (f == NULL)
        return false;
    bool ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct kb_config cfg;
    kb_config_defaults(&cfg);
    struct kb_error err;
    kb_error_clear(&err);
    if ((data[0] & 1) == 0) {
        if (!write_file(path, data + 1, size - 1))
            return 0;
        if (kb_config_load(&cfg, path, &err)) {
            check_bounds(&cfg);
            /* What --print-config writes must load back to the same values. */
            FILE *out = fopen(path2, "w");
            if (out == NULL)
                return 0;
            kb_config_print(&cfg, out);
            fclose(out);
            struct kb_config back;
            kb_config_defaults(&back);
            if (!kb_config_load(&back, path2, &err)) {
                fprintf(stderr, "printed config does not load back: %s\n", err.msg);
                abort();
            }
            check_bounds(&back);
        } else if (err.msg[0] == '\0') {
            abort();
        }
        return 0;
    }
    /* key\0value */
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    const char *sep = memchr(rest, 0, n);
    if (sep == NULL)
        return 0;
    char *key = strndup(rest, (size_t)(sep - rest));
    char *value = strndup(sep + 1, n - (size_t)(sep - rest) - 1);
    if (key && value && kb_config_set(&cfg, key, value, "--set", &err))
        check_bounds(&cfg);
    free(key);
    free(value);
    return 0;
}
