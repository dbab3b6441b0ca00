/* The picture of a story slide, decoded and scaled off the render thread
 * (the ingest thread decodes; the render thread only uploads). No SDL in
 * this header, so the ingest thread stays free of it (render/seg.h says
 * why). The bytes come already checked by spool/images.h: size, pixels
 * and format read from the header before this decodes anything. */
#ifndef KB_RENDER_PICTURE_H
#define KB_RENDER_PICTURE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Pixels in ARGB8888 (straight alpha), row by row, w * h of them. Owned by
 * whoever holds the struct; freed with kb_picture_free. */
struct kb_picture {
    int w, h;
    uint32_t *argb;
};

/* Decodes buf (len bytes) as type ("PNG", "JPG" or "WEBP": never guessed,
 * so a file cannot pick another decoder) whose header claimed w x h, and
 * scales it to cover box_w x box_h, cropped around its centre. NULL, with
 * err set to the reason, if it cannot be decoded, is not the size its
 * header claimed, or the box is empty. Safe from any thread. */
struct kb_picture *kb_picture_decode(const void *buf, size_t len, const char *type, int w, int h,
                                     int box_w, int box_h, struct kb_error *err);
void kb_picture_free(struct kb_picture *p);
/* Call at the end of a thread that decoded: SDL keeps its error text per
 * thread and frees it only for threads it started. */
void kb_picture_thread_end(void);
/* Bytes of pixels it holds. */
size_t kb_picture_bytes(const struct kb_picture *p);

#endif
