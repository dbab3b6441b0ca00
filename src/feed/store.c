#include "feed/store.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/date.h"
#include "core/file.h"
#include "core/limits.h"
#include "core/xmalloc.h"
#include "feed/images.h"
#include "spool/item.h"

static bool make_dir(const char *path, struct kb_error *err)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return true;
        return kb_error_set(err, "%s: not a folder", path);
    }
    return kb_error_set(err, "%s: %s", path, strerror(errno));
}

bool kb_feed_store_prepare(const char *spool, struct kb_error *err)
{
    if (!make_dir(spool, err))
        return false;
    char *state = kb_xasprintf("%s/%s", spool, KB_FEED_STATE_DIR);
    bool ok = make_dir(state, err);
    free(state);
    return ok;
}

/* Bounded, no symlinks (core/file.h); NULL for anything but a readable
 * regular file of at most max bytes. */
static char *read_path(const char *path, size_t max, size_t *len)
{
    char *buf = NULL;
    struct stat st;
    struct kb_error err;
    if (kb_file_read(AT_FDCWD, path, path, max, &buf, len, &st, &err) != KB_READ_OK)
        return NULL;
    return buf;
}

char *kb_feed_store_read(const char *spool, const char *name, size_t *len)
{
    char *path = kb_xasprintf("%s/%s", spool, name);
    char *buf = read_path(path, KB_SPOOL_FILE_MAX_BYTES, len);
    free(path);
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char *state_name(const char *prefix)
{
    /* "feed-0123abcd-" -> "feed-0123abcd.json" */
    size_t n = strlen(prefix);
    return kb_xasprintf("%.*s.json", (int)(n > 0 ? n - 1 : 0), prefix);
}

/* True if name is the temp file core/file.h's kb_file_write_atomic makes
 * under the feed's tag for a file named stem*suffix: ".feed.STEM*SUFFIX."
 * and six random letters or digits. */
static bool is_leftover(const char *name, const char *stem, const char *suffix)
{
    static const char lead[] = "." KB_FEED_WRITE_TAG ".";
    size_t n = strlen(name), lead_len = sizeof(lead) - 1, stem_len = strlen(stem);
    size_t suffix_len = strlen(suffix);
    if (n < lead_len + stem_len + suffix_len + 7 || strncmp(name, lead, lead_len) != 0 ||
        strncmp(name + lead_len, stem, stem_len) != 0)
        return false;
    const char *rand = name + n - 6;
    if (rand[-1] != '.' || strncmp(rand - 1 - suffix_len, suffix, suffix_len) != 0)
        return false;
    for (int i = 0; i < 6; i++) {
        if (!isalnum((unsigned char)rand[i]))
            return false;
    }
    return true;
}

/* Removes what a crash left of the feed's last state write. */
static void remove_state_leftovers(const char *spool, const char *prefix)
{
    char *dir_path = kb_xasprintf("%s/%s", spool, KB_FEED_STATE_DIR);
    char *stem = state_name(prefix);
    DIR *dir = opendir(dir_path);
    struct dirent *d;
    while (dir != NULL && (d = readdir(dir)) != NULL) {
        if (is_leftover(d->d_name, stem, ""))
            unlinkat(dirfd(dir), d->d_name, 0);
    }
    if (dir != NULL)
        closedir(dir);
    free(stem);
    free(dir_path);
}

/* True if the item file's "expires" is at or before now. */
static bool file_expired(const char *spool, const char *name, int64_t now)
{
    size_t len;
    char *buf = kb_feed_store_read(spool, name, &len);
    if (buf == NULL)
        return false;
    json_t *obj = json_loadb(buf, len, 0, NULL);
    free(buf);
    int64_t expires;
    const char *s = json_string_value(json_object_get(obj, "expires"));
    bool expired = s != NULL && kb_date_parse_rfc3339(s, &expires) && expires <= now;
    json_decref(obj);
    return expired;
}

size_t kb_feed_store_retract(const char *spool, const char *prefix, char *const *keep,
                             size_t n_keep, bool expired_only, int64_t now, size_t *failed)
{
    *failed = 0;
    DIR *dir = opendir(spool);
    if (dir == NULL)
        return 0;
    size_t plen = strlen(prefix), removed = 0;
    /* Names are gathered first: unlinking while readdir walks the folder
     * may make it skip or repeat entries. */
    char **names = NULL;
    size_t n = 0;
    struct dirent *d;
    while ((d = readdir(dir)) != NULL) {
        const char *name = d->d_name;
        bool mine = strncmp(name, prefix, plen) == 0 && ends_with(name, ".json");
        bool stale_tmp = is_leftover(name, prefix, ".json");
        if (!mine && !stale_tmp)
            continue;
        if (mine && bsearch(&name, keep, n_keep, sizeof(*keep), cmp_str) != NULL)
            continue;
        names = kb_xreallocarray(names, n + 1, sizeof(*names));
        names[n++] = kb_xstrdup(name);
    }
    closedir(dir);
    for (size_t i = 0; i < n; i++) {
        bool tmp = names[i][0] == '.';
        if (!tmp && expired_only && !file_expired(spool, names[i], now)) {
            free(names[i]);
            continue;
        }
        char *path = kb_xasprintf("%s/%s", spool, names[i]);
        if (unlink(path) == 0) {
            removed += !tmp;
        } else if (errno != ENOENT && !tmp) {
            (*failed)++;
        }
        free(path);
        free(names[i]);
    }
    free(names);
    remove_state_leftovers(spool, prefix);
    return removed;
}

/* ---- state ---- */

void kb_feed_state_free(struct kb_feed_state *st)
{
    free(st->etag);
    free(st->last_modified);
    free(st->settings);
    for (size_t i = 0; i < st->n_files; i++)
        free(st->files[i]);
    free(st->files);
    for (size_t i = 0; i < st->n_images; i++)
        free(st->images[i].url);
    free(st->images);
    memset(st, 0, sizeof(*st));
}

/* A JSON string as C, or NULL if v is none or holds a NUL. */
static const char *plain_str(json_t *v)
{
    const char *s = json_string_value(v);
    return s != NULL && strlen(s) == json_string_length(v) ? s : NULL;
}

/* One entry of the state's "images" into *out, or false if it is not one
 * kabar could have written: the name goes into paths (images/NAME) and
 * items, so it must be a picture name as the spool allows one, never a
 * path. */
static bool load_image(json_t *v, struct kb_feed_state_image *out)
{
    memset(out, 0, sizeof(*out));
    const char *url = plain_str(json_object_get(v, "url"));
    if (url == NULL || url[0] == '\0' || strlen(url) > KB_FEED_URL_MAX)
        return false;
    json_t *name = json_object_get(v, "name"), *retry = json_object_get(v, "retry_at");
    if (name != NULL) {
        const char *s = plain_str(name);
        if (s == NULL || strlen(s) >= sizeof(out->name) || !kb_image_name_valid(s))
            return false;
        memcpy(out->name, s, strlen(s) + 1);
    } else if (json_is_integer(retry) && json_integer_value(retry) > 0) {
        out->retry_at = json_integer_value(retry);
    } else {
        return false;
    }
    out->url = kb_xstrdup(url);
    return true;
}

/* The last KB_FEED_IMAGES_KEPT good entries of the array images. */
static void load_images(json_t *images, struct kb_feed_state *st)
{
    size_t n = json_array_size(images);
    size_t first = n > KB_FEED_IMAGES_KEPT ? n - KB_FEED_IMAGES_KEPT : 0;
    if (n == 0)
        return;
    st->images = kb_xcalloc(n - first, sizeof(*st->images));
    for (size_t i = first; i < n; i++) {
        if (load_image(json_array_get(images, i), &st->images[st->n_images]))
            st->n_images++;
    }
}

static char *opt_str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s != NULL && s[0] != '\0' ? kb_xstrdup(s) : NULL;
}

