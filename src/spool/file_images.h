/* The pictures a spool file's items name, for `kabar validate` (which
 * then checks each one as the ticker would: spool/images.h). */
#ifndef KB_SPOOL_FILE_IMAGES_H
#define KB_SPOOL_FILE_IMAGES_H

#include <stddef.h>

#include "core/error.h"

/* Reads and parses the spool file at path as kb_spool_validate_file does
 * and sets *names to a new array of the *n distinct `image` names its
 * items give, in file order (the caller frees each, then the array; NULL
 * when there are none). Returns false, with err set to the file's first
 * error line, if the file is not valid. */
bool kb_spool_file_images(const char *path, char ***names, size_t *n, struct kb_error *err);

#endif
