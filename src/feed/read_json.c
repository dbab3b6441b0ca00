#include "feed/read.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/date.h"
#include "core/limits.h"
#include "core/xmalloc.h"
#include "feed/text.h"

static char *json_str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s != NULL && s[0] != '\0' ? kb_xstrndup(s, KB_FEED_FIELD_MAX) : NULL;
}

/* html: the field is HTML (content_html); else it is text that is reduced
 * only if it looks like markup (titles and summaries often hold some). */
static char *json_text(json_t *obj, const char *key, bool html, bool plain)
{
    json_t *v = json_object_get(obj, key);
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0')
        return NULL;
    size_t len = json_string_length(v);
    if (html || (!plain && kb_feed_looks_like_html(s)))
        return kb_feed_html_to_text(s, len);
    return kb_xstrndup(s, len < KB_FEED_FIELD_MAX ? len : KB_FEED_FIELD_MAX);
}

static void set_once(char **field, char *value)
{
    if (*field == NULL && value != NULL && value[0] != '\0') {
        *field = value;
        return;
    }
    free(value);
}

static void read_item(json_t *item, struct kb_feed_entry *e)
{
    json_t *id = json_object_get(item, "id");
    /* JSON Feed 1.0 allowed numeric ids; they are still ids. */
    if (json_is_integer(id))
        e->guid = kb_xasprintf("%lld", (long long)json_integer_value(id));
    else
        e->guid = json_str(item, "id");
    e->link = json_str(item, "url");
    set_once(&e->link, json_str(item, "external_url"));
    e->title = json_text(item, "title", false, false);
    e->summary = json_text(item, "summary", false, false);
    set_once(&e->summary, json_text(item, "content_text", false, true));
    set_once(&e->summary, json_text(item, "content_html", true, false));
    e->lang = json_str(item, "language");
    e->date = json_str(item, "date_published");
    set_once(&e->date, json_str(item, "date_modified"));
    e->has_published = e->date != NULL && kb_date_parse(e->date, &e->published);
    e->image = json_str(item, "image");
    set_once(&e->image, json_str(item, "banner_image"));
}

bool kb_feed_read_json(const char *text, size_t len, size_t max, struct kb_feed_doc *doc,
                       struct kb_error *err)
{
    json_error_t jerr;
    /* Trailing bytes after the object (a server's debug line) do not spoil it. */
    json_t *root = json_loadb(text, len, JSON_DISABLE_EOF_CHECK, &jerr);
    if (root == NULL)
        return kb_error_set(err, "JSON line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    const char *version = json_string_value(json_object_get(root, "version"));
    json_t *items = json_object_get(root, "items");
    if (!json_is_object(root) || version == NULL ||
        strncmp(version, "https://jsonfeed.org/version/", 29) != 0 || !json_is_array(items)) {
        json_decref(root);
        return kb_error_set(err, "not a JSON Feed (no \"version\" https://jsonfeed.org/... and "
                                 "\"items\" array)");
    }
    doc->format = KB_FEED_JSON;
    doc->title = json_text(root, "title", false, false);
    doc->lang = json_str(root, "language");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        struct kb_feed_entry *e = kb_feed_new_entry(doc, max);
        if (e != NULL && json_is_object(item)) /* else an entry with nothing: the mapping says so */
            read_item(item, e);
    }
    json_decref(root);
    return true;
}