void kb_feed_state_load(const char *spool, const char *prefix, const char *url,
                        struct kb_feed_state *st)
{
    memset(st, 0, sizeof(*st));
    char *name = state_name(prefix);
    char *path = kb_xasprintf("%s/%s/%s", spool, KB_FEED_STATE_DIR, name);
    free(name);
    size_t len;
    char *buf = read_path(path, KB_FEED_STATE_MAX, &len);
    free(path);
    if (buf == NULL)
        return;
    json_t *obj = json_loadb(buf, len, 0, NULL);
    free(buf);
    const char *saved_url = json_string_value(json_object_get(obj, "url"));
    if (saved_url == NULL || strcmp(saved_url, url) != 0) {
        json_decref(obj);
        return;
    }
    st->etag = opt_str(obj, "etag");
    st->last_modified = opt_str(obj, "last_modified");
    st->settings = opt_str(obj, "settings");
    json_t *files = json_object_get(obj, "files");
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f)
    {
        const char *s = json_string_value(f);
        /* Only names a feed can have written: never a path. */
        if (s == NULL || strncmp(s, prefix, strlen(prefix)) != 0 || strchr(s, '/') != NULL)
            continue;
        st->files = kb_xreallocarray(st->files, st->n_files + 1, sizeof(*st->files));
        st->files[st->n_files++] = kb_xstrdup(s);
    }
    load_images(json_object_get(obj, "images"), st);
    json_decref(obj);
}

