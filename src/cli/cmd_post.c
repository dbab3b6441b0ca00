/* `kabar post`: one item written into a spool atomically, or published to
 * a fleet over MQTT (or taken off it with --retract). The item is checked
 * exactly as the ticker checks a spool file before anything is written. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cmd.h"
#include "cli/usage.h"
#include "core/file.h"
#include "core/limits.h"
#include "core/xmalloc.h"
#include "fleet/expiry.h"
#include "fleet/mqtt.h"
#include "spool/images_put.h"
#include "spool/item.h"
#include "spool/put.h"
#include "spool/spool.h"

const char kb_cmd_post_usage[] =
    "usage: kabar post --spool DIR --id ID --lang TAG [--kind headline|quote] [--by NAME]\n"
    "                  [--source S] [--story S] [--translated-from TAG]\n"
    "                  [--priority normal|high|breaking] [--published T] [--expires T]\n"
    "                  [--dir auto|ltr|rtl] [--summary TEXT] [--image FILE [--credit C]] TEXT\n"
    "       kabar post --mqtt HOST [--port P] --group G [--cafile F] [--user U\n"
    "                  --password-file F] [--default-expiry S]\n"
    "                  (--id ID --lang TAG [fields] TEXT | --retract ID)\n"
    "\n"
    "Writes one item into the spool atomically (a hidden temp file, then rename) and prints\n"
    "its path. With --mqtt, publishes it instead (retained, QoS 1) to every screen of group G\n"
    "on kabar/G/items/ID and prints that topic; --retract ID takes it off them\n"
    "(docs/fleet.md). The broker forgets it when it expires: at --expires, or for an item\n"
    "without one, --default-expiry S seconds after now (default 604800, seven days;\n"
    "0: never), which is then written into the item as its expires.\n"
    "--image FILE (PNG, JPEG or WebP) is checked, copied into the spool's images/ under\n"
    "the hash of its bytes and named in the item (with --mqtt, published first, retained,\n"
    "on kabar/G/images/NAME); --summary and --credit fill the story slide's fields.\n";

/* What the flags say; the strings are argv's. */
struct post_args {
    const char *spool, *mqtt, *group, *retract;
    const char *image_path; /* --image FILE */
    char *image;            /* its bytes, once read and checked (owned) */
    size_t image_len;
    char image_name[KB_IMAGE_HASH_NAME_SIZE];
    struct kb_mqtt_auth auth;
    int port;
    json_t *obj; /* the item's fields (owned) */
};

/* Reads the flags into a. Returns -1 to go on, else the exit status. */
static int parse_post(int argc, char **argv, struct post_args *a)
{
    static const struct option opts[] = {{"spool", required_argument, 0, 's'},
                                         {"id", required_argument, 0, 'i'},
                                         {"lang", required_argument, 0, 'l'},
                                         {"kind", required_argument, 0, 'k'},
                                         {"by", required_argument, 0, 'b'},
                                         {"source", required_argument, 0, 'o'},
                                         {"story", required_argument, 0, 't'},
                                         {"translated-from", required_argument, 0, 'f'},
                                         {"priority", required_argument, 0, 'p'},
                                         {"published", required_argument, 0, 'P'},
                                         {"expires", required_argument, 0, 'e'},
                                         {"dir", required_argument, 0, 'd'},
                                         {"mqtt", required_argument, 0, 'M'},
                                         {"port", required_argument, 0, 'N'},
                                         {"group", required_argument, 0, 'G'},
                                         {"retract", required_argument, 0, 'R'},
                                         {"cafile", required_argument, 0, 'C'},
                                         {"user", required_argument, 0, 'U'},
                                         {"password-file", required_argument, 0, 'W'},
                                         {"default-expiry", required_argument, 0, 'X'},
                                         {"summary", required_argument, 0, 'S'},
                                         {"credit", required_argument, 0, 'c'},
                                         {"image", required_argument, 0, 'I'},
                                         {0, 0, 0, 0}};
    static const char *const fields[128] = {['i'] = "id",
                                            ['l'] = "lang",
                                            ['k'] = "kind",
                                            ['b'] = "by",
                                            ['o'] = "source",
                                            ['t'] = "story",
                                            ['f'] = "translated_from",
                                            ['p'] = "priority",
                                            ['P'] = "published",
                                            ['e'] = "expires",
                                            ['d'] = "dir",
                                            ['S'] = "summary",
                                            ['c'] = "credit"};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 's') {
            a->spool = optarg;
        } else if (c == 'M') {
            a->mqtt = optarg;
        } else if (c == 'N') {
            char *end;
            long p = strtol(optarg, &end, 10);
            if (*end != '\0' || p < 1 || p > 65535) {
                fprintf(stderr, "kabar: --port %s: expected 1 to 65535\n", optarg);
                return 1;
            }
            a->port = (int)p;
        } else if (c == 'G') {
            a->group = optarg;
        } else if (c == 'R') {
            a->retract = optarg;
        } else if (c == 'I') {
            a->image_path = optarg;
        } else if (c == 'C') {
            a->auth.cafile = optarg;
        } else if (c == 'U') {
            a->auth.user = optarg;
        } else if (c == 'W') {
            a->auth.password_file = optarg;
        } else if (c == 'X') {
            char *end;
            long long s = strtoll(optarg, &end, 10);
            if (*end != '\0' || s < 0 || s > 10LL * 366 * 86400) {
                fprintf(stderr, "kabar: --default-expiry %s: expected seconds, 0 to 316224000\n",
                        optarg);
                return 1;
            }
            kb_mqtt_set_default_expiry((int64_t)s);
        } else if (c > 0 && c < 128 && fields[c] != NULL) {
            json_object_set_new(a->obj, fields[c], json_string(optarg));
        } else {
            fputs(kb_cmd_post_usage, stderr);
            return 2;
        }
    }
    return -1;
}

