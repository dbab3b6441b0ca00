/* `kabar shape` (the laid-out line, as text or JSON) and `kabar fonts`
 * (which font each character falls to): the same flags and the same fonts,
 * two reports. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/usage.h"
#include "core/utf8.h"
#include "spool/item.h"
#include "text/fonts.h"
#include "text/line.h"

const char kb_cmd_shape_usage[] =
    "usage: kabar shape [--lang TAG] [--dir auto|ltr|rtl] [--px N] [--json] [--fonts FILE] TEXT\n"
    "\n"
    "Lays TEXT out as the ticker would and prints the runs (visual order) and glyphs.\n"
    "--json prints the stable form documented in docs/cli.md.\n";

const char kb_cmd_fonts_usage[] =
    "usage: kabar fonts [--lang TAG] [--fonts FILE] TEXT\n"
    "\n"
    "Says which font each character of TEXT falls to, and names any character no font covers\n"
    "(exit 1 then).\n";

struct shape_args {
    const char *text, *lang, *chain;
    enum kb_dir dir;
    int px;
    bool json;
};

/* Returns -1 to go on, else the exit status. */
static int parse_shape(int argc, char **argv, bool fonts_only, struct shape_args *a)
{
    static const struct option opts[] = {
        {"lang", required_argument, 0, 'l'},  {"dir", required_argument, 0, 'd'},
        {"px", required_argument, 0, 'p'},    {"json", no_argument, 0, 'j'},
        {"fonts", required_argument, 0, 'f'}, {0, 0, 0, 0}};
    const char *usage = fonts_only ? kb_cmd_fonts_usage : kb_cmd_shape_usage;
    *a = (struct shape_args){NULL, "und", NULL, KB_DIR_AUTO, 64, false};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'l':
            a->lang = optarg;
            break;
        case 'f':
            a->chain = optarg;
            break;
        case 'j':
            a->json = true;
            break;
        case 'd':
            if (fonts_only || !kb_dir_parse(optarg, &a->dir))
                return kb_usage_error(usage, "--dir %s: expected auto, ltr or rtl", optarg);
            break;
        case 'p':
            a->px = (int)strtol(optarg, &end, 10);
            if (fonts_only || *end != '\0' || a->px < 4 || a->px > 1000)
                return kb_usage_error(usage, "--px %s: expected 4 to 1000", optarg);
            break;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind != argc - 1)
        return kb_usage_error(usage, "%s", "expected one TEXT argument");
    a->text = argv[optind];
    size_t bad;
    if (!kb_utf8_validate(a->text, strlen(a->text), &bad)) {
        fprintf(stderr, "kabar: TEXT: invalid UTF-8 at byte %zu\n", bad);
        return 1;
    }
    if (!kb_lang_tag_valid(a->lang)) {
        fprintf(stderr, "kabar: --lang: \"%s\" is not a BCP 47 language tag\n", a->lang);
        return 1;
    }
    return -1;
}

/* Prints the line as text or JSON; returns the exit status. */
static int print_line(struct kb_faces *faces, struct kb_fonts *fonts, const struct shape_args *a)
{
    struct kb_error err;
    struct kb_line *line =
        kb_line_layout(faces, a->text, strlen(a->text), a->lang, a->dir, a->px, &err);
    if (line == NULL) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    char *out = a->json ? kb_line_to_json(line, fonts) : kb_line_to_text(line, fonts);
    fputs(out, stdout);
    if (out[0] && out[strlen(out) - 1] != '\n')
        fputc('\n', stdout);
    free(out);
    kb_line_unref(line);
    return 0;
}

static int shape_or_fonts(int argc, char **argv, bool fonts_only)
{
    struct shape_args a;
    int status = parse_shape(argc, argv, fonts_only, &a);
    if (status >= 0)
        return status;
    struct kb_error err;
    struct kb_fonts *fonts = kb_fonts_new(a.chain ? a.chain : kb_fonts_default_chain(), &err);
    if (fonts == NULL) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    struct kb_faces *faces = kb_faces_new(fonts);
    if (fonts_only) {
        size_t uncovered = 0;
        char *report = kb_fonts_report(faces, a.text, strlen(a.text), a.lang, &uncovered);
        fputs(report, stdout);
        free(report);
        status = uncovered > 0 ? 1 : 0;
    } else {
        status = print_line(faces, fonts, &a);
    }
    kb_faces_free(faces);
    kb_fonts_free(fonts);
    return status;
}

int kb_cmd_shape(int argc, char **argv)
{
    return shape_or_fonts(argc, argv, false);
}

int kb_cmd_fonts(int argc, char **argv)
{
    return shape_or_fonts(argc, argv, true);
}
