#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

/* A message is at most this long; longer ones are cut (one line, never a flood). */
#define LOG_LINE_MAX 1024
/* Distinct once-keys remembered; past this the oldest half is forgotten. */
#define LOG_ONCE_MAX 4096

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static enum kb_log_level current = KB_LOG_INFO;
static char last_error[LOG_LINE_MAX];
static uint64_t *once_hashes;
static size_t once_count;

static const char *level_names[] = {"debug", "info", "warning", "error"};

void kb_log_set_level(enum kb_log_level level)
{
    pthread_mutex_lock(&lock);
    current = level;
    pthread_mutex_unlock(&lock);
}

enum kb_log_level kb_log_get_level(void)
{
    pthread_mutex_lock(&lock);
    enum kb_log_level l = current;
    pthread_mutex_unlock(&lock);
    return l;
}

bool kb_log_level_parse(const char *s, enum kb_log_level *out)
{
    static const struct {
        const char *name;
        enum kb_log_level level;
    } names[] = {{"debug", KB_LOG_DEBUG}, {"info", KB_LOG_INFO}, {"warning", KB_LOG_WARN},
                 {"warn", KB_LOG_WARN},   {"error", KB_LOG_ERR}, {"quiet", KB_LOG_QUIET}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].level;
            return true;
        }
    }
    return false;
}

/* Replaces control characters so a hostile file name cannot forge log lines. */
static void sanitize(char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
    }
}

static void emit(enum kb_log_level level, const char *module, char *line)
{
    sanitize(line);
    if (level == KB_LOG_ERR) {
        pthread_mutex_lock(&lock);
        /* Bounded pieces: the module name is short, the line is cut to fit. */
        snprintf(last_error, sizeof(last_error), "%.31s: %.990s", module, line);
        pthread_mutex_unlock(&lock);
    }
    fprintf(stderr, "kabar: %s: %s: %s\n", level_names[level], module, line);
}

static void vlog(enum kb_log_level level, const char *module, const char *fmt, va_list ap)
{
    char line[LOG_LINE_MAX];
    vsnprintf(line, sizeof(line), fmt, ap);
    emit(level, module, line);
}

void kb_log_last_error(char *buf, size_t size)
{
    pthread_mutex_lock(&lock);
    snprintf(buf, size, "%s", last_error);
    pthread_mutex_unlock(&lock);
}

void kb_log(enum kb_log_level level, const char *module, const char *fmt, ...)
{
    if (level < kb_log_get_level())
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog(level, module, fmt, ap);
    va_end(ap);
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Returns true if (h) was not yet in the set, and adds it. Caller holds the lock. */
static bool once_insert(uint64_t h)
{
    for (size_t i = 0; i < once_count; i++) {
        if (once_hashes[i] == h)
            return false;
    }
    if (once_count == LOG_ONCE_MAX) {
        memmove(once_hashes, once_hashes + LOG_ONCE_MAX / 2,
                (LOG_ONCE_MAX / 2) * sizeof(*once_hashes));
        once_count = LOG_ONCE_MAX / 2;
    }
    if (once_hashes == NULL)
        once_hashes = kb_xcalloc(LOG_ONCE_MAX, sizeof(*once_hashes));
    once_hashes[once_count++] = h;
    return true;
}

bool kb_log_once(const char *key, enum kb_log_level level, const char *module, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);

    /* The key's hash is stored in the low bits' neighbourhood of the message's
     * so kb_log_forget(key) can drop every message of that key. */
    uint64_t hk = fnv1a(0xcbf29ce484222325ULL, key);
    uint64_t h = (hk & 0xffffffff00000000ULL) | (fnv1a(hk, line) & 0xffffffffULL);

    pthread_mutex_lock(&lock);
    bool fresh = once_insert(h);
    enum kb_log_level cur = current;
    pthread_mutex_unlock(&lock);
    if (!fresh || level < cur)
        return false;
    emit(level, module, line);
    return true;
}

void kb_log_forget(const char *key)
{
    uint64_t hk = fnv1a(0xcbf29ce484222325ULL, key) & 0xffffffff00000000ULL;
    pthread_mutex_lock(&lock);
    size_t j = 0;
    for (size_t i = 0; i < once_count; i++) {
        if ((once_hashes[i] & 0xffffffff00000000ULL) != hk)
            once_hashes[j++] = once_hashes[i];
    }
    once_count = j;
    pthread_mutex_unlock(&lock);
}

void kb_log_shutdown(void)
{
    pthread_mutex_lock(&lock);
    free(once_hashes);
    once_hashes = NULL;
    once_count = 0;
    pthread_mutex_unlock(&lock);
}
