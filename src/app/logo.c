#include "app/logo.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/paths.h"
#include "core/file.h"
#include "core/xmalloc.h"
#include "render/image.h"
#include "render/picture.h"
#include "spool/images.h"

struct kb_logo {
    struct kb_picture *pic; /* decoded once, at its own size */
    SDL_Texture *tex;
    int tex_w, tex_h;
};

/* The file the key names: an absolute path as it is (the operator chose
 * it), else a plain name in the assets folders, read without following a
 * symlink there. */
static bool read_logo(const char *key, char **buf, size_t *len, char **where, struct kb_error *err)
{
    if (key[0] == '/') {
        *where = kb_xstrdup(key);
        return kb_file_read_named(key, KB_LOGO_MAX_BYTES, buf, len, err);
    }
    if (!kb_image_name_ok(key)) {
        *where = kb_xstrdup(key);
        return kb_error_set(err,
                            "logo \"%s\": a PNG file name without a path (in /etc/kabar/assets/ "
                            "or kabar's assets/), or an absolute path",
                            key);
    }
    char *dirs[2] = {kb_xstrdup("/etc/kabar/assets"), kb_data_path("assets")};
    bool ok = false;
    *where = NULL;
    for (int i = 0; i < 2 && *where == NULL; i++) {
        int dfd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
            continue;
        struct stat st;
        /* The first folder that has the name decides, whatever it holds. */
        if (fstatat(dfd, key, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            *where = kb_xasprintf("%s/%s", dirs[i], key);
            ok =
                kb_file_read(dfd, key, *where, KB_LOGO_MAX_BYTES, buf, len, &st, err) == KB_READ_OK;
            if (!ok && err->msg[0] == '\0')
                kb_error_set(err, "%s: cannot read", *where);
        }
        close(dfd);
    }
    if (*where == NULL) {
        *where = kb_xstrdup(key);
        kb_error_set(err, "logo %s: not in /etc/kabar/assets/ or kabar's assets/", key);
    }
    free(dirs[0]);
    free(dirs[1]);
    return ok;
}

/* The length of a decoder's message without its closing full stop (the
 * line goes on after it). */
static size_t trimmed(const char *msg)
{
    size_t n = strlen(msg);
    return n > 0 && msg[n - 1] == '.' ? n - 1 : n;
}

struct kb_logo *kb_logo_load(const char *key, struct kb_error *err)
{
    char *buf = NULL, *where = NULL;
    size_t len = 0;
    memset(err, 0, sizeof(*err));
    if (!read_logo(key, &buf, &len, &where, err)) {
        free(where);
        free(buf);
        return NULL;
    }
    struct kb_image_header hdr;
    struct kb_error why;
    struct kb_picture *pic = NULL;
    if (!kb_image_sniff(buf, len, &hdr, &why))
        kb_error_set(err, "%s: %s", where, why.msg);
    else if (hdr.format != KB_IMAGE_PNG)
        kb_error_set(err, "%s: holds %s, but a logo is a PNG", where,
                     kb_image_format_name(hdr.format));
    else if (hdr.width > KB_LOGO_MAX_SIDE || hdr.height > KB_LOGO_MAX_SIDE)
        kb_error_set(err, "%s: %ux%u pixels, more than a logo's %d a side", where, hdr.width,
                     hdr.height, KB_LOGO_MAX_SIDE);
    else if ((pic = kb_picture_decode(buf, len, "PNG", (int)hdr.width, (int)hdr.height,
                                      (int)hdr.width, (int)hdr.height, &why)) == NULL)
        kb_error_set(err, "%s: %.*s", where, (int)trimmed(why.msg), why.msg);
    free(buf);
    free(where);
    if (pic == NULL)
        return NULL;
    struct kb_logo *logo = kb_xcalloc(1, sizeof(*logo));
    logo->pic = pic;
    return logo;
}

void kb_logo_drop_texture(struct kb_logo *logo)
{
    if (logo != NULL && logo->tex != NULL)
        SDL_DestroyTexture(logo->tex);
    if (logo != NULL)
        logo->tex = NULL;
}

void kb_logo_free(struct kb_logo *logo)
{
    if (logo == NULL)
        return;
    kb_logo_drop_texture(logo);
    kb_picture_free(logo->pic);
    free(logo);
}

void kb_logo_fit(const struct kb_logo *logo, int max_w, int max_h, int *w, int *h)
{
    int pw = logo->pic->w, ph = logo->pic->h;
    if ((long long)pw * max_h > (long long)ph * max_w) { /* wider than the box: its width */
        *w = max_w;
        *h = (int)((long long)ph * max_w / pw);
    } else {
        *h = max_h;
        *w = (int)((long long)pw * max_h / ph);
    }
    *w = *w < 1 ? 1 : *w;
    *h = *h < 1 ? 1 : *h;
}

SDL_Texture *kb_logo_texture(struct kb_logo *logo, SDL_Renderer *renderer, int w, int h)
{
    if (logo->tex != NULL && logo->tex_w == w && logo->tex_h == h)
        return logo->tex;
    kb_logo_drop_texture(logo);
    const struct kb_picture *p = logo->pic;
    SDL_Surface *src = SDL_CreateRGBSurfaceWithFormatFrom(p->argb, p->w, p->h, 32, p->w * 4,
                                                          SDL_PIXELFORMAT_ARGB8888);
    SDL_Surface *dst = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (src != NULL && dst != NULL && SDL_SoftStretchLinear(src, NULL, dst, NULL) == 0) {
        logo->tex = SDL_CreateTextureFromSurface(renderer, dst);
        if (logo->tex != NULL)
            SDL_SetTextureBlendMode(logo->tex, SDL_BLENDMODE_BLEND);
    }
    SDL_FreeSurface(src);
    SDL_FreeSurface(dst);
    logo->tex_w = w;
    logo->tex_h = h;
    return logo->tex;
}
