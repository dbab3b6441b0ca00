#define LOG_MODULE "spool"

#include "spool/images_put.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <nettle/sha2.h>

#include "core/file.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"

void kb_image_hash_name(const void *buf, size_t len, enum kb_image_format f,
                        char out[KB_IMAGE_HASH_NAME_SIZE])
{
    /* SHA-256 (nettle), not a fast non-cryptographic hash: a hostile feed
     * must not be able to make another picture's name hold its bytes. */
    struct sha256_ctx c;
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    sha256_update(&c, len, buf);
    sha256_digest(&c, sizeof(d), d);
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    const char *ext = f == KB_IMAGE_PNG ? "png" : f == KB_IMAGE_JPEG ? "jpg" : "webp";
    snprintf(out, KB_IMAGE_HASH_NAME_SIZE, "%s.%s", hex, ext);
}

/* dir/images, made if missing, never through a symlink; -1 with err set. */
static int open_images(const char *dir, struct kb_error *err)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        kb_error_set(err, "%s: %s", dir, strerror(errno));
        return -1;
    }
    int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int ifd = openat(dfd, KB_SPOOL_IMAGES_DIR, flags);
    if (ifd < 0 && errno == ENOENT) {
        if (mkdirat(dfd, KB_SPOOL_IMAGES_DIR, 0755) == 0 || errno == EEXIST)
            ifd = openat(dfd, KB_SPOOL_IMAGES_DIR, flags);
    }
    if (ifd < 0)
        kb_error_set(err, "%s/" KB_SPOOL_IMAGES_DIR ": %s", dir,
                     errno == ELOOP || errno == ENOTDIR ? "not a folder (a symlink?)"
                                                        : strerror(errno));
    close(dfd);
    return ifd;
}

enum kb_image_put kb_spool_image_put(const char *dir, const char *tag, const char *name,
                                     const void *buf, size_t len, struct kb_error *err)
{
    if (!kb_image_name_valid(name)) {
        kb_error_set(err, "%s/" KB_SPOOL_IMAGES_DIR "/%s: not a picture name", dir, name);
        return KB_IMAGE_PUT_FAILED;
    }
    int ifd = open_images(dir, err);
    if (ifd < 0)
        return KB_IMAGE_PUT_FAILED;
    char *where = kb_xasprintf("%s/" KB_SPOOL_IMAGES_DIR "/%s", dir, name);
    char *old = NULL;
    size_t old_len = 0;
    struct stat st;
    struct kb_error rerr;
    enum kb_image_put result;
    if (kb_file_read(ifd, name, where, len, &old, &old_len, &st, &rerr) == KB_READ_OK &&
        old_len == len && memcmp(old, buf, len) == 0) {
        /* Refreshed, not rewritten: its inode stays, and the grace of the
         * sweep starts again (a picture sent again is wanted again). */
        utimensat(ifd, name, NULL, AT_SYMLINK_NOFOLLOW);
        result = KB_IMAGE_PUT_UNCHANGED;
    } else {
        result = kb_file_write_atomic(ifd, name, where, tag, buf, len, err) ? KB_IMAGE_PUT_WRITTEN
                                                                            : KB_IMAGE_PUT_FAILED;
    }
    free(old);
    free(where);
    close(ifd);
    return result;
}

/* ---- the sweep ---- */

/* The names in use, gathered the first time the sweep asks. */
struct in_use {
    const char *dir;
    const struct kb_item *const *items; /* NULL: read the spool's files */
    size_t nitems;
    bool built;
    char **names;
    size_t n, cap;
};

static void add_name(struct in_use *u, const char *name)
{
    if (name == NULL || name[0] == '\0')
        return;
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 64;
        u->names = kb_xreallocarray(u->names, u->cap, sizeof(*u->names));
    }
    u->names[u->n++] = kb_xstrdup(name);
}

static void add_json(struct in_use *u, json_t *root)
{
    json_t *items = json_object_get(root, "items");
    if (json_is_array(items)) {
        size_t i;
        json_t *v;
        json_array_foreach(items, i, v) add_name(u, json_string_value(json_object_get(v, "image")));
    } else {
        add_name(u, json_string_value(json_object_get(root, "image")));
    }
}

static bool item_file_name(const char *n)
{
    size_t len = strlen(n);
    return n[0] != '.' && len > 5 && strcmp(n + len - 5, ".json") == 0;
}

/* Every "image" the spool's item files name. A file that cannot be read
 * or parsed names nothing: the grace covers one being rewritten. */
static void gather_files(struct in_use *u)
{
    int dfd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (d == NULL) {
        if (dfd >= 0)
            close(dfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!item_file_name(e->d_name))
            continue;
        char *buf = NULL;
        size_t len = 0;
        struct stat st;
        struct kb_error err;
        if (kb_file_read(dfd, e->d_name, e->d_name, KB_SPOOL_FILE_MAX_BYTES, &buf, &len, &st,
                         &err) != KB_READ_OK)
            continue;
        json_t *root = json_loadb(buf, len, 0, NULL);
        if (root != NULL)
            add_json(u, root);
        json_decref(root);
        free(buf);
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_in_use(void *user, const char *name)
{
    struct in_use *u = user;
    if (!u->built) {
        u->built = true;
        if (u->items != NULL) {
            for (size_t i = 0; i < u->nitems; i++)
                add_name(u, u->items[i]->image);
        } else {
            gather_files(u);
        }
        if (u->n > 1)
            qsort(u->names, u->n, sizeof(*u->names), cmp_str);
    }
    return u->n > 0 && bsearch(&name, u->names, u->n, sizeof(*u->names), cmp_str) != NULL;
}

static size_t sweep(struct in_use *u, int64_t now_s, int64_t grace_s)
{
    size_t removed = kb_spool_images_sweep(u->dir, is_in_use, u, now_s, grace_s);
    for (size_t i = 0; i < u->n; i++)
        free(u->names[i]);
    free(u->names);
    return removed;
}

size_t kb_spool_images_sweep_files(const char *dir, int64_t now_s, int64_t grace_s)
{
    struct in_use u = {.dir = dir};
    return sweep(&u, now_s, grace_s);
}

size_t kb_spool_images_sweep_items(const char *dir, const struct kb_item *const *items, size_t n,
                                   int64_t now_s, int64_t grace_s)
{
    static const struct kb_item *const none[1] = {NULL};
    struct in_use u = {.dir = dir, .items = items != NULL ? items : none, .nitems = n};
    return sweep(&u, now_s, grace_s);
}
