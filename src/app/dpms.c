#include "app/dpms.h"

#include <SDL_syswm.h>
#include <libdrm/drm.h> /* libdrm-dev, which libsdl2-dev depends on */
#include <libdrm/drm_mode.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#define LOG_MODULE "screen"
#include "core/log.h"

/* The kernel's DRM ioctls, without libdrm: find each connected connector's
 * "DPMS" property and set it. SDL holds the DRM master on this file
 * descriptor, which setting a property needs. */
static int ioctl_retry(int fd, unsigned long req, void *arg)
{
    int rc;
    do {
        rc = ioctl(fd, req, arg);
    } while (rc == -1 && (errno == EINTR || errno == EAGAIN));
    return rc;
}

static uint32_t dpms_prop(int fd, uint32_t connector)
{
    uint32_t props[64];
    uint64_t values[64];
    struct drm_mode_obj_get_properties gp = {.obj_id = connector,
                                             .obj_type = DRM_MODE_OBJECT_CONNECTOR};
    if (ioctl_retry(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &gp) != 0 || gp.count_props > 64)
        return 0;
    gp.props_ptr = (uint64_t)(uintptr_t)props;
    gp.prop_values_ptr = (uint64_t)(uintptr_t)values;
    if (ioctl_retry(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &gp) != 0)
        return 0;
    for (uint32_t i = 0; i < gp.count_props; i++) {
        struct drm_mode_get_property p = {.prop_id = props[i]};
        if (ioctl_retry(fd, DRM_IOCTL_MODE_GETPROPERTY, &p) == 0 && strcmp(p.name, "DPMS") == 0)
            return props[i];
    }
    return 0;
}

void kb_dpms_set(struct kb_screen *s, bool on)
{
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (s->window == NULL || !SDL_GetWindowWMInfo(s->window, &info) ||
        info.subsystem != SDL_SYSWM_KMSDRM)
        return;
    int fd = info.info.kmsdrm.drm_fd;
    uint32_t conns[16];
    struct drm_mode_card_res res = {0};
    if (ioctl_retry(fd, DRM_IOCTL_MODE_GETRESOURCES, &res) != 0 || res.count_connectors > 16) {
        LOG_WARN("DPMS: cannot list the display's connectors: %s", strerror(errno));
        return;
    }
    struct drm_mode_card_res res2 = {.connector_id_ptr = (uint64_t)(uintptr_t)conns,
                                     .count_connectors = res.count_connectors};
    if (ioctl_retry(fd, DRM_IOCTL_MODE_GETRESOURCES, &res2) != 0)
        return;
    int done = 0;
    for (uint32_t i = 0; i < res.count_connectors; i++) {
        struct drm_mode_get_connector c = {.connector_id = conns[i]};
        if (ioctl_retry(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c) != 0 || c.connection != 1)
            continue;
        uint32_t prop = dpms_prop(fd, conns[i]);
        struct drm_mode_connector_set_property sp = {.value =
                                                         on ? DRM_MODE_DPMS_ON : DRM_MODE_DPMS_OFF,
                                                     .prop_id = prop,
                                                     .connector_id = conns[i]};
        if (prop != 0 && ioctl_retry(fd, DRM_IOCTL_MODE_SETPROPERTY, &sp) == 0)
            done++;
        else
            LOG_WARN("DPMS: connector %u: %s", conns[i], prop ? strerror(errno) : "no DPMS");
    }
    if (done > 0)
        LOG_INFO("DPMS: display %s", on ? "on" : "off");
}