/* --mqtt HOST --group G --retract ID. */
static int post_retract(int argc, const struct post_args *a)
{
    if (optind != argc || json_object_size(a->obj) != 0 || a->image_path != NULL)
        return kb_usage_error(kb_cmd_post_usage, "%s", "--retract ID takes no fields and no TEXT");
    struct kb_error err;
    if (!kb_mqtt_retract_item(a->mqtt, a->port, a->group, a->retract, &a->auth, &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    printf("kabar/%s/items/%s\n", a->group, a->retract);
    return 0;
}

/* Sends or writes the checked item; its JSON is payload. */
static int post_item(const struct post_args *a, const struct kb_item *item, const char *payload)
{
    struct kb_error err;
    /* The picture goes first: a screen that gets the item has it already. */
    if (a->image != NULL && a->mqtt != NULL &&
        !kb_mqtt_publish_image(a->mqtt, a->port, a->group, a->image_name, a->image, a->image_len,
                               payload, &a->auth, &err)) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    if (a->image != NULL && a->mqtt == NULL &&
        kb_spool_image_put(a->spool, "post", a->image_name, a->image, a->image_len, &err) ==
            KB_IMAGE_PUT_FAILED) {
        fprintf(stderr, "kabar: %s\n", err.msg);
        return 1;
    }
    if (a->mqtt != NULL) {
        if (!kb_mqtt_publish_item(a->mqtt, a->port, a->group, payload, &a->auth, &err)) {
            fprintf(stderr, "kabar: %s\n", err.msg);
            return 1;
        }
        printf("kabar/%s/items/%s\n", a->group, item->id);
        return 0;
    }
    /* An id may start with "." but a file that does is never read: prefix it. */
    char *name = kb_xasprintf("%s%s.json", item->id[0] == '.' ? "item-" : "", item->id);
    int status = 1;
    if (kb_spool_put(a->spool, "post", name, payload, strlen(payload), &err) ==
        KB_SPOOL_PUT_FAILED) {
        fprintf(stderr, "kabar: %s\n", err.msg);
    } else {
        printf("%s/%s\n", a->spool, name);
        status = 0;
    }
    free(name);
    return status;
}

/* Reads and checks --image FILE and names it in the item. */
static bool read_image(struct post_args *a)
{
    struct kb_error err;
    /* One byte over the limit, so "too big" says so in kb_image_check's words. */
    if (!kb_file_read_named(a->image_path, KB_IMAGE_FILE_MAX_BYTES + 1, &a->image, &a->image_len,
                            &err)) {
        fprintf(stderr, "kabar: --image %s\n", err.msg);
        return false;
    }
    struct kb_image_header hdr;
    if (!kb_image_check(a->image, a->image_len, NULL, NULL, &hdr, &err)) {
        fprintf(stderr, "kabar: --image %s: %s\n", a->image_path, err.msg);
        return false;
    }
    kb_image_hash_name(a->image, a->image_len, hdr.format, a->image_name);
    json_object_set_new(a->obj, "image", json_string(a->image_name));
    return true;
}

/* One item from the fields and TEXT, checked, then posted. */
static int post_text(struct post_args *a, const char *text_arg)
{
    if (a->image_path != NULL && !read_image(a))
        return 1;
    json_t *text = json_string(text_arg);
    if (text == NULL) {
        fprintf(stderr, "kabar: TEXT: invalid UTF-8\n");
        return 1;
    }
    json_object_set_new(a->obj, "text", text);
    struct kb_error err;
    char *unknown = NULL;
    struct kb_item *item =
        kb_item_from_json(a->obj, "kabar post", (int64_t)time(NULL), &err, &unknown);
    free(unknown);
    if (item == NULL) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    char *payload = json_dumps(a->obj, JSON_INDENT(2));
    int status = post_item(a, item, payload);
    free(payload);
    kb_item_free(item);
    return status;
}

static int check_and_post(int argc, char **argv, struct post_args *a)
{
    int status = parse_post(argc, argv, a);
    if (status >= 0)
        return status;
    if (a->mqtt != NULL && (a->spool != NULL || a->group == NULL))
        return kb_usage_error(kb_cmd_post_usage, "%s",
                              "--mqtt HOST needs --group G, and no --spool");
    if (a->mqtt != NULL && a->retract != NULL)
        return post_retract(argc, a);
    if ((a->spool == NULL && a->mqtt == NULL) || a->retract != NULL || optind != argc - 1)
        return kb_usage_error(
            kb_cmd_post_usage, "%s",
            "expected --spool DIR (or --mqtt HOST --group G) and one TEXT argument");
    return post_text(a, argv[optind]);
}

int kb_cmd_post(int argc, char **argv)
{
    struct post_args a;
    memset(&a, 0, sizeof(a));
    a.obj = json_object();
    int status = check_and_post(argc, argv, &a);
    json_decref(a.obj);
    free(a.image);
    return status;
}
