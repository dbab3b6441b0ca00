/* The character encoding of a feed document, and its bytes made UTF-8.
 *
 * Which encoding (docs/feeds.md, "Encodings"): a byte order mark (UTF-8,
 * UTF-16, UTF-32) wins; then, for XML media types and JSON, the charset of
 * the HTTP Content-Type; then the document's own declaration (XML
 * encoding="..."); then what the first bytes show (UTF-16/32 without a
 * BOM); then UTF-8 if the bytes are valid UTF-8; then a guess by
 * libuchardet; then windows-1252. A candidate the bytes are not valid in is
 * passed over for the next one. Labels are read as the WHATWG Encoding
 * Standard says (iso-8859-1 and us-ascii are windows-1252, gb2312 is GBK,
 * ...); names it does not know go to iconv as they are, sloppy spellings
 * mended ("win-1251", "cp-1251", "1251"). */
#ifndef KB_FEED_ENCODING_H
#define KB_FEED_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "feed/notes.h"

/* The name iconv knows for an encoding label as a document or a server
 * writes it ("ISO-8859-1" -> "WINDOWS-1252", "Shift_JIS" -> "CP932",
 * "win-1251" -> "WINDOWS-1251"), into out (size bytes). Returns false if
 * neither the WHATWG table nor iconv knows the label. */
bool kb_feed_encoding_name(const char *label, char *out, size_t size);

/* The charset parameter of a Content-Type, if any, into out. */
bool kb_feed_http_charset(const char *content_type, char *out, size_t size);

/* The encoding named in an XML declaration at the start of buf (read as
 * ASCII, or as UTF-16/32 when the bytes show it), into out. */
bool kb_feed_xml_declared(const char *buf, size_t len, char *out, size_t size);

/* buf[0..len) as NUL-terminated UTF-8 without a BOM (caller frees *out),
 * by the rules above; json: a JSON document (it has no declaration).
 * What was decided beyond the obvious (a guess, a disagreement between
 * HTTP and the document, a label passed over, bytes replaced) goes into
 * notes. Fails only when nothing can be read (err says why). */
bool kb_feed_decode(const char *buf, size_t len, const char *content_type, bool json, char **out,
                    size_t *out_len, struct kb_feed_notes *notes, struct kb_error *err);

#endif
