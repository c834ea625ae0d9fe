/*
 * count_regions.c: thread-scaling-check's parallel-region counter.
 *
 * Shipped as source and compiled on the runner:
 *   cc -shared -fPIC -O2 -o libtsc_count.so count_regions.c -ldl -pthread
 * and loaded into the measuring processes with LD_PRELOAD (Linux). It wraps
 * the OpenMP runtimes' fork entries and forwards every call to the real one:
 *   GNU libgomp: GOMP_parallel, GOMP_parallel_start/_end,
 *                GOMP_parallel_loop_{static,dynamic,guided,runtime} and their
 *                nonmonotonic forms, GOMP_parallel_sections, GOMP_parallel_reductions
 *                (not GCC 4's GOMP_parallel_loop_*_start/_sections_start)
 *   LLVM/Intel:  __kmpc_fork_call
 * Each call is charged to the shared object that made it (its return
 * address, through dladdr). Per object it counts the regions opened, the
 * largest team that really ran (read inside the region, through a trampoline,
 * from the runtime running it), the regions whose team was one thread, and
 * the wall time spent inside regions.
 *
 * The harness reads it through ctypes:
 *   void   tsc_counts_reset(void);
 *   size_t tsc_counts_read(char *buf, size_t n);   JSON text, NUL-terminated
 *
 * Built with -DTSC_OMPT it is instead an OMPT tool (OpenMP 5.0 tools
 * interface), loaded by LLVM's libomp through OMP_TOOL_LIBRARIES: where
 * LD_PRELOAD/DYLD_INSERT_LIBRARIES is unavailable (macOS strips DYLD_* from
 * protected processes, and torch's macOS wheels run LLVM's libomp, which
 * implements OMPT). It wraps nothing: parallel_begin/_end charge each region
 * to the object at codeptr_ra (dladdr), and implicit_task begin counts the
 * threads that ran in it. It sees only regions that libomp runs (GNU
 * libgomp has no OMPT), with the same read-out.
 *
 * The real entry is looked up in the calling object's own dependency tree
 * (dlopen(its path, RTLD_NOLOAD) + dlsym): that is the copy the loader would
 * have bound it to without this library. dlsym(RTLD_NEXT) alone would miss a
 * runtime that Python loaded later with RTLD_LOCAL (torch's libgomp).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TSC_EXPORT __attribute__((visibility("default")))
#define MAX_OBJECTS 128
#define MAX_KMP_ARGS 31

enum { E_GOMP_PARALLEL, E_GOMP_START, E_GOMP_END, E_LOOP_STATIC, E_LOOP_DYNAMIC, E_LOOP_GUIDED, E_LOOP_NM_DYNAMIC, E_LOOP_NM_GUIDED, E_LOOP_RUNTIME, E_LOOP_NM_RUNTIME, E_LOOP_MNM_RUNTIME, E_SECTIONS, E_REDUCTIONS, E_KMPC_FORK, E_NUM_THREADS, E_COUNT };
__attribute__((unused)) static const char *const entry_names[E_COUNT] = {"GOMP_parallel", "GOMP_parallel_start", "GOMP_parallel_end", "GOMP_parallel_loop_static", "GOMP_parallel_loop_dynamic", "GOMP_parallel_loop_guided", "GOMP_parallel_loop_nonmonotonic_dynamic", "GOMP_parallel_loop_nonmonotonic_guided", "GOMP_parallel_loop_runtime", "GOMP_parallel_loop_nonmonotonic_runtime", "GOMP_parallel_loop_maybe_nonmonotonic_runtime", "GOMP_parallel_sections", "GOMP_parallel_reductions", "__kmpc_fork_call", "omp_get_num_threads"};

struct object {
  void *base;
  char path[1024];
  void *real[E_COUNT];
  int resolved[E_COUNT];
  atomic_ullong regions;
  atomic_ullong team1;
  atomic_ullong ns;
  atomic_ullong timed; /* regions whose time is in ns (see start_clock) */
  atomic_int max_team;
  atomic_ullong unattributed_team; /* regions whose team could not be counted */
};

