/* The queue of story slides between the two threads, and the relative
 * times they show. */
#include "app/slides.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xmalloc.h"

#define QUEUE_MAX 8

struct kb_storyq {
    pthread_mutex_t lock;
    struct kb_story *q[QUEUE_MAX];
    size_t n;
    int w, h, px;
};

struct kb_storyq *kb_storyq_new(void)
{
    struct kb_storyq *q = kb_xcalloc(1, sizeof(*q));
    pthread_mutex_init(&q->lock, NULL);
    return q;
}

static void drop_all(struct kb_storyq *q)
{
    for (size_t i = 0; i < q->n; i++)
        kb_story_free(q->q[i]);
    q->n = 0;
}

void kb_storyq_free(struct kb_storyq *q)
{
    if (q == NULL)
        return;
    drop_all(q);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

void kb_storyq_set_size(struct kb_storyq *q, int w, int h, int px)
{
    pthread_mutex_lock(&q->lock);
    if (w != q->w || h != q->h || px != q->px)
        drop_all(q);
    q->w = w;
    q->h = h;
    q->px = px;
    pthread_mutex_unlock(&q->lock);
}

struct kb_story *kb_storyq_take(struct kb_storyq *q)
{
    pthread_mutex_lock(&q->lock);
    struct kb_story *s = NULL;
    if (q->n > 0) {
        s = q->q[0];
        memmove(q->q, q->q + 1, (q->n - 1) * sizeof(q->q[0]));
        q->n--;
    }
    pthread_mutex_unlock(&q->lock);
    return s;
}

struct kb_story *kb_storyq_take_if(struct kb_storyq *q, bool want)
{
    pthread_mutex_lock(&q->lock);
    bool go = q->n > 0 && (want || q->q[0]->breaking);
    pthread_mutex_unlock(&q->lock);
    return go ? kb_storyq_take(q) : NULL;
}

bool kb_storyq_size(struct kb_storyq *q, int *w, int *h, int *px)
{
    pthread_mutex_lock(&q->lock);
    *w = q->w;
    *h = q->h;
    *px = q->px;
    pthread_mutex_unlock(&q->lock);
    return *w > 0 && *h > 0 && *px > 0;
}

bool kb_storyq_room(struct kb_storyq *q, size_t ahead, size_t pic_bytes, size_t budget)
{
    pthread_mutex_lock(&q->lock);
    size_t bytes = pic_bytes;
    for (size_t i = 0; i < q->n; i++)
        bytes += kb_picture_bytes(q->q[i]->picture);
    bool room = q->n < ahead && q->n < QUEUE_MAX && (bytes <= budget || q->n == 0);
    pthread_mutex_unlock(&q->lock);
    return room;
}

void kb_storyq_offer(struct kb_storyq *q, struct kb_story *s)
{
    pthread_mutex_lock(&q->lock);
    if (s->w != q->w || s->h != q->h) {
        kb_story_free(s); /* laid out for a size that is gone */
    } else if (s->breaking) {
        if (q->n == QUEUE_MAX)
            kb_story_free(q->q[--q->n]);
        memmove(q->q + 1, q->q, q->n * sizeof(q->q[0]));
        q->q[0] = s;
        q->n++;
    } else if (q->n < QUEUE_MAX) {
        q->q[q->n++] = s;
    } else {
        kb_story_free(s);
    }
    pthread_mutex_unlock(&q->lock);
}

void kb_storyq_remove(struct kb_storyq *q, const char *id)
{
    pthread_mutex_lock(&q->lock);
    size_t o = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->q[i]->id, id) == 0)
            kb_story_free(q->q[i]);
        else
            q->q[o++] = q->q[i];
    }
    q->n = o;
    pthread_mutex_unlock(&q->lock);
}

/* ---- relative time ---- */

struct ago {
    const char *lang;                   /* primary subtag */
    const char *now, *min, *hour, *day; /* %d is the count */
};

