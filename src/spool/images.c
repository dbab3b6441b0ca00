#define LOG_MODULE "spool"

#include "spool/images.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/put.h"

const char *kb_image_format_name(enum kb_image_format f)
{
    switch (f) {
    case KB_IMAGE_PNG:
        return "PNG";
    case KB_IMAGE_JPEG:
        return "JPEG";
    case KB_IMAGE_WEBP:
        return "WebP";
    case KB_IMAGE_UNKNOWN:
        break;
    }
    return "unknown";
}

enum kb_image_format kb_image_format_of_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot == NULL)
        return KB_IMAGE_UNKNOWN;
    if (strcasecmp(dot, ".png") == 0)
        return KB_IMAGE_PNG;
    if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0)
        return KB_IMAGE_JPEG;
    if (strcasecmp(dot, ".webp") == 0)
        return KB_IMAGE_WEBP;
    return KB_IMAGE_UNKNOWN;
}

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[1] << 8 | p[0];
}

static unsigned le24(const unsigned char *p)
{
    return (unsigned)p[2] << 16 | (unsigned)p[1] << 8 | p[0];
}

static bool sniff_png(const unsigned char *b, size_t len, struct kb_image_header *out,
                      struct kb_error *err)
{
    if (len < 24 || memcmp(b + 12, "IHDR", 4) != 0 || be32(b + 8) != 13)
        return kb_error_set(err, "PNG header cut short or without IHDR first");
    out->width = be32(b + 16);
    out->height = be32(b + 20);
    return true;
}

/* A start-of-frame marker: the baseline, progressive and lossless kinds
 * (not DHT C4, JPG C8, DAC CC). */
static bool jpeg_sof(unsigned m)
{
    return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* Walks the marker segments up to the first frame header, which holds the
 * size the decoder will allocate for. */
static bool sniff_jpeg(const unsigned char *b, size_t len, struct kb_image_header *out,
                       struct kb_error *err)
{
    size_t i = 2;
    while (i + 4 <= len) {
        if (b[i] != 0xff)
            return kb_error_set(err, "JPEG marker expected at byte %zu", i);
        unsigned m = b[i + 1];
        if (m == 0xff) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) { /* no length */
            i += 2;
            continue;
        }
        if (m == 0xd9 || m == 0xda)
            return kb_error_set(err, "JPEG without a frame header before its data");
        unsigned seg = be16(b + i + 2);
        if (seg < 2)
            return kb_error_set(err, "JPEG segment of length %u at byte %zu", seg, i);
        if (jpeg_sof(m)) {
            if (i + 9 > len)
                break;
            out->height = be16(b + i + 5);
            out->width = be16(b + i + 7);
            return true;
        }
        i += 2 + seg;
    }
    return kb_error_set(err, "JPEG cut short before its frame header");
}

static bool sniff_webp(const unsigned char *b, size_t len, struct kb_image_header *out,
                       struct kb_error *err)
{
    if (len < 30)
        return kb_error_set(err, "WebP header cut short");
    const unsigned char *c = b + 12;
    if (memcmp(c, "VP8X", 4) == 0) {
        out->width = le24(b + 24) + 1;
        out->height = le24(b + 27) + 1;
    } else if (memcmp(c, "VP8L", 4) == 0) {
        if (b[20] != 0x2f)
            return kb_error_set(err, "WebP lossless header without its signature");
        unsigned bits =
            (unsigned)b[21] | (unsigned)b[22] << 8 | (unsigned)b[23] << 16 | (unsigned)b[24] << 24;
        out->width = (bits & 0x3fff) + 1;
        out->height = ((bits >> 14) & 0x3fff) + 1;
    } else if (memcmp(c, "VP8 ", 4) == 0) {
        if (b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a)
            return kb_error_set(err, "WebP lossy frame without its start code");
        out->width = le16(b + 26) & 0x3fff;
        out->height = le16(b + 28) & 0x3fff;
    } else {
        return kb_error_set(err, "WebP without a VP8, VP8L or VP8X chunk first");
    }
    return true;
}

bool kb_image_sniff(const void *buf, size_t len, struct kb_image_header *out, struct kb_error *err)
{
    const unsigned char *b = buf;
    memset(out, 0, sizeof(*out));
    bool ok;
    if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) {
        out->format = KB_IMAGE_PNG;
        ok = sniff_png(b, len, out, err);
    } else if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) {
        out->format = KB_IMAGE_JPEG;
        ok = sniff_jpeg(b, len, out, err);
    } else if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0) {
        out->format = KB_IMAGE_WEBP;
        ok = sniff_webp(b, len, out, err);
    } else {
        return kb_error_set(err, "not a PNG, JPEG or WebP picture");
    }
    if (ok && (out->width == 0 || out->height == 0))
        return kb_error_set(err, "%s of %ux%u pixels", kb_image_format_name(out->format),
                            out->width, out->height);
    return ok;
}

