/* `kabar validate`: spool files checked as the ticker would check them. */
#include <stdio.h>

#include "cli/cmd.h"
#include "cli/usage.h"
#include "spool/spool.h"

const char kb_cmd_validate_usage[] =
    "usage: kabar validate FILE...\n"
    "\n"
    "Checks each spool file as the ticker would and prints one line per file; exits 1 if any\n"
    "is invalid.\n";

int kb_cmd_validate(int argc, char **argv)
{
    if (argc < 2)
        return kb_usage_error(kb_cmd_validate_usage, "%s", "expected at least one FILE");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct kb_error err;
        int n = kb_spool_validate_file(argv[i], &err);
        if (n < 0) {
            printf("%s\n", err.msg);
            status = 1;
        } else {
            printf("%s: ok, %d item%s\n", argv[i], n, n == 1 ? "" : "s");
        }
    }
    return status;
}