static struct object objects[MAX_OBJECTS];
static atomic_int n_objects;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct object overflow = {.path = "(other)"};

#if defined(__APPLE__)
#define TSC_NO_WRAPPERS 1
#endif
#if defined(TSC_OMPT)
#define TSC_NO_WRAPPERS 1
#endif

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Time inside regions is kept in ticks: on x86-64 the TSC (constant on every
 * CPU Linux uses it as a clock on), read in about a third of clock_gettime's
 * time in a VM; the two clock reads were most of the counter's cost per
 * region. Ticks become ns at read-out, by the rate since the library loaded.
 */
#if defined(__x86_64__) && !defined(TSC_OMPT)
#include <x86intrin.h>
static uint64_t ticks(void) { return __rdtsc(); }
#else
static uint64_t ticks(void) { return now_ns(); }
#endif
static uint64_t load_ticks, load_ns;
__attribute__((constructor)) static void note_load_time(void) {
  load_ns = now_ns();
  load_ticks = ticks();
}
static uint64_t ticks_to_ns(uint64_t t) {
  uint64_t dt = ticks() - load_ticks, dns = now_ns() - load_ns;
  if (dt == 0 || dns == 0) return t;
  return (uint64_t)((double)t * (double)dns / (double)dt);
}

/*
 * Thread-local state. Preloaded, the library is in the initial TLS block,
 * where initial-exec access is a plain load instead of a __tls_get_addr
 * call per variable (three per region). The OMPT build is dlopen'ed by the
 * runtime, so it keeps the general model.
 */
#ifdef TSC_NO_WRAPPERS
#define TSC_TLS __thread
#else
#define TSC_TLS __thread __attribute__((tls_model("initial-exec")))
#endif

/* dladdr takes the loader's lock: a call site seen last time on this thread skips it
 * (Python never unloads an extension, so a call site keeps its object). */
static TSC_TLS void *last_ret;
static TSC_TLS struct object *last_object;

static struct object *lookup_object(void *ret);

static struct object *object_for(void *ret) {
  if (ret == last_ret && last_object) return last_object;
  struct object *o = lookup_object(ret);
  last_ret = ret;
  last_object = o;
  return o;
}

static struct object *lookup_object(void *ret) {
  Dl_info info;
  void *base = NULL;
  const char *path = "(unknown)";
  if (dladdr(ret, &info) && info.dli_fbase) {
    base = info.dli_fbase;
    if (info.dli_fname && info.dli_fname[0]) path = info.dli_fname;
  }
  int n = atomic_load_explicit(&n_objects, memory_order_acquire);
  for (int i = 0; i < n; i++)
    if (objects[i].base == base) return &objects[i];
  pthread_mutex_lock(&table_lock);
  n = atomic_load_explicit(&n_objects, memory_order_relaxed);
  for (int i = 0; i < n; i++)
    if (objects[i].base == base) {
      pthread_mutex_unlock(&table_lock);
      return &objects[i];
    }
  struct object *o = &overflow;
  if (n < MAX_OBJECTS) {
    o = &objects[n];
    o->base = base;
    snprintf(o->path, sizeof o->path, "%s", path);
    atomic_store_explicit(&n_objects, n + 1, memory_order_release);
  }
  pthread_mutex_unlock(&table_lock);
  return o;
}

