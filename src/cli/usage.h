/* The command line's usage errors, alike in every subcommand. */
#ifndef KB_CLI_USAGE_H
#define KB_CLI_USAGE_H

/* Prints "kabar: MESSAGE" and the usage (a static string, borrowed) to
 * stderr; returns 2, the exit status of a usage error. */
int kb_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
