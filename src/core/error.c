#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

bool kb_error_set(struct kb_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    for (char *p = err->msg; *p; p++) {
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    }
    return false;
}

void kb_error_clear(struct kb_error *err)
{
    if (err != NULL)
        err->msg[0] = '\0';
}