/* lim's bounds, never above the spool's. */
static size_t max_bytes_of(const struct kb_image_limits *lim)
{
    return lim && lim->max_bytes && lim->max_bytes < KB_IMAGE_FILE_MAX_BYTES
               ? lim->max_bytes
               : KB_IMAGE_FILE_MAX_BYTES;
}

static size_t max_pixels_of(const struct kb_image_limits *lim)
{
    return lim && lim->max_pixels && lim->max_pixels < KB_IMAGE_PIXELS_MAX ? lim->max_pixels
                                                                           : KB_IMAGE_PIXELS_MAX;
}

bool kb_image_check(const void *buf, size_t len, const char *name,
                    const struct kb_image_limits *lim, struct kb_image_header *hdr,
                    struct kb_error *err)
{
    size_t max_bytes = max_bytes_of(lim), max_pixels = max_pixels_of(lim);
    if (len > max_bytes)
        return kb_error_set(err, "%zu bytes, more than the limit of %zu", len, max_bytes);
    if (!kb_image_sniff(buf, len, hdr, err))
        return false;
    enum kb_image_format named = name != NULL ? kb_image_format_of_name(name) : hdr->format;
    if (hdr->format != named)
        return kb_error_set(err, "holds %s, but its name says %s",
                            kb_image_format_name(hdr->format), kb_image_format_name(named));
    unsigned long long px = (unsigned long long)hdr->width * hdr->height;
    if (hdr->width > KB_IMAGE_SIDE_MAX || hdr->height > KB_IMAGE_SIDE_MAX || px > max_pixels)
        return kb_error_set(err, "%ux%u pixels, more than the limit of %zu pixels (%d a side)",
                            hdr->width, hdr->height, max_pixels, KB_IMAGE_SIDE_MAX);
    return true;
}

enum kb_image_read kb_spool_image_read(const char *dir, const char *name,
                                       const struct kb_image_limits *lim, char **buf, size_t *len,
                                       struct kb_image_header *hdr, struct kb_error *err)
{
    char *where = kb_xasprintf("%s/" KB_SPOOL_IMAGES_DIR "/%s", dir, name);
    *buf = NULL;
    *len = 0;
    enum kb_image_read result = KB_IMAGE_READ_BAD;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int ifd =
        dfd >= 0 ? openat(dfd, KB_SPOOL_IMAGES_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                 : -1;
    if (ifd < 0) {
        kb_error_set(err, "%s: %s", where, strerror(errno));
        result = errno == EMFILE || errno == ENFILE ? KB_IMAGE_READ_BUSY : KB_IMAGE_READ_MISSING;
        goto out;
    }
    struct stat st;
    switch (kb_file_read(ifd, name, where, max_bytes_of(lim), buf, len, &st, err)) {
    case KB_READ_OK:
        break;
    case KB_READ_GONE:
        kb_error_set(err, "%s: no such picture", where);
        result = KB_IMAGE_READ_MISSING;
        goto out;
    case KB_READ_BUSY:
        result = KB_IMAGE_READ_BUSY;
        goto out;
    case KB_READ_NOT_REGULAR:
    case KB_READ_ERROR:
        goto out;
    }
    struct kb_error why;
    if (!kb_image_check(*buf, *len, name, lim, hdr, &why)) {
        kb_error_set(err, "%s: %s", where, why.msg);
        free(*buf);
        *buf = NULL;
        *len = 0;
        goto out;
    }
    result = KB_IMAGE_READ_OK;
out:
    if (ifd >= 0)
        close(ifd);
    if (dfd >= 0)
        close(dfd);
    free(where);
    return result;
}

bool kb_spool_image_reject(const char *dir, const char *name, const char *line,
                           struct kb_error *err)
{
    char *path = kb_xasprintf(KB_SPOOL_IMAGES_DIR "/%s", name);
    enum kb_spool_rejected r = kb_spool_reject(dir, "kabar", path, NULL, 0, line, err);
    free(path);
    return r != KB_SPOOL_REJECT_FAILED;
}

size_t kb_spool_images_sweep(const char *dir, bool (*in_use)(void *user, const char *name),
                             void *user, int64_t now_s, int64_t max_age_s)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int ifd =
        dfd >= 0 ? openat(dfd, KB_SPOOL_IMAGES_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                 : -1;
    if (dfd >= 0)
        close(dfd);
    DIR *d = ifd >= 0 ? fdopendir(ifd) : NULL;
    if (d == NULL) {
        if (ifd >= 0)
            close(ifd);
        return 0;
    }
    size_t removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            fstatat(ifd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode))
            continue;
        if (now_s - (int64_t)st.st_mtime <= max_age_s || in_use(user, e->d_name))
            continue;
        if (unlinkat(ifd, e->d_name, 0) == 0) {
            LOG_INFO("%s/" KB_SPOOL_IMAGES_DIR "/%s: removed, no item has named it for %llds", dir,
                     e->d_name, (long long)max_age_s);
            removed++;
        }
    }
    closedir(d);
    return removed;
}