/* Short forms, as news sites in each language print them. */
static const struct ago agos[] = {
    {"en", "just now", "%d min ago", "%d h ago", "%d d ago"},
    {"fr", "à l’instant", "il y a %d min", "il y a %d h", "il y a %d j"},
    {"ar", "الآن", "منذ %d دقيقة", "منذ %d ساعة", "منذ %d يوم"},
    {"ja", "たった今", "%d分前", "%d時間前", "%d日前"},
    {"zh", "刚刚", "%d分钟前", "%d小时前", "%d天前"},
    {"id", "baru saja", "%d menit lalu", "%d jam lalu", "%d hari lalu"},
    {"ms", "baru sahaja", "%d minit lalu", "%d jam lalu", "%d hari lalu"},
    {"de", "gerade eben", "vor %d Min.", "vor %d Std.", "vor %d T."},
    {"es", "ahora", "hace %d min", "hace %d h", "hace %d d"},
    {"pt", "agora", "há %d min", "há %d h", "há %d d"},
    {"it", "adesso", "%d min fa", "%d h fa", "%d g fa"},
    {"nl", "zojuist", "%d min geleden", "%d uur geleden", "%d d geleden"},
    {"ru", "только что", "%d мин назад", "%d ч назад", "%d дн назад"},
    {"uk", "щойно", "%d хв тому", "%d год тому", "%d дн тому"},
    {"tr", "az önce", "%d dk önce", "%d sa önce", "%d gün önce"},
    {"fa", "همین حالا", "%d دقیقه پیش", "%d ساعت پیش", "%d روز پیش"},
    {"ur", "ابھی", "%d منٹ پہلے", "%d گھنٹے پہلے", "%d دن پہلے"},
    {"he", "עכשיו", "לפני %d דק׳", "לפני %d שע׳", "לפני %d ימים"},
    {"hi", "अभी", "%d मिनट पहले", "%d घंटे पहले", "%d दिन पहले"},
    {"ko", "방금", "%d분 전", "%d시간 전", "%d일 전"},
    {"th", "เมื่อสักครู่", "%d นาทีที่แล้ว", "%d ชม. ที่แล้ว", "%d วันที่แล้ว"},
    {"vi", "vừa xong", "%d phút trước", "%d giờ trước", "%d ngày trước"},
    {"sw", "sasa hivi", "dakika %d zilizopita", "saa %d zilizopita", "siku %d zilizopita"},
};

/* Where the count changes the words: Arabic's one, two, few (3-10) and
 * many (11-99) forms (CLDR's plural rules; the table's form is the
 * "other" one: 100, 101...), Hebrew's one and two days. NULL: the table's.
 * Unit 0 is minutes, 1 hours, 2 days. */
struct ago_forms {
    const char *lang;
    int unit;
    const char *one, *two, *few, *many;
};

static const struct ago_forms forms[] = {
    {"ar", 0, "منذ دقيقة", "منذ دقيقتين", "منذ %d دقائق", "منذ %d دقيقة"},
    {"ar", 1, "منذ ساعة", "منذ ساعتين", "منذ %d ساعات", "منذ %d ساعة"},
    {"ar", 2, "منذ يوم", "منذ يومين", "منذ %d أيام", "منذ %d يومًا"},
    {"he", 2, "לפני יום", "לפני יומיים", NULL, NULL},
};

static const char *form_for(const struct ago *a, int unit, long long v, const char *other)
{
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        const struct ago_forms *f = &forms[i];
        if (f->unit != unit || strcmp(f->lang, a->lang) != 0)
            continue;
        long long r = v % 100;
        const char *x = v == 1               ? f->one
                        : v == 2             ? f->two
                        : r >= 3 && r <= 10  ? f->few
                        : r >= 11 && r <= 99 ? f->many
                                             : NULL;
        return x != NULL ? x : other;
    }
    return other;
}

const char *kb_slide_ago(const char *lang, int64_t seconds, char *buf, size_t size)
{
    const struct ago *a = &agos[0];
    size_t n = strcspn(lang, "-_");
    for (size_t i = 0; i < sizeof(agos) / sizeof(agos[0]); i++) {
        if (strlen(agos[i].lang) == n && strncasecmp(agos[i].lang, lang, n) == 0)
            a = &agos[i];
    }
    if (seconds < 60) {
        snprintf(buf, size, "%s", a->now);
        return buf;
    }
    int unit = seconds < 3600 ? 0 : seconds < 86400 ? 1 : 2;
    long long v = seconds < 3600    ? seconds / 60
                  : seconds < 86400 ? seconds / 3600
                                    : seconds / 86400;
    const char *fmt = form_for(a, unit, v, unit == 0 ? a->min : unit == 1 ? a->hour : a->day);
    /* The formats are the tables' own, each with one %d or none (one, two). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(buf, size, fmt, (int)v);
#pragma GCC diagnostic pop
    return buf;
}
