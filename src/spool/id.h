/* The names the spool accepts (SPOOL-FORMAT.md "Fields"): item ids and
 * stories, and BCP 47 language tags. Pure functions: no state, nothing
 * allocated. */
#ifndef KB_SPOOL_ID_H
#define KB_SPOOL_ID_H

#include <stdbool.h>

/* Checks a BCP 47 language tag: RFC 5646 well-formedness (the ABNF of
 * section 2.1 and its grandfathered tags, at most KB_LANG_MAX bytes), plus
 * no repeated variant or extension singleton. "xx_YY" is not one. */
bool kb_lang_tag_valid(const char *tag);
/* Checks an id or story: 1-128 of A-Z a-z 0-9 . _ : - */
bool kb_id_valid(const char *id);

#endif
