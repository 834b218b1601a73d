/* SPDX-License-Identifier: MIT */
/* clock.c: virtual time in realtime or instruction-count mode, and a sorted timer list. */
#include <stdlib.h>
#include <time.h>
#include "machine/clock.h"

struct timer {
    struct clock *clock;
    timer_cb cb;
    void *opaque;
    int64_t deadline;
    bool pending;
    struct timer *next;     /* pending list, sorted by deadline */
};

struct clock {
    enum clock_mode mode;
    unsigned shift;
    int64_t icount_ns;          /* icount: current time */
    int64_t host_start;         /* realtime: host ns of virtual 0 (shifted by pauses) */
    int64_t paused_at;          /* realtime: virtual time when paused */
    int64_t paused_lag;         /* realtime: lag when paused (kept across the pause) */
    clock_host_fn host_fn;      /* realtime: host time source (NULL: CLOCK_MONOTONIC) */
    void *host_opaque;
    int64_t step_max;           /* catch-up: largest advance per slice (0: off) */
    int64_t ratio;              /* catch-up: largest speed relative to host time */
    int64_t slice_host;         /* catch-up: host time and clock at the slice's start */
    int64_t slice_v;
    int64_t limit;              /* catch-up: the slice's limit */
    unsigned pause_depth;
    int64_t last;               /* last value returned (monotonic guard) */
    int64_t wall_base;
    struct timer *head;
    clock_deadline_fn deadline_hook;
    void *deadline_opaque;
    bool running_timers;
};

static int64_t host_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * CLOCK_NS_PER_SEC + ts.tv_nsec;
}

static int64_t host_now(const struct clock *c)
{
    return c->host_fn ? c->host_fn(c->host_opaque) : host_ns(CLOCK_MONOTONIC);
}

static int64_t sat_add(int64_t a, int64_t b)
{
    return b > 0 && a > INT64_MAX - b ? INT64_MAX : a + b;
}

struct clock *clock_new_realtime_src(clock_host_fn fn, void *opaque)
{
    struct clock *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->mode = CLOCK_MODE_REALTIME;
    c->host_fn = fn;
    c->host_opaque = opaque;
    c->host_start = host_now(c);
    c->wall_base = host_ns(CLOCK_REALTIME);
    return c;
}

struct clock *clock_new_realtime(void) { return clock_new_realtime_src(NULL, NULL); }

struct clock *clock_new_icount(unsigned shift)
{
    if (shift > 30)
        return NULL;
    struct clock *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->mode = CLOCK_MODE_ICOUNT;
    c->shift = shift;
    c->wall_base = 946684800ll * CLOCK_NS_PER_SEC;     /* 2000-01-01T00:00:00Z */
    return c;
}

void clock_free(struct clock *c) { free(c); }
enum clock_mode clock_mode(const struct clock *c) { return c->mode; }
unsigned clock_icount_shift(const struct clock *c) { return c->shift; }

/* Realtime, running: the clock at host time host (before the monotonic guard). */
static int64_t rt_read(const struct clock *c, int64_t host)
{
    int64_t v = host - c->host_start;           /* the target: host time */
    if (c->step_max) {
        int64_t dt = host - c->slice_host;
        if (dt < 0)
            dt = 0;
        int64_t fast = dt > (INT64_MAX - c->slice_v) / c->ratio ? INT64_MAX
                                                                : c->slice_v + dt * c->ratio;
        if (v > fast)
            v = fast;
        if (v > c->limit)
            v = c->limit;
    }
    return v;
}

int64_t clock_ns(struct clock *c)
{
    int64_t now;
    if (c->mode == CLOCK_MODE_ICOUNT)
        now = c->icount_ns;
    else if (c->pause_depth)
        now = c->paused_at;
    else
        now = rt_read(c, host_now(c));
    if (now < c->last)
        now = c->last;
    c->last = now;
    return now;
}

/* Starts a slice at host time host with the clock at v. With no timer
 * pending nothing can fall due together, so there is no limit (and no alarm
 * to end the budget) until a timer is armed (timer_mod). */
