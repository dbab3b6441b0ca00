/* How long a text takes to read, for how long a quote (or a page of one)
 * stays on the panel (docs/presentation.md, "Reading time"). */
#ifndef KB_APP_READING_H
#define KB_APP_READING_H

#include <stddef.h>

/* Seconds to read text (UTF-8, len bytes) in language lang (BCP 47): its
 * words, or for Chinese, Japanese, Thai, Lao, Khmer and Myanmar its
 * letters, at the rate of the table in reading.c, plus a second and a
 * half to find where it starts. */
double kb_reading_seconds(const char *text, size_t len, const char *lang);

#endif
