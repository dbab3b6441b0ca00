#include "fleet/conn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MODULE "mqtt"
#include "core/file.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "spool/item.h"

bool kb_mqtt_name_valid(const char *name)
{
    return name != NULL && name[0] != '.' && kb_id_valid(name);
}

int kb_mqtt_port_or_default(int port, const struct kb_mqtt_auth *auth)
{
    if (port > 0)
        return port;
    return auth != NULL && auth->cafile != NULL ? KB_MQTT_TLS_PORT : KB_MQTT_PORT;
}

char *kb_mqtt_items_topic(const char *group, const char *id)
{
    return kb_xasprintf("kabar/%s/items/%s", group, id != NULL ? id : "+");
}

char *kb_mqtt_images_topic(const char *group, const char *name)
{
    return kb_xasprintf("kabar/%s/images/%s", group, name != NULL ? name : "+");
}

char *kb_mqtt_status_topic(const char *group, const char *screen)
{
    return kb_xasprintf("kabar/%s/status/%s", group, screen);
}

bool kb_mqtt_read_password(const char *path, char **password, struct kb_error *err)
{
    *password = NULL;
    char *buf = NULL;
    size_t n = 0;
    struct stat st;
    struct kb_error rerr;
    /* One byte past the bound, so "longer than" is told from "exactly". */
    enum kb_read_result r =
        kb_file_read(AT_FDCWD, path, path, KB_MQTT_PASSWORD_MAX + 1, &buf, &n, &st, &rerr);
    if (r == KB_READ_GONE)
        return kb_error_set(err, "%s: %s", path, strerror(ENOENT));
    if (r == KB_READ_NOT_REGULAR)
        return kb_error_set(err, "%s: not a regular file", path);
    if (r != KB_READ_OK && S_ISREG(st.st_mode) && (size_t)st.st_size > KB_MQTT_PASSWORD_MAX + 1)
        return kb_error_set(err, "%s: longer than %d bytes: not a password file", path,
                            KB_MQTT_PASSWORD_MAX);
    if (r != KB_READ_OK)
        return kb_error_set(err, "%s", rerr.msg);
    /* A password readable by everyone on the screen is not much of one,
     * but refusing would take a screen off the air over a chmod. */
    if (st.st_mode & 077)
        LOG_WARN_ONCE(path, "%s: readable by other users; chmod 600 it", path);
    size_t len = strcspn(buf, "\r\n");
    bool ok = false;
    if (len > KB_MQTT_PASSWORD_MAX)
        kb_error_set(err, "%s: longer than %d bytes: not a password file", path,
                     KB_MQTT_PASSWORD_MAX);
    else if (len == 0)
        kb_error_set(err, "%s: empty: the password is its first line", path);
    else
        ok = (*password = kb_xstrndup(buf, len)) != NULL;
    memset(buf, 0, n);
    free(buf);
    return ok;
}

bool kb_mqtt_apply_auth(struct mosquitto *mosq, const struct kb_mqtt_auth *auth,
                        struct kb_error *err)
{
    if (auth == NULL)
        return true;
    if (auth->cafile != NULL) {
        /* libmosquitto checks the file can be opened; the handshake checks
         * the broker's certificate and host name against it. */
        int rc = mosquitto_tls_set(mosq, auth->cafile, NULL, NULL, NULL, NULL);
        if (rc != MOSQ_ERR_SUCCESS)
            return kb_error_set(err, "%s: cannot use as a CA file: %s", auth->cafile,
                                rc == MOSQ_ERR_INVAL ? "cannot read it" : kb_mqtt_strerror(rc));
    }
    if (auth->password_file != NULL && auth->user == NULL)
        return kb_error_set(err, "a password file needs a user name (--user)");
    if (auth->user == NULL)
        return true;
    char *password = NULL;
    if (auth->password_file != NULL && !kb_mqtt_read_password(auth->password_file, &password, err))
        return false;
    int rc = mosquitto_username_pw_set(mosq, auth->user, password);
    if (password != NULL) {
        memset(password, 0, strlen(password));
        free(password);
    }
    if (rc != MOSQ_ERR_SUCCESS)
        return kb_error_set(err, "user \"%s\": %s", auth->user, kb_mqtt_strerror(rc));
    return true;
}

const char *kb_mqtt_strerror(int rc)
{
    if (rc == MOSQ_ERR_ERRNO)
        return strerror(errno);
    return mosquitto_strerror(rc);
}