static void start_slice(struct clock *c, int64_t host, int64_t v)
{
    c->slice_host = host;
    c->slice_v = v;
    c->limit = c->head ? sat_add(v, c->step_max) : CLOCK_NEVER;
}

void clock_set_catchup(struct clock *c, int64_t step_ns, unsigned ratio)
{
    if (c->mode != CLOCK_MODE_REALTIME)
        return;
    int64_t v = clock_ns(c);
    c->step_max = step_ns > 0 ? step_ns : 0;
    c->ratio = ratio ? ratio : 1;
    start_slice(c, host_now(c), v);
}

void clock_slice_begin(struct clock *c)
{
    if (c->mode != CLOCK_MODE_REALTIME || !c->step_max || c->pause_depth)
        return;
    int64_t host = host_now(c);
    int64_t v = rt_read(c, host);
    if (v < c->last)
        v = c->last;
    c->last = v;
    start_slice(c, host, v);
}

void clock_slice_extend(struct clock *c, int64_t until)
{
    if (c->mode == CLOCK_MODE_REALTIME && c->step_max && until > c->limit)
        c->limit = until;
}

int64_t clock_slice_limit(struct clock *c)
{
    if (c->mode != CLOCK_MODE_REALTIME || !c->step_max)
        return CLOCK_NEVER;
    return c->limit;
}

int64_t clock_lag_ns(struct clock *c)
{
    if (c->mode != CLOCK_MODE_REALTIME || !c->step_max)
        return 0;
    if (c->pause_depth)
        return c->paused_lag;
    int64_t lag = host_now(c) - c->host_start - clock_ns(c);
    return lag > 0 ? lag : 0;
}

int64_t clock_host_ns_until(struct clock *c, int64_t vt)
{
    if (vt == CLOCK_NEVER)
        return -1;
    int64_t now = clock_ns(c);
    if (now >= vt)
        return 0;
    if (c->mode == CLOCK_MODE_ICOUNT)
        return vt - now;
    if (c->pause_depth || (c->step_max && vt > c->limit))
        return -1;
    int64_t host = host_now(c);
    int64_t wait = vt - (host - c->host_start);        /* the target reaches vt */
    if (c->step_max) {
        /* ... and the clock, at ratio x host time from the slice's start */
        int64_t need = vt - c->slice_v;
        int64_t fast = c->slice_host + need / c->ratio + (need % c->ratio != 0) - host;
        if (fast > wait)
            wait = fast;
    }
    return wait > 0 ? wait : 0;
}

void clock_pause(struct clock *c)
{
    if (c->mode != CLOCK_MODE_REALTIME)
        return;
    if (c->pause_depth++ == 0) {
        c->paused_at = clock_ns(c);
        int64_t lag = host_now(c) - c->host_start - c->paused_at;
        c->paused_lag = c->step_max && lag > 0 ? lag : 0;
    }
}

void clock_resume(struct clock *c)
{
    if (c->mode != CLOCK_MODE_REALTIME || c->pause_depth == 0)
        return;
    if (--c->pause_depth == 0) {
        int64_t host = host_now(c);
        c->host_start = host - c->paused_at - c->paused_lag;
        start_slice(c, host, c->paused_at);
    }
}

bool clock_paused(const struct clock *c) { return c->pause_depth != 0; }

void clock_advance_insns(struct clock *c, uint64_t n)
{
    if (c->mode != CLOCK_MODE_ICOUNT)
        return;
    uint64_t ns = n << c->shift;
    if ((ns >> c->shift) != n || ns > (uint64_t)(INT64_MAX - c->icount_ns))
        c->icount_ns = INT64_MAX - 1;
    else
        c->icount_ns += (int64_t)ns;
}

void clock_advance_ns(struct clock *c, int64_t ns)
{
    if (c->mode != CLOCK_MODE_ICOUNT || ns <= 0)
        return;
    if (ns > INT64_MAX - 1 - c->icount_ns)
        c->icount_ns = INT64_MAX - 1;
    else
        c->icount_ns += ns;
}

