/* A caller-owned error message for errors the caller must show itself
 * (kabar validate, rejected/NAME.error.txt, a config line). One line, no
 * trailing newline, in the form the spool contract gives:
 *     spool/x.json:3:17: expected ',' or '}' after object member
 *     spool/y.json: field "lang": "xx_YY" is not a BCP 47 language tag */
#ifndef KB_CORE_ERROR_H
#define KB_CORE_ERROR_H

#include <stdbool.h>

/* Long enough for a path, a field name and a quoted bad value. */
#define KB_ERROR_MAX 512

struct kb_error {
    char msg[KB_ERROR_MAX];
};

/* Sets err (if not NULL) and returns false, so `return kb_error_set(...)` reads well. */
bool kb_error_set(struct kb_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kb_error_clear(struct kb_error *err);

#endif
