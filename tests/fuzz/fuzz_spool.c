/* libFuzzer harness: the spool's parser and validator on random bytes.
 *
 * The input is one spool file. kb_spool_validate_buffer runs it through
 * exactly what the ingest thread does to a file it has read: the prescan
 * (UTF-8, BOM, nesting), jansson, the item rules, text hygiene, bundles.
 * Whatever it says, it must not crash, leak or overrun; a valid verdict
 * must also survive a second look (same count twice). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "spool/spool.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    kb_log_set_level(KB_LOG_QUIET);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The ingest thread reads a file into a NUL-terminated buffer; make a
     * copy with no slack either side so ASan sees any overrun. */
    char *buf = malloc(size + 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    struct kb_error err;
    kb_error_clear(&err);
    int n = kb_spool_validate_buffer(buf, size, "fuzz.json", 1700000000, &err);
    if (n < 0) {
        /* Every rejection says why, in one line. */
        if (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)
            abort();
    } else {
        struct kb_error again;
        kb_error_clear(&again);
        if (kb_spool_validate_buffer(buf, size, "fuzz.json", 1700000000, &again) != n)
            abort();
    }
    free(buf);
    kb_log_forget("fuzz.json");
    return 0;
}