void clock_warp_to_deadline(struct clock *c)
{
    if (c->mode == CLOCK_MODE_ICOUNT && c->head && c->head->deadline > c->icount_ns)
        c->icount_ns = c->head->deadline;
}

int64_t clock_next_deadline(struct clock *c)
{
    return c->head ? c->head->deadline : CLOCK_NEVER;
}

uint64_t clock_insns_to_deadline(struct clock *c)
{
    if (!c->head || c->mode != CLOCK_MODE_ICOUNT)
        return UINT64_MAX;
    int64_t d = c->head->deadline - c->icount_ns;
    if (d <= 0)
        return 1;
    uint64_t n = ((uint64_t)d + (1ull << c->shift) - 1) >> c->shift;
    return n ? n : 1;
}

static void unlink_timer(struct timer *t)
{
    struct timer **pp = &t->clock->head;
    while (*pp && *pp != t)
        pp = &(*pp)->next;
    if (*pp)
        *pp = t->next;
    t->next = NULL;
    t->pending = false;
}

void clock_set_deadline_hook(struct clock *c, clock_deadline_fn fn, void *opaque)
{
    c->deadline_hook = fn;
    c->deadline_opaque = opaque;
}

unsigned clock_run_timers(struct clock *c)
{
    unsigned ran = 0;
    int64_t now = clock_ns(c);
    c->running_timers = true;
    while (c->head && c->head->deadline <= now) {
        struct timer *t = c->head;
        c->head = t->next;
        t->next = NULL;
        t->pending = false;
        t->cb(t->opaque);
        ran++;
        if (c->mode == CLOCK_MODE_REALTIME)
            now = clock_ns(c);
    }
    c->running_timers = false;
    return ran;
}

int64_t clock_wallclock_base(const struct clock *c) { return c->wall_base; }
void clock_set_wallclock_base(struct clock *c, int64_t epoch_ns) { c->wall_base = epoch_ns; }
int64_t clock_wallclock_ns(struct clock *c) { return c->wall_base + clock_ns(c); }

uint64_t clock_ns_to_ticks(int64_t ns, uint64_t hz)
{
    if (ns <= 0)
        return 0;
    return (uint64_t)((unsigned __int128)ns * hz / CLOCK_NS_PER_SEC);
}

int64_t clock_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
    if (!hz)
        return CLOCK_NEVER;
    unsigned __int128 v = ((unsigned __int128)ticks * CLOCK_NS_PER_SEC + hz - 1) / hz;
    return v > (unsigned __int128)INT64_MAX ? INT64_MAX : (int64_t)v;
}

struct timer *clock_timer_new(struct clock *c, timer_cb cb, void *opaque)
{
    struct timer *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->clock = c;
    t->cb = cb;
    t->opaque = opaque;
    t->deadline = CLOCK_NEVER;
    return t;
}

void timer_free(struct timer *t)
{
    if (!t)
        return;
    timer_del(t);
    free(t);
}

void timer_mod(struct timer *t, int64_t deadline_ns)
{
    struct clock *c = t->clock;
    int64_t old_first = c->head ? c->head->deadline : CLOCK_NEVER;
    if (t->pending)
        unlink_timer(t);
    if (c->step_max && c->limit == CLOCK_NEVER)
        c->limit = sat_add(c->last, c->step_max);       /* the slice gets its limit now */
    t->deadline = deadline_ns;
    t->pending = true;
    struct timer **pp = &t->clock->head;
    while (*pp && (*pp)->deadline <= deadline_ns)
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
    if (c->head == t && deadline_ns < old_first && c->deadline_hook && !c->running_timers)
        c->deadline_hook(c->deadline_opaque, deadline_ns);
}

void timer_del(struct timer *t)
{
    if (t && t->pending)
        unlink_timer(t);
    if (t)
        t->deadline = CLOCK_NEVER;
}

bool timer_pending(const struct timer *t) { return t->pending; }
int64_t timer_deadline(const struct timer *t) { return t->pending ? t->deadline : CLOCK_NEVER; }
struct clock *timer_clock(const struct timer *t) { return t->clock; }
