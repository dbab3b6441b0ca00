/* Reading kabar's INI file (inih underneath) with the line of every key,
 * so each reader of the file (the ticker, `kabar feed`, `kabar mqtt`) can
 * name FILE:LINE in its messages, and a line too long for inih is an
 * error rather than read as two. */
#ifndef KB_APP_INI_H
#define KB_APP_INI_H

#include <stdbool.h>

#include "core/error.h"

/* Called for each key; where is "FILE:LINE". Return false to stop, with err
 * set (err->msg should start with where). */
typedef bool (*kb_ini_fn)(void *user, const char *section, const char *key, const char *value,
                          const char *where, int line, struct kb_error *err);

/* Reads path, calling fn for each key in order. False with err set if the
 * file cannot be read, a line is malformed or too long, or fn says stop. */
bool kb_ini_read(const char *path, kb_ini_fn fn, void *user, struct kb_error *err);

#endif
