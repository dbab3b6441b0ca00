/* SHA-256 (FIPS 180-4), for naming pictures by their content: two feeds,
 * a post and a fleet that carry one photo store it once, and a hostile
 * feed cannot make another's picture name hold its own bytes (a 64-bit
 * non-cryptographic hash could be collided on purpose). Pure, no state
 * beyond the context. */
#ifndef KB_CORE_SHA256_H
#define KB_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct kb_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t fill;
};

void kb_sha256_init(struct kb_sha256 *c);
void kb_sha256_add(struct kb_sha256 *c, const void *data, size_t len);
void kb_sha256_done(struct kb_sha256 *c, unsigned char out[32]);

/* The digest of data[0..len) as 64 lower-case hex digits and a NUL. */
void kb_sha256_hex(const void *data, size_t len, char out[65]);

#endif