#ifndef TSC_NO_WRAPPERS
/* The entry the caller would have reached without us. */
static void *real_entry(struct object *o, int e, void *self) {
  if (o->resolved[e]) return o->real[e];
  pthread_mutex_lock(&table_lock);
  if (!o->resolved[e]) {
    void *fn = NULL;
    if (o != &overflow && strchr(o->path, '/')) {
      void *h = dlopen(o->path, RTLD_LAZY | RTLD_NOLOAD);
      if (h) fn = dlsym(h, entry_names[e]);
    }
    if (!fn || fn == self) fn = dlsym(RTLD_NEXT, entry_names[e]);
    /* Last resort: a runtime already in the process, by soname. */
    static const char *const runtimes[] = {"libgomp.so.1", "libomp.so.5", "libomp.so", "libiomp5.so"};
    for (size_t i = 0; (!fn || fn == self) && i < sizeof runtimes / sizeof *runtimes; i++) {
      void *h = dlopen(runtimes[i], RTLD_LAZY | RTLD_NOLOAD);
      if (h) fn = dlsym(h, entry_names[e]);
    }
    if (fn == self) fn = NULL;
    o->real[e] = fn;
    __atomic_store_n(&o->resolved[e], 1, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&table_lock);
  return o->real[e];
}

static void missing(const char *name) {
  fprintf(stderr, "thread-scaling-check count_regions: cannot find the real %s\n", name);
  abort();
}
#endif /* TSC_NO_WRAPPERS */

/*
 * Reading the clock twice was a large part of the counter's own work per
 * region (perf: a large share of its samples sat at the rdtsc sites), which
 * matters on the shortest regions (a 6 µs torch.add). So each object's first
 * TIME_ALL regions after a reset are all timed, and after that one in
 * TIME_EVERY per thread; the time inside is read out as the timed regions'
 * mean times all regions.
 * Returns 0 for a region left untimed.
 */
#define TIME_ALL 64
#define TIME_EVERY 8
static TSC_TLS unsigned region_seq;
static uint64_t start_clock(struct object *o) {
  if (atomic_load_explicit(&o->regions, memory_order_relaxed) < TIME_ALL || ++region_seq % TIME_EVERY == 0) return ticks();
  return 0;
}

/* The time inside one timed region (t0 from start_clock; 0: untimed). */
static void record_time(struct object *o, uint64_t t0) {
  if (t0) {
    atomic_fetch_add(&o->ns, ticks() - t0);
    atomic_fetch_add(&o->timed, 1);
  }
}

/* One region and its team. */
static void record_region(struct object *o, int team) {
  atomic_fetch_add(&o->regions, 1);
  if (team <= 0) {
    atomic_fetch_add(&o->unattributed_team, 1);
    return;
  }
  if (team == 1) atomic_fetch_add(&o->team1, 1);
  int m = atomic_load(&o->max_team);
  while (team > m && !atomic_compare_exchange_weak(&o->max_team, &m, team)) {
  }
}

static void record(struct object *o, uint64_t t0, int team) {
  record_time(o, t0);
  record_region(o, team);
}

#ifndef TSC_NO_WRAPPERS
/* ---- GNU libgomp --------------------------------------------------------- */

/*
 * The team size is read by the calling thread alone, inside the region, from
 * the runtime that runs it (omp_get_num_threads: the threads it started on
 * the outlined function). The other threads only read fn and data, which sit
 * on a cache line of their own: a counter that every thread bumped would move
 * the caller's line between cores twice per region.
 */
typedef int (*omp_num_threads_t)(void);
static TSC_TLS char this_thread;

struct gomp_tramp {
  _Alignas(64) void (*fn)(void *);
  void *data;
  const char *caller;
  omp_num_threads_t num_threads;
  _Alignas(64) int team;
};

static void gomp_tramp_fn(void *p) {
  struct gomp_tramp *t = p;
  if (t->caller == &this_thread && t->num_threads) t->team = t->num_threads();
  t->fn(t->data);
}

/* What every GOMP entry does around the real call: find the calling object
   and the real entry, then run the team through the trampoline, where the
   caller reads the team size. A macro, not a function, so that
   __builtin_return_address(0) is the entry's own caller. */
#define GOMP_CALLER() struct object *o = object_for(__builtin_return_address(0))
#define GOMP_ENTER(type, E, name) \
  GOMP_CALLER();                  \
  GOMP_TRAMP(type, E, name)
#define GOMP_TRAMP(type, E, name)                                                                         \
  type real = (type)real_entry(o, E, (void *)name);                                                      \
  if (!real) missing(#name);                                                                             \
  struct gomp_tramp t = {fn, data, &this_thread, (omp_num_threads_t)real_entry(o, E_NUM_THREADS, NULL), 0}; \
  uint64_t t0 = start_clock(o)
#define GOMP_LEAVE() record(o, t0, t.team)

typedef void (*gomp_parallel_t)(void (*)(void *), void *, unsigned, unsigned);
typedef void (*gomp_start_t)(void (*)(void *), void *, unsigned);
typedef void (*gomp_end_t)(void);
TSC_EXPORT void GOMP_parallel_start(void (*fn)(void *), void *data, unsigned num_threads);
TSC_EXPORT void GOMP_parallel_end(void);
/*
 * Without a proc_bind clause (flags 0) GOMP_parallel is, in libgomp and in
 * libomp's GOMP layer alike, GOMP_parallel_start, fn(data), GOMP_parallel_end.
 * Run as those three, the team runs the caller's own fn on its own data and
 * only the caller does extra work; through the trampoline every other thread
 * would first read it from the caller's stack, one cache miss per thread per
 * region on the path the caller waits on at the closing barrier.
 */
TSC_EXPORT void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags) {
  GOMP_CALLER();
  gomp_start_t start = flags ? NULL : (gomp_start_t)real_entry(o, E_GOMP_START, (void *)GOMP_parallel_start);
  /* A runtime with GOMP_parallel_start has GOMP_parallel_end (both are libgomp's
     and libomp's GOMP layer since GCC 4.2); it is looked up while the team wakes. */
  if (start) {
    uint64_t t0 = start_clock(o);
    start(fn, data, num_threads);
    gomp_end_t end = (gomp_end_t)real_entry(o, E_GOMP_END, (void *)GOMP_parallel_end);
    if (!end) missing("GOMP_parallel_end");
    omp_num_threads_t num = (omp_num_threads_t)real_entry(o, E_NUM_THREADS, NULL);
    int team = num ? num() : 0;
    fn(data);
    /* The caller usually finishes its chunk first (the others had to wake
       up), so counting before the closing barrier costs the region nothing;
       only the timed ones read the clock after it. */
    record_region(o, team);
    end();
    record_time(o, t0);
    return;
  }
  GOMP_TRAMP(gomp_parallel_t, E_GOMP_PARALLEL, GOMP_parallel);
  real(gomp_tramp_fn, &t, num_threads, flags);
  GOMP_LEAVE();
}

typedef void (*gomp_loop_t)(void (*)(void *), void *, unsigned, long, long, long, long, unsigned);
#define GOMP_LOOP(name, E)                                                                                                    \
  TSC_EXPORT void name(void (*fn)(void *), void *data, unsigned num_threads, long start, long end, long incr, long chunk, \
                       unsigned flags) {                                                                                      \
    GOMP_ENTER(gomp_loop_t, E, name);                                                                                         \
    real(gomp_tramp_fn, &t, num_threads, start, end, incr, chunk, flags);                                                     \
    GOMP_LEAVE();                                                                                                             \
  }
GOMP_LOOP(GOMP_parallel_loop_static, E_LOOP_STATIC)
GOMP_LOOP(GOMP_parallel_loop_dynamic, E_LOOP_DYNAMIC)
GOMP_LOOP(GOMP_parallel_loop_guided, E_LOOP_GUIDED)
GOMP_LOOP(GOMP_parallel_loop_nonmonotonic_dynamic, E_LOOP_NM_DYNAMIC)
GOMP_LOOP(GOMP_parallel_loop_nonmonotonic_guided, E_LOOP_NM_GUIDED)

typedef void (*gomp_loop_rt_t)(void (*)(void *), void *, unsigned, long, long, long, unsigned);
#define GOMP_LOOP_RT(name, E)                                                                                                 \
  TSC_EXPORT void name(void (*fn)(void *), void *data, unsigned num_threads, long start, long end, long incr, unsigned flags) { \
    GOMP_ENTER(gomp_loop_rt_t, E, name);                                                                                      \
    real(gomp_tramp_fn, &t, num_threads, start, end, incr, flags);                                                            \
    GOMP_LEAVE();                                                                                                             \
  }
GOMP_LOOP_RT(GOMP_parallel_loop_runtime, E_LOOP_RUNTIME)
GOMP_LOOP_RT(GOMP_parallel_loop_nonmonotonic_runtime, E_LOOP_NM_RUNTIME)
GOMP_LOOP_RT(GOMP_parallel_loop_maybe_nonmonotonic_runtime, E_LOOP_MNM_RUNTIME)

/* OpenMP 5.0 task reductions on a parallel construct. */
typedef unsigned (*gomp_reductions_t)(void (*)(void *), void *, unsigned, unsigned);
TSC_EXPORT unsigned GOMP_parallel_reductions(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags) {
  GOMP_ENTER(gomp_reductions_t, E_REDUCTIONS, GOMP_parallel_reductions);
  unsigned r = real(gomp_tramp_fn, &t, num_threads, flags);
  GOMP_LEAVE();
  return r;
}

typedef void (*gomp_sections_t)(void (*)(void *), void *, unsigned, unsigned, unsigned);
TSC_EXPORT void GOMP_parallel_sections(void (*fn)(void *), void *data, unsigned num_threads, unsigned count, unsigned flags) {
  GOMP_ENTER(gomp_sections_t, E_SECTIONS, GOMP_parallel_sections);
  real(gomp_tramp_fn, &t, num_threads, count, flags);
  GOMP_LEAVE();
}

/*
 * Old GCC: GOMP_parallel_start(fn, data, n); fn(data); GOMP_parallel_end();
 * The caller runs fn itself, outside the trampoline: it is one more thread.
 * Regions nest, so the open ones are kept per thread.
 */
#define MAX_NEST 16
struct open_region {
  struct object *o;
  uint64_t t0;
};
static TSC_TLS struct open_region open_regions[MAX_NEST];
static TSC_TLS int open_depth;

TSC_EXPORT void GOMP_parallel_start(void (*fn)(void *), void *data, unsigned num_threads) {
  struct object *o = object_for(__builtin_return_address(0));
  gomp_start_t real = (gomp_start_t)real_entry(o, E_GOMP_START, (void *)GOMP_parallel_start);
  if (!real) missing("GOMP_parallel_start");
  if (open_depth < MAX_NEST) open_regions[open_depth] = (struct open_region){o, start_clock(o)};
  open_depth++;
  real(fn, data, num_threads);
}

TSC_EXPORT void GOMP_parallel_end(void) {
  struct object *o = object_for(__builtin_return_address(0));
  gomp_end_t real = (gomp_end_t)real_entry(o, E_GOMP_END, (void *)GOMP_parallel_end);
  if (!real) missing("GOMP_parallel_end");
  /* The caller is still in the team here. */
  omp_num_threads_t num_threads = (omp_num_threads_t)real_entry(o, E_NUM_THREADS, NULL);
  int team = num_threads ? num_threads() : 0;
  real();
  if (open_depth <= 0) return;
  open_depth--;
  if (open_depth >= MAX_NEST) return;
  struct open_region *r = &open_regions[open_depth];
  record(r->o, r->t0, team);
}

/* ---- LLVM / Intel libomp ------------------------------------------------- */

typedef int32_t kmp_int32;
typedef void (*kmpc_micro)(kmp_int32 *, kmp_int32 *, ...);
typedef void (*kmpc_fork_call_t)(void *, kmp_int32, kmpc_micro, ...);

struct kmp_tramp {
  _Alignas(64) kmpc_micro micro;
  kmp_int32 argc;
  const char *caller;
  omp_num_threads_t num_threads;
  _Alignas(64) int team;
};

#define A(i) a[i]
#define ARGS0
#define ARGS1 , A(0)
#define ARGS2 ARGS1, A(1)
#define ARGS3 ARGS2, A(2)
#define ARGS4 ARGS3, A(3)
#define ARGS5 ARGS4, A(4)
#define ARGS6 ARGS5, A(5)
#define ARGS7 ARGS6, A(6)
#define ARGS8 ARGS7, A(7)
#define ARGS9 ARGS8, A(8)
#define ARGS10 ARGS9, A(9)
#define ARGS11 ARGS10, A(10)
#define ARGS12 ARGS11, A(11)
#define ARGS13 ARGS12, A(12)
#define ARGS14 ARGS13, A(13)
#define ARGS15 ARGS14, A(14)
#define ARGS16 ARGS15, A(15)
#define ARGS17 ARGS16, A(16)
#define ARGS18 ARGS17, A(17)
#define ARGS19 ARGS18, A(18)
#define ARGS20 ARGS19, A(19)
#define ARGS21 ARGS20, A(20)
#define ARGS22 ARGS21, A(21)
#define ARGS23 ARGS22, A(22)
#define ARGS24 ARGS23, A(23)
#define ARGS25 ARGS24, A(24)
#define ARGS26 ARGS25, A(25)
#define ARGS27 ARGS26, A(26)
#define ARGS28 ARGS27, A(27)
#define ARGS29 ARGS28, A(28)
#define ARGS30 ARGS29, A(29)

/* Every shared argument of an outlined function is a pointer. */
static void kmp_tramp_micro(kmp_int32 *gtid, kmp_int32 *btid, struct kmp_tramp *t, ...) {
  if (t->caller == &this_thread && t->num_threads) t->team = t->num_threads();
  void *a[MAX_KMP_ARGS];
  va_list ap;
  va_start(ap, t);
  for (int i = 0; i < t->argc; i++) a[i] = va_arg(ap, void *);
  va_end(ap);
  switch (t->argc) {
#define CASE(n) \
  case n:       \
    t->micro(gtid, btid ARGS##n); \
    break;
    CASE(0) CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) CASE(9) CASE(10) CASE(11) CASE(12) CASE(13) CASE(14) CASE(15) CASE(16) CASE(17) CASE(18) CASE(19) CASE(20) CASE(21) CASE(22) CASE(23) CASE(24) CASE(25) CASE(26) CASE(27) CASE(28) CASE(29) CASE(30)
#undef CASE
  }
}

TSC_EXPORT void __kmpc_fork_call(void *loc, kmp_int32 argc, kmpc_micro micro, ...) {
  struct object *o = object_for(__builtin_return_address(0));
  kmpc_fork_call_t real = (kmpc_fork_call_t)real_entry(o, E_KMPC_FORK, (void *)__kmpc_fork_call);
  if (!real) missing("__kmpc_fork_call");
  void *a[MAX_KMP_ARGS];
  int n = argc < 0 ? 0 : argc;
  va_list ap;
  va_start(ap, micro);
  for (int i = 0; i < n && i < MAX_KMP_ARGS; i++) a[i] = va_arg(ap, void *);
  va_end(ap);
  uint64_t t0 = start_clock(o);
  if (n >= MAX_KMP_ARGS) {
    /* More shared variables than the trampoline passes on (no known
     * outlined function comes near): stop loudly rather than guess. */
    fprintf(stderr, "thread-scaling-check count_regions: __kmpc_fork_call with %d arguments is not supported\n", n);
    abort();
  }
  struct kmp_tramp t = {micro, n, &this_thread, (omp_num_threads_t)real_entry(o, E_NUM_THREADS, NULL), 0};
  kmpc_micro tm = (kmpc_micro)kmp_tramp_micro;
  /* The trampoline takes the tramp as one more shared argument, first. */
  switch (n) {
#define CASE(k) \
  case k:       \
    real(loc, k + 1, tm, &t ARGS##k); \
    break;
    CASE(0) CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) CASE(9) CASE(10) CASE(11) CASE(12) CASE(13) CASE(14) CASE(15) CASE(16) CASE(17) CASE(18) CASE(19) CASE(20) CASE(21) CASE(22) CASE(23) CASE(24) CASE(25) CASE(26) CASE(27) CASE(28) CASE(29) CASE(30)
#undef CASE
  }
  record(o, t0, t.team);
}

#endif /* TSC_NO_WRAPPERS */

#ifdef TSC_OMPT
/* ---- OMPT tool (OMP_TOOL_LIBRARIES) ------------------------------------------
 * The few OMPT types used, as the OpenMP 5.0 specification fixes them, so
 * no omp-tools.h is needed (Apple clang ships none). */
typedef union {
  uint64_t value;
  void *ptr;
} ompt_data_t;
typedef void (*ompt_interface_fn_t)(void);
typedef ompt_interface_fn_t (*ompt_function_lookup_t)(const char *);
typedef void (*ompt_callback_t)(void);
typedef int (*ompt_set_callback_t)(int event, ompt_callback_t callback);
typedef int (*ompt_initialize_t)(ompt_function_lookup_t lookup, int initial_device_num, ompt_data_t *tool_data);
typedef void (*ompt_finalize_t)(ompt_data_t *tool_data);
typedef struct {
  ompt_initialize_t initialize;
  ompt_finalize_t finalize;
  ompt_data_t tool_data;
} ompt_start_tool_result_t;
enum { OMPT_CB_PARALLEL_BEGIN = 3, OMPT_CB_PARALLEL_END = 4, OMPT_CB_IMPLICIT_TASK = 7 };
enum { OMPT_SCOPE_BEGIN = 1 };
enum { OMPT_TASK_INITIAL = 0x1 };
enum { OMPT_PARALLEL_LEAGUE = 0x40000000 };
enum { OMPT_SET_ALWAYS = 5 };

/* One open region per nesting level of the encountering thread; its team's
 * threads count themselves into it through parallel_data. */
struct ompt_region {
  struct object *o;
  uint64_t t0;
  atomic_int entered;
};
#define OMPT_MAX_NEST 64
static __thread struct ompt_region ompt_open[OMPT_MAX_NEST];
static __thread int ompt_depth;
static atomic_int ompt_active;

static void on_parallel_begin(ompt_data_t *encountering_task_data, const void *encountering_task_frame, ompt_data_t *parallel_data, unsigned requested, int flags, const void *codeptr_ra) {
  (void)encountering_task_data, (void)encountering_task_frame, (void)requested;
  int depth = ompt_depth++;
  if (!parallel_data) return;
  parallel_data->ptr = NULL;
  if ((flags & OMPT_PARALLEL_LEAGUE) || depth >= OMPT_MAX_NEST) return;
  struct ompt_region *r = &ompt_open[depth];
  r->o = object_for((void *)codeptr_ra);
  atomic_store_explicit(&r->entered, 0, memory_order_relaxed);
  r->t0 = start_clock(r->o);
  parallel_data->ptr = r;
}

static void on_implicit_task(int endpoint, ompt_data_t *parallel_data, ompt_data_t *task_data, unsigned actual, unsigned index, int flags) {
  (void)task_data, (void)actual, (void)index;
  if (endpoint != OMPT_SCOPE_BEGIN || (flags & OMPT_TASK_INITIAL) || !parallel_data || !parallel_data->ptr) return;
  atomic_fetch_add_explicit(&((struct ompt_region *)parallel_data->ptr)->entered, 1, memory_order_relaxed);
}

static void on_parallel_end(ompt_data_t *parallel_data, ompt_data_t *encountering_task_data, int flags, const void *codeptr_ra) {
  (void)encountering_task_data, (void)flags, (void)codeptr_ra;
  if (ompt_depth > 0) ompt_depth--;
  if (!parallel_data || !parallel_data->ptr) return;
  struct ompt_region *r = parallel_data->ptr;
  parallel_data->ptr = NULL;
  record(r->o, r->t0, atomic_load(&r->entered));
}

static int ompt_init(ompt_function_lookup_t lookup, int initial_device_num, ompt_data_t *tool_data) {
  (void)initial_device_num, (void)tool_data;
  ompt_set_callback_t set = (ompt_set_callback_t)lookup("ompt_set_callback");
  if (!set) return 0;
  int ok = set(OMPT_CB_PARALLEL_BEGIN, (ompt_callback_t)on_parallel_begin) == OMPT_SET_ALWAYS &&
           set(OMPT_CB_PARALLEL_END, (ompt_callback_t)on_parallel_end) == OMPT_SET_ALWAYS &&
           set(OMPT_CB_IMPLICIT_TASK, (ompt_callback_t)on_implicit_task) == OMPT_SET_ALWAYS;
  if (!ok) {
    fprintf(stderr, "thread-scaling-check count_regions: the OpenMP runtime refused an OMPT callback; regions are not counted\n");
    return 0;
  }
  atomic_store(&ompt_active, 1);
  return 1;
}

static void ompt_fini(ompt_data_t *tool_data) { (void)tool_data; }

TSC_EXPORT ompt_start_tool_result_t *ompt_start_tool(unsigned omp_version, const char *runtime_version) {
  (void)omp_version, (void)runtime_version;
  static ompt_start_tool_result_t result = {ompt_init, ompt_fini, {0}};
  return &result;
}

/* 1 once a runtime has initialised this tool: the harness asks, since loading it is the runtime's choice. */
TSC_EXPORT int tsc_counts_active(void) { return atomic_load(&ompt_active); }
#else
TSC_EXPORT int tsc_counts_active(void) { return 1; }
#endif /* TSC_OMPT */

/* ---- read-out ------------------------------------------------------------ */

static void zero(struct object *o) {
  atomic_store(&o->regions, 0);
  atomic_store(&o->team1, 0);
  atomic_store(&o->ns, 0);
  atomic_store(&o->timed, 0);
  atomic_store(&o->max_team, 0);
  atomic_store(&o->unattributed_team, 0);
}

TSC_EXPORT void tsc_counts_reset(void) {
  int n = atomic_load(&n_objects);
  for (int i = 0; i < n; i++) zero(&objects[i]);
  zero(&overflow);
}

static size_t put_path(char *buf, size_t n, size_t at, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char tmp[8];
    const char *piece = tmp;
    if (c == '"' || c == '\\') {
      tmp[0] = '\\', tmp[1] = (char)c, tmp[2] = 0;
    } else if (c < 0x20) {
      snprintf(tmp, sizeof tmp, "\\u%04x", c);
    } else {
      tmp[0] = (char)c, tmp[1] = 0;
    }
    for (; *piece; piece++) {
      if (at + 1 < n) buf[at] = *piece;
      at++;
    }
  }
  return at;
}

