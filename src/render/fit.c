#include "render/fit.h"

#include <math.h>

int kb_fit_margin(int h)
{
    int m = h / 20;
    return m < 2 ? 2 : m;
}

int kb_fit_baseline(int y, int h, int preferred, double top, double bottom)
{
    int m = kb_fit_margin(h);
    int lo = y + m + (int)ceil(top);        /* the highest baseline the top allows */
    int hi = y + h - m - (int)ceil(bottom); /* the lowest the bottom allows */
    if (lo > hi)
        return (int)lround(y + h / 2.0 + (top - bottom) / 2.0);
    return preferred < lo ? lo : preferred > hi ? hi : preferred;
}

int kb_fit_need(double top, double bottom)
{
    int ink = (int)ceil(top) + (int)ceil(bottom);
    /* The smallest h with h - 2 * kb_fit_margin(h) >= ink. */
    int h = ink + 4;
    while (h - 2 * kb_fit_margin(h) < ink)
        h++;
    return h;
}

double kb_fit_scale(int h, double top, double bottom)
{
    double ink = ceil(top) + ceil(bottom);
    double room = h - 2 * kb_fit_margin(h);
    if (ink <= room || ink <= 0)
        return 1.0;
    return room > 0 ? room / ink : 0.0;
}
