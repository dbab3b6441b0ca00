#include "app/paths.h"

#include <stdlib.h>
#include <unistd.h>

#include "core/xmalloc.h"
#include "kabar_build.h"

char *kb_data_path(const char *rel)
{
    if (KABAR_SOURCE_DIR[0] != '\0') {
        char *p = kb_xasprintf("%s/%s", KABAR_SOURCE_DIR, rel);
        if (access(p, F_OK) == 0)
            return p;
        free(p);
    }
    return kb_xasprintf("%s/%s", KABAR_DATA_DIR, rel);
}