#define PUT(...)                                                             \
  do {                                                                       \
    int w = snprintf(at < n ? buf + at : NULL, at < n ? n - at : 0, __VA_ARGS__); \
    if (w > 0) at += (size_t)w;                                              \
  } while (0)

/* The time inside all regions, from the timed ones (start_clock). */
static unsigned long long inside_ns(struct object *o) {
  unsigned long long timed = atomic_load(&o->timed), regions = atomic_load(&o->regions);
  if (timed == 0) return 0;
  return (unsigned long long)((double)ticks_to_ns(atomic_load(&o->ns)) * (double)regions / (double)timed);
}

/* Writes {"version":1,"objects":[...]} into buf; returns the length it needs (excluding the NUL). */
TSC_EXPORT size_t tsc_counts_read(char *buf, size_t n) {
  size_t at = 0;
  PUT("{\"version\":1,\"objects\":[");
  int count = atomic_load(&n_objects);
  int first = 1;
  for (int i = 0; i <= count; i++) {
    struct object *o = i < count ? &objects[i] : &overflow;
    unsigned long long regions = atomic_load(&o->regions);
    if (regions == 0) continue;
    PUT("%s{\"path\":\"", first ? "" : ",");
    at = put_path(buf, n, at, o->path);
    PUT("\",\"regions\":%llu,\"max_team\":%d,\"team1\":%llu,\"uncounted_team\":%llu,\"ns\":%llu}", regions, atomic_load(&o->max_team),
        (unsigned long long)atomic_load(&o->team1), (unsigned long long)atomic_load(&o->unattributed_team), inside_ns(o));
    first = 0;
  }
  PUT("]}");
  if (n > 0) buf[at < n ? at : n - 1] = 0;
  return at;
}
