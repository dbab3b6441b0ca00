/* `kabar validate`: spool files checked as the ticker would check them,
 * and the pictures their items name (spool v1.1) as the ticker would check
 * and decode them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/usage.h"
#include "core/xmalloc.h"
#include "render/picture.h"
#include "spool/file_images.h"
#include "spool/images.h"
#include "spool/spool.h"

const char kb_cmd_validate_usage[] =
    "usage: kabar validate FILE...\n"
    "\n"
    "Checks each spool file as the ticker would, and the picture each of its items names\n"
    "(in images/ beside the file: there, a regular file within the size and pixel limits,\n"
    "of the format its name says, that decodes), and prints one line per file; exits 1 if\n"
    "any file or picture is invalid.\n";

/* The picture a decoder is asked for: never guessed from the bytes. */
static const char *decoder_type(enum kb_image_format f)
{
    return f == KB_IMAGE_PNG ? "PNG" : f == KB_IMAGE_JPEG ? "JPG" : "WEBP";
}

/* Checks dir/images/name as the ticker does before showing it (the lines
 * are the ticker's). False, with err set, if it would not be shown. */
static bool check_picture(const char *dir, const char *name, struct kb_error *err)
{
    char *buf;
    size_t len;
    struct kb_image_header hdr;
    if (kb_spool_image_read(dir, name, NULL, &buf, &len, &hdr, err) != KB_IMAGE_READ_OK)
        return false;
    struct kb_error derr;
    /* A small box: the whole picture is decoded, then scaled down. */
    struct kb_picture *p = kb_picture_decode(buf, len, decoder_type(hdr.format), (int)hdr.width,
                                             (int)hdr.height, 16, 16, &derr);
    free(buf);
    if (p == NULL)
        return kb_error_set(err, "%s/" KB_SPOOL_IMAGES_DIR "/%s: %s", dir, name, derr.msg);
    kb_picture_free(p);
    return true;
}

/* The file's pictures: how many, or -1 with err set to the first bad one. */
static int check_pictures(const char *path, struct kb_error *err)
{
    char **names;
    size_t n;
    if (!kb_spool_file_images(path, &names, &n, err))
        return -1;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? kb_xasprintf("%.*s", (int)(slash - path), path) : kb_xstrdup(".");
    if (dir[0] == '\0') { /* "/x.json" */
        free(dir);
        dir = kb_xstrdup("/");
    }
    int good = 0;
    for (size_t i = 0; i < n; i++) {
        if (good >= 0)
            good = check_picture(dir, names[i], err) ? good + 1 : -1;
        free(names[i]);
    }
    free(names);
    free(dir);
    return good;
}

int kb_cmd_validate(int argc, char **argv)
{
    if (argc < 2)
        return kb_usage_error(kb_cmd_validate_usage, "%s", "expected at least one FILE");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct kb_error err;
        int n = kb_spool_validate_file(argv[i], &err);
        int pics = n < 0 ? -1 : check_pictures(argv[i], &err);
        if (n < 0 || pics < 0) {
            printf("%s\n", err.msg);
            status = 1;
        } else if (pics > 0) {
            printf("%s: ok, %d item%s, %d picture%s\n", argv[i], n, n == 1 ? "" : "s", pics,
                   pics == 1 ? "" : "s");
        } else {
            printf("%s: ok, %d item%s\n", argv[i], n, n == 1 ? "" : "s");
        }
    }
    kb_picture_thread_end();
    return status;
}
