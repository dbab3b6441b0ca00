/* One line per event to stderr, where journald picks it up.
 *
 * Each .c file defines LOG_MODULE before including this header and logs with
 * LOG_ERR / LOG_WARN / LOG_INFO / LOG_DBG. LOG_*_ONCE says a message once per
 * key (a file name, say) so a file that stays bad is not reported every scan.
 *
 * Process-wide state, the only shared state below app/: the log level, the
 * once-set and the last error-level line (read back by kb_log_last_error
 * for the stats file). All three are guarded by one mutex, so any thread
 * may log; the level is set up by app/ (or cli/) at start. */
#ifndef KB_CORE_LOG_H
#define KB_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum kb_log_level { KB_LOG_DEBUG, KB_LOG_INFO, KB_LOG_WARN, KB_LOG_ERR, KB_LOG_QUIET };

void kb_log_set_level(enum kb_log_level level);
enum kb_log_level kb_log_get_level(void);
/* Parses "debug", "info", "warning", "error", "quiet". */
bool kb_log_level_parse(const char *s, enum kb_log_level *out);

void kb_log(enum kb_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Logs only the first time this (key, message) pair is seen; returns whether it logged. */
bool kb_log_once(const char *key, enum kb_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Forgets the once-keys for key (a file that was fixed may be reported again). */
void kb_log_forget(const char *key);
/* Copies the last error-level message of any thread (empty if none) into
 * buf (size bytes, cut to fit); the copy is the caller's. */
void kb_log_last_error(char *buf, size_t size);
/* Frees the once-set (at exit, for leak checkers). */
void kb_log_shutdown(void);

#define LOG_DBG(...) kb_log(KB_LOG_DEBUG, LOG_MODULE, __VA_ARGS__)
#define LOG_INFO(...) kb_log(KB_LOG_INFO, LOG_MODULE, __VA_ARGS__)
#define LOG_WARN(...) kb_log(KB_LOG_WARN, LOG_MODULE, __VA_ARGS__)
#define LOG_ERR(...) kb_log(KB_LOG_ERR, LOG_MODULE, __VA_ARGS__)
#define LOG_WARN_ONCE(key, ...) kb_log_once(key, KB_LOG_WARN, LOG_MODULE, __VA_ARGS__)
#define LOG_ERR_ONCE(key, ...) kb_log_once(key, KB_LOG_ERR, LOG_MODULE, __VA_ARGS__)

#endif
