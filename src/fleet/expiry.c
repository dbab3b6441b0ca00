#include "fleet/expiry.h"

#include "core/date.h"

static int64_t default_expiry_s = KB_MQTT_DEFAULT_EXPIRY_S;

void kb_mqtt_set_default_expiry(int64_t seconds)
{
    default_expiry_s = seconds > 0 ? seconds : 0;
}

int64_t kb_mqtt_default_expiry(void)
{
    return default_expiry_s;
}

uint32_t kb_mqtt_item_expiry(json_t *root, int64_t now, bool *changed)
{
    *changed = false;
    int64_t expires = 0;
    const char *text = json_string_value(json_object_get(root, "expires"));
    /* The item was validated: a string here is a valid RFC 3339 time. */
    if (text == NULL || !kb_date_parse_rfc3339(text, &expires)) {
        if (default_expiry_s == 0)
            return 0;
        expires = now + default_expiry_s;
        char when[KB_DATE_RFC3339_SIZE];
        kb_date_format_rfc3339(expires, when);
        json_object_set_new(root, "expires", json_string(when));
        *changed = true;
    }
    int64_t left = expires - now;
    if (left < 1)
        return 1; /* already over: the broker drops it at once, screens never show it */
    return left > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}
