#include "app/onscreen.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"

struct noted {
    char id[KB_ID_MAX + 1];
    char lang[KB_LANG_MAX];
    char text[KB_ONSCREEN_TEXT_MAX + 1];
};

/* A ring: the oldest item is forgotten first. */
static struct noted table[KB_ONSCREEN_ITEMS];
static size_t next_slot;

static struct noted *find(const char *id)
{
    for (size_t i = 0; i < KB_ONSCREEN_ITEMS; i++) {
        if (table[i].id[0] != '\0' && strcmp(table[i].id, id) == 0)
            return &table[i];
    }
    return NULL;
}

/* Appends len bytes of s to buf (holding used bytes, room for cap more and
 * a NUL), cutting before a UTF-8 continuation byte so no character is
 * split. Returns the new length. */
static size_t append_utf8(char *buf, size_t used, size_t cap, const char *s, size_t len)
{
    if (used >= cap)
        return used;
    if (len > cap - used) {
        len = cap - used;
        while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
            len--;
    }
    memcpy(buf + used, s, len);
    buf[used + len] = '\0';
    return used + len;
}

/* Remembers text (used bytes) in lang for id, replacing what id had. */
static void remember(const char *id, const char *lang, const char *text, size_t used)
{
    if (id[0] == '\0' || used == 0)
        return;
    struct noted *n = find(id);
    if (n == NULL) {
        n = &table[next_slot];
        next_slot = (next_slot + 1) % KB_ONSCREEN_ITEMS;
    }
    snprintf(n->id, sizeof(n->id), "%s", id);
    snprintf(n->lang, sizeof(n->lang), "%s", lang);
    memcpy(n->text, text, used + 1);
}

/* Joins line's text to text (used bytes so far) with a space; sets *lang
 * from the first line. Returns the new length. */
static size_t join(char *text, size_t used, const char **lang, const struct kb_line *line)
{
    if (line == NULL || line->text == NULL)
        return used;
    if ((*lang)[0] == '\0')
        *lang = line->lang;
    if (used > 0)
        used = append_utf8(text, used, KB_ONSCREEN_TEXT_MAX, " ", 1);
    return append_utf8(text, used, KB_ONSCREEN_TEXT_MAX, line->text, line->text_len);
}

void kb_onscreen_note(const struct kb_ready *r)
{
    char text[KB_ONSCREEN_TEXT_MAX + 1] = "";
    const char *lang = "";
    size_t used = 0;
    for (size_t i = 0; i < r->n_segs; i++) {
        if (r->segs[i].style == KB_SEG_TEXT)
            used = join(text, used, &lang, r->segs[i].line);
    }
    remember(r->id, lang, text, used);
}

void kb_onscreen_note_event(const struct kb_event *ev)
{
    kb_onscreen_note(&ev->item);
    if (ev->type != KB_EVENT_PANEL || ev->quote == NULL)
        return;
    /* A quote's event carries only its id: its words are the pages' lines
     * (the attribution left out, as a headline's source is). */
    char text[KB_ONSCREEN_TEXT_MAX + 1] = "";
    const char *lang = "";
    size_t used = 0;
    for (size_t i = 0; i < ev->quote->n; i++)
        used = join(text, used, &lang, ev->quote->lines[i]);
    remember(ev->item.id, lang, text, used);
}

json_t *kb_onscreen_json(const char *const *ids, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(ids[j], ids[i]) == 0;
        if (seen)
            continue;
        json_t *it = json_pack("{s:s}", "id", ids[i]);
        const struct noted *k = find(ids[i]);
        if (k != NULL) {
            json_object_set_new(it, "lang", json_string(k->lang));
            json_object_set_new(it, "text", json_string(k->text));
        }
        json_array_append_new(list, it);
    }
    return list;
}

void kb_onscreen_reset(void)
{
    memset(table, 0, sizeof(table));
    next_slot = 0;
}