/* The state as JSON, leaving out its first skip pictures (the oldest). */
static json_t *state_json(const char *url, const struct kb_feed_state *st, size_t skip)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "url", json_string(url));
    if (st->etag != NULL)
        json_object_set_new(obj, "etag", json_string(st->etag));
    if (st->last_modified != NULL)
        json_object_set_new(obj, "last_modified", json_string(st->last_modified));
    if (st->settings != NULL)
        json_object_set_new(obj, "settings", json_string(st->settings));
    json_t *files = json_array();
    for (size_t i = 0; i < st->n_files; i++)
        json_array_append_new(files, json_string(st->files[i]));
    json_object_set_new(obj, "files", files);
    json_t *images = json_array();
    for (size_t i = skip; i < st->n_images; i++) {
        const struct kb_feed_state_image *im = &st->images[i];
        json_t *u = json_string(im->url); /* NULL if not UTF-8: not kept */
        if (u == NULL)
            continue;
        json_t *e = json_object();
        json_object_set_new(e, "url", u);
        if (im->name[0] != '\0')
            json_object_set_new(e, "name", json_string(im->name));
        else
            json_object_set_new(e, "retry_at", json_integer(im->retry_at));
        json_array_append_new(images, e);
    }
    json_object_set_new(obj, "images", images);
    return obj;
}

bool kb_feed_state_save(const char *spool, const char *prefix, const char *url,
                        const struct kb_feed_state *st, struct kb_error *err)
{
    /* The file must stay loadable (KB_FEED_STATE_MAX): the oldest half of
     * the pictures goes until it fits, which costs at worst a download. */
    char *text = NULL;
    for (size_t skip = 0;;) {
        json_t *obj = state_json(url, st, skip);
        text = json_dumps(obj, JSON_INDENT(1));
        json_decref(obj);
        if (text == NULL || strlen(text) <= KB_FEED_STATE_MAX || skip == st->n_images)
            break;
        free(text);
        skip += (st->n_images - skip + 1) / 2;
    }
    char *dir = kb_xasprintf("%s/%s", spool, KB_FEED_STATE_DIR);
    char *name = state_name(prefix);
    char *path = kb_xasprintf("%s/%s", dir, name);
    bool ok = text != NULL && kb_file_write_atomic(AT_FDCWD, path, path, KB_FEED_WRITE_TAG, text,
                                                   strlen(text), err);
    if (text == NULL)
        kb_error_set(err, "%s/%s: cannot encode the state (invalid UTF-8 in a validator?)", dir,
                     name);
    free(text);
    free(dir);
    free(name);
    free(path);
    return ok;
}

bool kb_feed_state_files_present(const char *spool, const struct kb_feed_state *st)
{
    for (size_t i = 0; i < st->n_files; i++) {
        char *path = kb_xasprintf("%s/%s", spool, st->files[i]);
        struct stat sb;
        bool present = lstat(path, &sb) == 0 && S_ISREG(sb.st_mode);
        free(path);
        if (!present)
            return false;
    }
    return true;
}
