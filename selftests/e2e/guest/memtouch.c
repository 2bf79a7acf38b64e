// SPDX-License-Identifier: GPL-2.0
/*
 * memtouch: a memory workload with a known access pattern that also proves
 * that no data is lost.  It runs in the e2e test guests (static binary,
 * /usr/bin/memtouch) and natively (`make -C selftests/e2e/guest test`).
 *
 * It fills a region of --size MiB, page by page (4 KiB pages), with content
 * that is a pure function of (seed, page index, generation): a 16-byte
 * header {magic "MTCH", generation, page index} and 4080 bytes of
 * pseudo-random body.  It keeps each page's generation in its own array:
 * that is the test's memory of what must be there.  It then touches an
 * active set of --active MiB for --time seconds: every touch checks all
 * 4096 bytes of the page against the expected content and, with --write,
 * rewrites the page with the next generation.  Every page, active or not,
 * is checked again at the end (and every --verify-all-every seconds).
 *
 * A page that does not hold what it should (zeroed, an old generation,
 * another page's content, any flipped byte) is an error: memtouch prints
 * the page and what it found, counts it, rewrites the page with the
 * expected content (so one corruption counts once) and goes on.
 *
 * Usage: memtouch [options]
 *   --size MIB             region to fill (default 64)
 *   --active MIB           active set touched in a loop (default: --size);
 *                          0: fill, then stay idle and keep the data
 *   --pattern seq|random   active set: the first --active MiB in order
 *                          (seq), or pages spread over the region, chosen
 *                          and ordered by the seed (random); default seq
 *   --seed N               content, active set and order (default 1)
 *   --time S               seconds to run after the fill (default 10);
 *                          0: until SIGTERM or SIGINT
 *   --write                rewrite each touched page (generation + 1)
 *   --report S             progress line every S seconds (default 5; 0: no)
 *   --verify-all-every S   check every page every S seconds (default 0:
 *                          only at the end)
 *   --progress S           during a pass over every page (fill, grow step,
 *                          verify-all), a progress line every S seconds
 *                          (default 5; 0: none): a check of hundreds of MiB
 *                          from slow swap takes minutes, and whoever waits
 *                          for it can tell a slow pass from a stuck one
 *   --no-final-check       skip the check of every page at the end (the
 *                          touch loop still checks every page it touches);
 *                          for runs whose cold pages sit in slow swap
 *   --grow-to MIB          after the fill, grow the memory in use to MIB in
 *                          steps (memory pressure for the balloon); grown
 *                          pages are written and checked like the others
 *   --grow-step MIB        size of a grow step (default 16)
 *   --grow-pause S         pause after each grow step (default 0)
 *   --populate             pre-fault the region (MADV_POPULATE_WRITE)
 *   --instances N          run N copies (fork), seeds seed..seed+N-1; each
 *                          line then carries inst=<i>
 *   --max-error-lines N    print at most N error lines (default 32); all
 *                          errors are counted
 *   --self-test            check the checker: corrupt pages of a private
 *                          buffer on purpose and require exactly the
 *                          expected errors; nothing else runs
 *   --help
 *
 * SIGTERM and SIGINT end the loop early; the final check and the done line
 * still follow.
 *
 * Output: one line per fact on stdout, "memtouch: <event> key=value...";
 * values with spaces are double-quoted.
 *   start       size_mib active_mib pattern seed write time_s grow_to_mib
 *               pid addr
 *   ready       pages active_pages fill_ms rss_kib    (after the fill)
 *   grow        step total_mib step_ms rss_kib        (each grow step)
 *   grow-failed step total_mib err errstr             (allocation failed)
 *   grow-done   total_mib steps failed
 *   report      elapsed passes passes_per_s mib_per_s errors rss_kib
 *               (rates over the last interval)
 *   verify-all  when pages new_errors errors ms
 *   progress    what pages_done pages errors ms   (what: fill, or the
 *               verify-all's when; during the pass, every --progress S)
 *   error       page kind offset bad_bytes expect found expect_gen
 *               found_gen found_index when
 *               kind: zero (all zeroes), stale (an older or newer
 *               generation of the same page), foreign (another page's
 *               content), corrupt (anything else)
 *   done        elapsed passes pages_touched errors zero_pages
 *               grow_failed rss_kib
 *   instances   n ok failed                            (--instances)
 *   self-test   check result [detail]; then passed failed
 *
 * Exit status: 0 no error, 1 an error (corrupted page, failed allocation,
 * failed self-test), 2 usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/types.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "say.h"

typedef __u8 u8;
typedef __u32 u32;
typedef __u64 u64;

/*
 * Output with compile-time format checks: the printf() that is never
 * called has the compiler check the arguments (as the kernel's
 * no_printk()).
 */
#define say(...) do { if (0) printf(__VA_ARGS__); mt_say(__VA_ARGS__); } while (0)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define MT_PAGE_SIZE	4096
#define MT_PAGE_WORDS	(MT_PAGE_SIZE / 8)
#define MT_HDR_WORDS	2
#define MT_PAGES_PER_MIB 256
/* "MTCH" in memory (little endian), the low half of a page's first word. */
#define MT_MAGIC	0x4843544dU
#define MT_GOLDEN	0x9e3779b97f4a7c15ULL
/* Largest region: 1 TiB, so that page indices fit in 32 bits. */
#define MT_MAX_MIB	(1024ULL * 1024)
#define MT_MAX_INSTANCES 64
/* Pages touched between two looks at the clock. */
#define MT_BATCH	64
/* Bad pages remembered for the self-test. */
#define MT_LOG_MAX	64
#define MT_NS		1000000000ULL
/* --active not given: the whole region. */
#define MT_UNSET	(~0ULL)

/* The long output lines. */
#define MT_FMT_START "start size_mib=%llu active_mib=%llu pattern=%s seed=%llu write=%d time_s=%.2f grow_to_mib=%llu pid=%d addr=%p"
#define MT_FMT_REPORT "report elapsed=%.2f passes=%llu passes_per_s=%.2f mib_per_s=%.1f errors=%llu rss_kib=%lld"
#define MT_FMT_ERROR "error page=%llu kind=%s offset=%u bad_bytes=%u expect=0x%016llx found=0x%016llx expect_gen=%u found_gen=%u found_index=%llu when=%s"
#define MT_FMT_PROGRESS "progress what=%s pages_done=%llu pages=%llu errors=%llu ms=%llu"
#define MT_FMT_DONE "done elapsed=%.2f passes=%llu pages_touched=%llu errors=%llu zero_pages=%llu grow_failed=%d rss_kib=%lld"

enum mt_pattern {
	MT_SEQ,
	MT_RANDOM,
};

static const char * const mt_pattern_name[] = {
	[MT_SEQ] = "seq",
	[MT_RANDOM] = "random",
};

enum mt_kind {
	MT_ZERO,
	MT_STALE,
	MT_FOREIGN,
	MT_CORRUPT,
};

static const char * const mt_kind_name[] = {
	[MT_ZERO] = "zero",
	[MT_STALE] = "stale",
	[MT_FOREIGN] = "foreign",
	[MT_CORRUPT] = "corrupt",
};

/**
 * struct mt_opts - the command line
 * @size_mib: region filled at start
 * @active_mib: active set
 * @grow_to_mib: memory in use after growing (0: no growth)
 * @grow_step_mib: size of one grow step
 * @seed: seed of contents, active set and order
 * @time_ns: loop duration (0: until a signal)
 * @report_ns: progress line period (0: none)
 * @verify_all_ns: period of full checks during the loop (0: at the end)
 * @progress_ns: progress line period during a pass over every page
 * @grow_pause_ns: pause after each grow step
 * @pattern: MT_SEQ or MT_RANDOM
 * @write: rewrite touched pages
 * @populate: pre-fault the region
 * @final_check: check every page at the end
 * @instances: copies to run
 * @max_error_lines: error lines printed at most
 */
struct mt_opts {
	u64 size_mib;
	u64 active_mib;
	u64 grow_to_mib;
	u64 grow_step_mib;
	u64 seed;
	u64 time_ns;
	u64 report_ns;
	u64 verify_all_ns;
	u64 progress_ns;
	u64 grow_pause_ns;
	enum mt_pattern pattern;
	bool write;
	bool populate;
	bool final_check;
	unsigned int instances;
	unsigned int max_error_lines;
};

/**
 * struct mt_bad - one bad page found (the self-test reads them back)
 * @page: its index
 * @kind: what it held (enum mt_kind)
 */
struct mt_bad {
	u64 page;
	enum mt_kind kind;
};

/**
 * struct mt_region - the memory under test and what it must hold
 * @base: start of a reservation of @cap_pages pages
 * @cap_pages: pages reserved (the region, or --grow-to)
 * @nr_pages: pages mapped and written, [0, @nr_pages)
 * @seed: content seed
 * @gen: expected generation of each page, @cap_pages entries
 * @errors: bad pages found so far (each repaired after it is reported)
 * @zero_pages: those of them that read as all zeroes
 * @lines_left: error lines that may still be printed
 * @log: the first bad pages found
 * @log_nr: entries in @log
 */
struct mt_region {
	u8 *base;
	u64 cap_pages;
	u64 nr_pages;
	u64 seed;
	u32 *gen;
	u64 errors;
	u64 zero_pages;
	unsigned int lines_left;
	struct mt_bad log[MT_LOG_MAX];
	unsigned int log_nr;
};

/* Set by SIGTERM and SIGINT: end the loop. */
static atomic_int mt_stop;
/* "inst=<i> " while running several instances, else empty. */
static char mt_tag[32];
/* --progress, in ns (0: no progress lines); set once in main(). */
static u64 mt_progress_ns;
/* Children of --instances, for forwarding signals. */
static pid_t mt_child[MT_MAX_INSTANCES];
static atomic_uint mt_nr_child;

/* One output line, written with a single write() so lines never mix. */
static void mt_say(const char *fmt, ...)
{
	char line[1024];
	size_t n;
	va_list ap;

	n = snprintf(line, sizeof(line), "memtouch: %s", mt_tag);
	va_start(ap, fmt);
	say_vline(line, sizeof(line), n, fmt, ap);
	va_end(ap);
}

static u64 mt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * MT_NS + ts.tv_nsec;
}

/**
 * struct mt_progress - a pass over many pages that says how far it got
 * @what: "fill", or the verify-all's when
 * @pages: pages in the pass
 * @t0: its start
 * @next: when the next line is due (0: never)
 */
struct mt_progress {
	const char *what;
	u64 pages;
	u64 t0;
	u64 next;
};

/* Pages between two looks at the clock: 1 MiB. */
#define MT_PROGRESS_PAGES 256

static void mt_progress_start(struct mt_progress *p, const char *what,
			      u64 pages)
{
	p->what = what;
	p->pages = pages;
	p->t0 = mt_now();
	p->next = mt_progress_ns ? p->t0 + mt_progress_ns : 0;
}

/* @done pages of the pass are through; a line if one is due. */
static void mt_progress_step(struct mt_progress *p, u64 done, u64 errors)
{
	u64 now;

	if (!p->next || done % MT_PROGRESS_PAGES)
		return;
	now = mt_now();
	if (now < p->next)
		return;
	say(MT_FMT_PROGRESS, p->what, (unsigned long long)done,
	    (unsigned long long)p->pages, (unsigned long long)errors,
	    (unsigned long long)(now - p->t0) / 1000000);
	p->next = now + mt_progress_ns;
}

static void mt_sleep(u64 ns)
{
	struct timespec ts = {
		.tv_sec = ns / MT_NS,
		.tv_nsec = ns % MT_NS,
	};

	/* A signal ends the sleep early: the caller looks at mt_stop. */
	nanosleep(&ts, NULL);
}

/* Seconds with two decimals, for key=value output. */
static double mt_secs(u64 ns)
{
	return (double)ns / MT_NS;
}

/* Resident set in KiB from /proc/self/statm; -1 if it cannot be read. */
static long long mt_rss_kib(void)
{
	long long size, resident;
	char buf[128];
	ssize_t n;
	int fd;

	fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%lld %lld", &size, &resident) != 2)
		return -1;
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* --- content ------------------------------------------------------------ */

/* splitmix64's finalizer: a good 64-bit mixing function. */
static u64 mt_mix(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* The key from which every body word of a page version is derived. */
static u64 mt_page_key(u64 seed, u64 page, u32 gen)
{
	return mt_mix(seed ^ mt_mix((page * MT_GOLDEN) ^ (((u64)gen << 40) | gen)));
}

/* Word @i of the expected content of (@seed, @page, @gen). */
static u64 mt_word(u64 key, u64 page, u32 gen, unsigned int i)
{
	if (i == 0)
		return MT_MAGIC | (u64)gen << 32;
	if (i == 1)
		return page;
	return mt_mix(key + i * MT_GOLDEN);
}

static u64 *mt_page(const struct mt_region *r, u64 page)
{
	return (u64 *)(r->base + page * MT_PAGE_SIZE);
}

static void mt_fill_words(u64 *w, u64 seed, u64 page, u32 gen)
{
	u64 key = mt_page_key(seed, page, gen);
	unsigned int i;

	for (i = 0; i < MT_PAGE_WORDS; i++)
		w[i] = mt_word(key, page, gen, i);
}

static void mt_write_page(struct mt_region *r, u64 page, u32 gen)
{
	mt_fill_words(mt_page(r, page), r->seed, page, gen);
}

/* True if the words at @w are the content of (@seed, @page, @gen). */
static bool mt_words_match(const u64 *w, u64 seed, u64 page, u32 gen)
{
	u64 key = mt_page_key(seed, page, gen);
	u64 diff = 0;
	unsigned int i;

	for (i = 0; i < MT_PAGE_WORDS; i++)
		diff |= w[i] ^ mt_word(key, page, gen, i);
	return !diff;
}

/* What a bad page holds instead of its expected content. */
static enum mt_kind mt_classify(const struct mt_region *r, const u64 *w)
{
	u64 page = w[1];
	u32 gen = w[0] >> 32;
	unsigned int i;
	u64 any = 0;

	for (i = 0; i < MT_PAGE_WORDS; i++)
		any |= w[i];
	if (!any)
		return MT_ZERO;
	if ((u32)w[0] != MT_MAGIC || page >= r->cap_pages ||
	    !mt_words_match(w, r->seed, page, gen))
		return MT_CORRUPT;
	/* A complete, valid page version: which one? */
	return page == (u64)(w - mt_page(r, 0)) / MT_PAGE_WORDS ?
		MT_STALE : MT_FOREIGN;
}

/*
 * Report a page that failed its check, then rewrite it with the expected
 * content so that it only counts again if it is corrupted again.
 */
static void mt_bad_page(struct mt_region *r, u64 page, const char *when)
{
	u64 *w = mt_page(r, page);
	u32 gen = r->gen[page];
	u64 key = mt_page_key(r->seed, page, gen);
	unsigned int i, bad_bytes = 0, first = MT_PAGE_WORDS;
	enum mt_kind kind = mt_classify(r, w);

	for (i = 0; i < MT_PAGE_WORDS; i++) {
		u64 d = w[i] ^ mt_word(key, page, gen, i);
		unsigned int b;

		if (!d)
			continue;
		if (first == MT_PAGE_WORDS)
			first = i;
		for (b = 0; b < 8; b++)
			bad_bytes += !!(d >> (8 * b) & 0xff);
	}
	r->errors++;
	if (kind == MT_ZERO)
		r->zero_pages++;
	if (r->log_nr < MT_LOG_MAX) {
		r->log[r->log_nr].page = page;
		r->log[r->log_nr].kind = kind;
		r->log_nr++;
	}
	if (r->lines_left) {
		r->lines_left--;
		say(MT_FMT_ERROR,
		    (unsigned long long)page, mt_kind_name[kind], first * 8,
		    bad_bytes,
		    (unsigned long long)mt_word(key, page, gen, first),
		    (unsigned long long)w[first], gen, (u32)(w[0] >> 32),
		    (unsigned long long)w[1], when);
		if (!r->lines_left)
			say("error-lines-suppressed after=%u", r->log_nr);
	}
	mt_write_page(r, page, gen);
}

/* Check one page; false (and reported, counted, repaired) if it is bad. */
static bool mt_check_page(struct mt_region *r, u64 page, const char *when)
{
	if (mt_words_match(mt_page(r, page), r->seed, page, r->gen[page]))
		return true;
	mt_bad_page(r, page, when);
	return false;
}

/* Check every page in use; returns the bad pages found. */
static u64 mt_verify_all(struct mt_region *r, const char *when)
{
	u64 before = r->errors, page, t0 = mt_now();
	struct mt_progress p;

	mt_progress_start(&p, when, r->nr_pages);
	for (page = 0; page < r->nr_pages; page++) {
		mt_check_page(r, page, when);
		mt_progress_step(&p, page + 1, r->errors);
	}
	say("verify-all when=%s pages=%llu new_errors=%llu errors=%llu ms=%llu",
	    when, (unsigned long long)r->nr_pages,
	    (unsigned long long)(r->errors - before),
	    (unsigned long long)r->errors,
	    (unsigned long long)((mt_now() - t0) / 1000000));
	return r->errors - before;
}

/* Touch one page: check it and, with @write, rewrite it. */
static void mt_touch(struct mt_region *r, u64 page, bool write)
{
	mt_check_page(r, page, "touch");
	if (write) {
		r->gen[page]++;
		mt_write_page(r, page, r->gen[page]);
	}
}

/* --- region ------------------------------------------------------------- */

/*
 * Reserve address space for @cap_pages pages (no memory yet) and the
 * generation array.  Returns 0 or a negative errno.
 */
static int mt_region_init(struct mt_region *r, u64 cap_pages, u64 seed,
			  unsigned int max_error_lines)
{
	memset(r, 0, sizeof(*r));
	r->cap_pages = cap_pages;
	r->seed = seed;
	r->lines_left = max_error_lines;
	r->gen = calloc(cap_pages, sizeof(*r->gen));
	if (!r->gen)
		return -ENOMEM;
	r->base = mmap(NULL, cap_pages * MT_PAGE_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->base == MAP_FAILED) {
		int err = -errno;

		free(r->gen);
		return err;
	}
	return 0;
}

static void mt_region_free(struct mt_region *r)
{
	munmap(r->base, r->cap_pages * MT_PAGE_SIZE);
	free(r->gen);
}

/*
 * Make pages [nr_pages, nr_pages + @nr) usable and write generation 0 to
 * them.  With @populate, fault them in first, so that a failure to get
 * memory is an error code rather than a fault.  Returns 0 or a negative
 * errno (nothing added).
 */
static int mt_region_add(struct mt_region *r, u64 nr, bool populate)
{
	u8 *start = r->base + r->nr_pages * MT_PAGE_SIZE;
	size_t len = nr * MT_PAGE_SIZE;
	struct mt_progress p;
	u64 page;

	if (mprotect(start, len, PROT_READ | PROT_WRITE))
		return -errno;
	/* EINVAL: a kernel older than 5.14; the writes below fault it in. */
	if (populate && madvise(start, len, MADV_POPULATE_WRITE) &&
	    errno != EINVAL) {
		int err = -errno;

		mprotect(start, len, PROT_NONE);
		madvise(start, len, MADV_DONTNEED);
		return err;
	}
	mt_progress_start(&p, "fill", nr);
	for (page = r->nr_pages; page < r->nr_pages + nr; page++) {
		r->gen[page] = 0;
		mt_write_page(r, page, 0);
		mt_progress_step(&p, page + 1 - r->nr_pages, r->errors);
	}
	r->nr_pages += nr;
	return 0;
}

/* --- active set --------------------------------------------------------- */

/**
 * struct mt_active - the pages touched in the loop, in touch order
 * @nr: pages
 * @list: page indices (random pattern), or NULL: pages 0..@nr-1 (seq)
 */
struct mt_active {
	u64 nr;
	u32 *list;
};

static u64 mt_active_page(const struct mt_active *a, u64 k)
{
	return a->list ? a->list[k] : k;
}

/* A value below @bound from a splitmix64 stream (bias < 2^-30). */
static u64 mt_rand_below(u64 *state, u64 bound)
{
	*state += MT_GOLDEN;
	return mt_mix(*state) % bound;
}

/*
 * @nr pages among [0, @nr_pages): the prefix (seq), or the head of a
 * seeded Fisher-Yates shuffle (random: distinct pages spread over the
 * region, in a random order).  Returns 0 or -ENOMEM.
 */
static int mt_active_init(struct mt_active *a, enum mt_pattern pattern,
			  u64 nr, u64 nr_pages, u64 seed)
{
	u64 state = seed ^ 0x6163746976650000ULL, i;
	u32 *list;

	a->nr = nr;
	a->list = NULL;
	if (pattern == MT_SEQ || !nr)
		return 0;
	list = malloc(nr_pages * sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (i = 0; i < nr_pages; i++)
		list[i] = i;
	for (i = 0; i < nr; i++) {
		u64 j = i + mt_rand_below(&state, nr_pages - i);
		u32 t = list[i];

		list[i] = list[j];
		list[j] = t;
	}
	a->list = realloc(list, nr * sizeof(*list)) ?: list;
	return 0;
}

/* --- one instance ------------------------------------------------------- */

static void mt_on_signal(int sig)
{
	unsigned int i, n = atomic_load(&mt_nr_child);

	atomic_store(&mt_stop, 1);
	for (i = 0; i < n; i++)
		kill(mt_child[i], sig);
}

static const char *mt_errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown";
}

/* Grow to --grow-to in steps; false if an allocation failed. */
static bool mt_grow(struct mt_region *r, const struct mt_opts *o)
{
	u64 step_pages = o->grow_step_mib * MT_PAGES_PER_MIB;
	unsigned int step = 0;
	bool ok = true;

	while (r->nr_pages < r->cap_pages && !atomic_load(&mt_stop)) {
		u64 nr = r->cap_pages - r->nr_pages, t0 = mt_now();
		int err;

		if (nr > step_pages)
			nr = step_pages;
		step++;
		err = mt_region_add(r, nr, true);
		if (err) {
			say("grow-failed step=%u total_mib=%llu err=%s errstr=\"%s\"",
			    step,
			    (unsigned long long)(r->nr_pages + nr) /
			    MT_PAGES_PER_MIB, mt_errname(-err), strerror(-err));
			ok = false;
			break;
		}
		say("grow step=%u total_mib=%llu step_ms=%llu rss_kib=%lld",
		    step, (unsigned long long)r->nr_pages / MT_PAGES_PER_MIB,
		    (unsigned long long)(mt_now() - t0) / 1000000,
		    mt_rss_kib());
		if (o->grow_pause_ns)
			mt_sleep(o->grow_pause_ns);
	}
	say("grow-done total_mib=%llu steps=%u failed=%d",
	    (unsigned long long)r->nr_pages / MT_PAGES_PER_MIB, step, !ok);
	return ok;
}

/* The touch loop, until --time or a signal. */
static void mt_loop(struct mt_region *r, const struct mt_active *a,
		    const struct mt_opts *o, u64 *passes, u64 *touched)
{
	u64 start = mt_now(), now = start, pos = 0;
	u64 next_report = o->report_ns ? start + o->report_ns : 0;
	u64 next_verify = o->verify_all_ns ? start + o->verify_all_ns : 0;
	u64 end = o->time_ns ? start + o->time_ns : 0;
	u64 last_at = start, last_passes = 0, last_touched = 0;

	while (!atomic_load(&mt_stop) && (!end || now < end)) {
		if (a->nr) {
			unsigned int i;

			for (i = 0; i < MT_BATCH; i++) {
				mt_touch(r, mt_active_page(a, pos), o->write);
				(*touched)++;
				if (++pos == a->nr) {
					pos = 0;
					(*passes)++;
				}
			}
		} else {
			/* Idle: sleep until the next thing to do. */
			u64 wake = end ? end : now + MT_NS;

			if (next_report && next_report < wake)
				wake = next_report;
			if (next_verify && next_verify < wake)
				wake = next_verify;
			if (wake > now)
				mt_sleep(wake - now);
		}
		now = mt_now();
		if (next_report && now >= next_report) {
			double dt = mt_secs(now - last_at);

			say(MT_FMT_REPORT,
			    mt_secs(now - start), (unsigned long long)*passes,
			    (*passes - last_passes) / dt,
			    (*touched - last_touched) /
			    (double)MT_PAGES_PER_MIB / dt,
			    (unsigned long long)r->errors, mt_rss_kib());
			last_at = now;
			last_passes = *passes;
			last_touched = *touched;
			next_report += o->report_ns;
			if (next_report <= now)
				next_report = now + o->report_ns;
		}
		if (next_verify && now >= next_verify) {
			mt_verify_all(r, "periodic");
			now = mt_now();
			next_verify = now + o->verify_all_ns;
		}
	}
}

static int mt_run(const struct mt_opts *o)
{
	u64 size_pages = o->size_mib * MT_PAGES_PER_MIB;
	u64 cap_pages = size_pages, passes = 0, touched = 0, t0, start;
	struct mt_active active;
	struct mt_region r;
	bool grow_ok = true;
	int err;

	if (o->grow_to_mib > o->size_mib)
		cap_pages = o->grow_to_mib * MT_PAGES_PER_MIB;
	err = mt_region_init(&r, cap_pages, o->seed, o->max_error_lines);
	if (err) {
		say("fatal what=reserve mib=%llu err=%s errstr=\"%s\"",
		    (unsigned long long)cap_pages / MT_PAGES_PER_MIB,
		    mt_errname(-err), strerror(-err));
		return 1;
	}
	say(MT_FMT_START,
	    (unsigned long long)o->size_mib,
	    (unsigned long long)o->active_mib, mt_pattern_name[o->pattern],
	    (unsigned long long)o->seed, o->write, mt_secs(o->time_ns),
	    (unsigned long long)o->grow_to_mib, getpid(), (void *)r.base);

	t0 = mt_now();
	err = mt_region_add(&r, size_pages, o->populate);
	if (!err)
		err = mt_active_init(&active, o->pattern,
				     o->active_mib * MT_PAGES_PER_MIB,
				     size_pages, o->seed);
	if (err) {
		say("fatal what=fill mib=%llu err=%s errstr=\"%s\"",
		    (unsigned long long)o->size_mib, mt_errname(-err),
		    strerror(-err));
		mt_region_free(&r);
		return 1;
	}
	say("ready pages=%llu active_pages=%llu fill_ms=%llu rss_kib=%lld",
	    (unsigned long long)r.nr_pages, (unsigned long long)active.nr,
	    (unsigned long long)(mt_now() - t0) / 1000000, mt_rss_kib());

	if (r.cap_pages > r.nr_pages)
		grow_ok = mt_grow(&r, o);

	start = mt_now();
	mt_loop(&r, &active, o, &passes, &touched);
	if (o->final_check)
		mt_verify_all(&r, "final");
	say(MT_FMT_DONE,
	    mt_secs(mt_now() - start), (unsigned long long)passes,
	    (unsigned long long)touched, (unsigned long long)r.errors,
	    (unsigned long long)r.zero_pages, !grow_ok, mt_rss_kib());
	err = r.errors || !grow_ok;
	free(active.list);
	mt_region_free(&r);
	return err;
}

/* --instances: run copies in child processes, forward signals to them. */
static int mt_run_instances(struct mt_opts *o)
{
	unsigned int i, ok = 0, failed = 0, n = 0;
	u64 seed = o->seed;

	for (i = 0; i < o->instances && !atomic_load(&mt_stop); i++) {
		pid_t pid = fork();

		if (pid < 0) {
			say("fatal what=fork inst=%u err=%s errstr=\"%s\"", i,
			    mt_errname(errno), strerror(errno));
			failed++;
			break;
		}
		if (!pid) {
			atomic_store(&mt_nr_child, 0);
			snprintf(mt_tag, sizeof(mt_tag), "inst=%u ", i);
			o->seed = seed + i;
			_exit(mt_run(o));
		}
		mt_child[n] = pid;
		atomic_store(&mt_nr_child, ++n);
	}
	for (i = 0; i < n; i++) {
		int status;

		while (waitpid(mt_child[i], &status, 0) < 0) {
			if (errno != EINTR) {
				status = -1;
				break;
			}
		}
		if (status != -1 && WIFEXITED(status) && !WEXITSTATUS(status)) {
			ok++;
			continue;
		}
		failed++;
		if (status != -1 && WIFSIGNALED(status))
			say("instance-killed inst=%u signal=%d name=%s", i,
			    WTERMSIG(status), sigabbrev_np(WTERMSIG(status)) ?: "?");
	}
	say("instances n=%u ok=%u failed=%u", o->instances, ok, failed);
	return failed ? 1 : 0;
}

/* --- self-test ---------------------------------------------------------- */

static unsigned int st_passed, st_failed;

#define st_check(ok, name, ...) \
	do { if (0) printf(__VA_ARGS__); st_result(ok, name, __VA_ARGS__); } while (0)

static void st_result(bool ok, const char *name, const char *fmt, ...)
{
	char detail[256] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (ok)
		st_passed++;
	else
		st_failed++;
	say("self-test check=%s result=%s%s%s", name, ok ? "ok" : "FAIL",
	    *detail ? " " : "", detail);
}

/* True if @r logged exactly the bad pages @pages with kinds @kinds. */
static bool st_log_is(const struct mt_region *r, const u64 *pages,
		      const enum mt_kind *kinds, unsigned int nr)
{
	unsigned int i;

	if (r->log_nr != nr)
		return false;
	for (i = 0; i < nr; i++)
		if (r->log[i].page != pages[i] || r->log[i].kind != kinds[i])
			return false;
	return true;
}

static void st_determinism(void)
{
	struct mt_region a, b;
	bool same = true, differ = true, pages_differ = true;
	u64 page;

	if (mt_region_init(&a, 16, 7, 0) || mt_region_add(&a, 16, false) ||
	    mt_region_init(&b, 16, 7, 0) || mt_region_add(&b, 16, false)) {
		st_check(false, "determinism", "why=no-memory");
		return;
	}
	same = !memcmp(a.base, b.base, 16 * MT_PAGE_SIZE);
	mt_region_free(&b);
	if (mt_region_init(&b, 16, 8, 0) || mt_region_add(&b, 16, false)) {
		st_check(false, "determinism", "why=no-memory");
		return;
	}
	for (page = 0; page < 16; page++) {
		/* Another seed: every body word differs. */
		const u64 *x = mt_page(&a, page), *y = mt_page(&b, page);
		unsigned int i;

		for (i = MT_HDR_WORDS; i < MT_PAGE_WORDS; i++)
			differ &= x[i] != y[i];
		if (page)
			pages_differ &= memcmp(mt_page(&a, page - 1) + 2,
					       x + 2, MT_PAGE_SIZE - 16) != 0;
	}
	st_check(same, "same-seed-same-content", "%s", "");
	st_check(differ, "other-seed-other-content", "%s", "");
	st_check(pages_differ, "pages-differ", "%s", "");
	mt_region_free(&a);
	mt_region_free(&b);
}

/* Corrupt pages of a fresh region in every way the checker must catch. */
static void st_detection(void)
{
	static const u64 bad[] = { 3, 10, 20, 30, 40, 500, 777, 1023 };
	static const enum mt_kind kinds[] = {
		MT_CORRUPT, MT_ZERO, MT_CORRUPT, MT_STALE, MT_FOREIGN,
		MT_CORRUPT, MT_CORRUPT, MT_CORRUPT,
	};
	struct mt_region r;
	u64 n, stale[MT_PAGE_WORDS];
	u8 *p;

	if (mt_region_init(&r, 1024, 42, 16) ||
	    mt_region_add(&r, 1024, false)) {
		st_check(false, "detection", "why=no-memory");
		return;
	}
	n = mt_verify_all(&r, "self-test");
	st_check(n == 0, "clean-region-no-errors", "errors=%llu",
		 (unsigned long long)n);

	/* One flipped bit in the very last byte of a page. */
	p = (u8 *)mt_page(&r, 3);
	p[MT_PAGE_SIZE - 1] ^= 0x01;
	/* A whole page of zeroes (a page dropped and faulted back in). */
	memset(mt_page(&r, 10), 0, MT_PAGE_SIZE);
	/* A header field: the generation. */
	mt_page(&r, 20)[0] += 1ULL << 32;
	/* A lost write: generation 1 written and acknowledged, 0 came back. */
	memcpy(stale, mt_page(&r, 30), MT_PAGE_SIZE);
	mt_touch(&r, 30, true);
	memcpy(mt_page(&r, 30), stale, MT_PAGE_SIZE);
	/* Another page's content (a wrong frame mapped). */
	memcpy(mt_page(&r, 40), mt_page(&r, 41), MT_PAGE_SIZE);
	/* A single byte set to zero in the middle of the body. */
	p = (u8 *)mt_page(&r, 500);
	p[2048] = p[2048] ? 0 : 0xff;
	/* The magic. */
	p = (u8 *)mt_page(&r, 777);
	p[0] ^= 0x80;
	/* A byte of the last page of the region. */
	p = (u8 *)mt_page(&r, 1023);
	p[100] ^= 0xff;

	n = mt_verify_all(&r, "self-test");
	st_check(n == 8 && r.errors == 8, "eight-corruptions-eight-errors",
		 "errors=%llu", (unsigned long long)n);
	st_check(st_log_is(&r, bad, kinds, 8), "errors-name-pages-and-kinds",
		 "logged=%u", r.log_nr);
	st_check(r.zero_pages == 1, "one-zero-page", "zero_pages=%llu",
		 (unsigned long long)r.zero_pages);
	n = mt_verify_all(&r, "self-test");
	st_check(n == 0, "bad-pages-repaired", "errors=%llu",
		 (unsigned long long)n);
	mt_region_free(&r);
}

/* The touch loop finds corruption in the active set, the final check
 * outside it.
 */
static void st_loop(void)
{
	static const u64 first[] = { 100 };
	static const u64 both[] = { 100, 700 };
	static const enum mt_kind kinds[] = { MT_ZERO, MT_CORRUPT };
	struct mt_opts o = { .write = true };
	struct mt_active a;
	struct mt_region r;
	u64 passes = 0, touched = 0, page, n;
	bool gens_ok = true;

	if (mt_region_init(&r, 1024, 5, 0) || mt_region_add(&r, 1024, false) ||
	    mt_active_init(&a, MT_SEQ, 256, 1024, 5)) {
		st_check(false, "loop", "why=no-memory");
		return;
	}
	for (page = 0; page < 3 * a.nr; page++)
		mt_touch(&r, mt_active_page(&a, page % a.nr), true);
	for (page = 0; page < 1024; page++)
		gens_ok &= r.gen[page] == (page < 256 ? 3 : 0);
	st_check(gens_ok && !r.errors, "write-passes-advance-generations",
		 "errors=%llu", (unsigned long long)r.errors);

	memset(mt_page(&r, 100), 0, MT_PAGE_SIZE);
	((u8 *)mt_page(&r, 700))[4000] ^= 0x10;
	/*
	 * The real loop for 50 ms: many passes, yet the zeroed page counts
	 * once (it is repaired when found).
	 */
	o.time_ns = 50 * 1000000;
	mt_loop(&r, &a, &o, &passes, &touched);
	st_check(passes >= 2 && r.errors == 1 &&
		 st_log_is(&r, first, kinds, 1),
		 "loop-finds-active-page-once", "passes=%llu errors=%llu",
		 (unsigned long long)passes, (unsigned long long)r.errors);
	n = mt_verify_all(&r, "self-test");
	st_check(n == 1 && st_log_is(&r, both, kinds, 2),
		 "final-check-finds-idle-page", "errors=%llu",
		 (unsigned long long)n);
	free(a.list);
	mt_region_free(&r);
}

static void st_random_set(void)
{
	struct mt_active a, b, c;
	bool distinct = true, in_range = true;
	u8 seen[1024] = { 0 };
	u64 k, spread = 0;

	if (mt_active_init(&a, MT_RANDOM, 300, 1024, 9) ||
	    mt_active_init(&b, MT_RANDOM, 300, 1024, 9) ||
	    mt_active_init(&c, MT_RANDOM, 300, 1024, 10)) {
		st_check(false, "random-set", "why=no-memory");
		return;
	}
	for (k = 0; k < a.nr; k++) {
		u64 page = mt_active_page(&a, k);

		in_range &= page < 1024;
		if (page < 1024) {
			distinct &= !seen[page];
			seen[page] = 1;
			spread += page >= 512;
		}
	}
	st_check(distinct && in_range, "random-set-distinct-pages", "%s", "");
	st_check(spread > 100 && spread < 200, "random-set-spread",
		 "upper_half=%llu", (unsigned long long)spread);
	st_check(!memcmp(a.list, b.list, 300 * sizeof(*a.list)),
		 "random-set-deterministic", "%s", "");
	st_check(memcmp(a.list, c.list, 300 * sizeof(*a.list)) != 0,
		 "random-set-follows-seed", "%s", "");
	free(a.list);
	free(b.list);
	free(c.list);
}

static int mt_self_test(void)
{
	st_determinism();
	st_detection();
	st_loop();
	st_random_set();
	say("self-test passed=%u failed=%u", st_passed, st_failed);
	return st_failed ? 1 : 0;
}

/* --- command line ------------------------------------------------------- */

static const char mt_usage[] =
	"usage: memtouch [options]\n"
	"Fills --size MiB with content that is a function of (seed, page,\n"
	"generation), touches an active set for --time seconds checking every\n"
	"byte of every page it touches, and checks every page at the end.\n"
	"\n"
	"  --size MIB             region to fill (default 64)\n"
	"  --active MIB           active set (default: --size); 0: idle\n"
	"  --pattern seq|random   active set: prefix in order, or pages spread\n"
	"                         over the region in seeded order (default seq)\n"
	"  --seed N               content, active set and order (default 1)\n"
	"  --time S               seconds after the fill (default 10; 0: until\n"
	"                         SIGTERM/SIGINT)\n"
	"  --write                rewrite touched pages (generation + 1)\n"
	"  --report S             progress line every S s (default 5; 0: none)\n"
	"  --verify-all-every S   check all pages every S s (default: at end)\n"
	"  --progress S           progress line every S s of a fill or check\n"
	"                         of every page (default 5; 0: none)\n"
	"  --no-final-check       no check of every page at the end\n"
	"  --grow-to MIB          then grow to MIB in use, in steps\n"
	"  --grow-step MIB        grow step (default 16)\n"
	"  --grow-pause S         pause after each grow step (default 0)\n"
	"  --populate             pre-fault the region (MADV_POPULATE_WRITE)\n"
	"  --instances N          run N copies, seeds seed..seed+N-1\n"
	"  --max-error-lines N    error lines printed (default 32)\n"
	"  --self-test            corrupt a private buffer on purpose and\n"
	"                         require exactly the expected errors\n"
	"\n"
	"Lines: memtouch: start|ready|grow|grow-failed|grow-done|report|\n"
	"progress|verify-all|error|done|instances|self-test key=value...\n"
	"Exit: 0 no error, 1 errors (corruption, allocation, self-test),\n"
	"2 usage.\n";

enum {
	OPT_SIZE = 256,
	OPT_ACTIVE,
	OPT_PATTERN,
	OPT_SEED,
	OPT_TIME,
	OPT_WRITE,
	OPT_REPORT,
	OPT_VERIFY_ALL,
	OPT_PROGRESS,
	OPT_NO_FINAL_CHECK,
	OPT_GROW_TO,
	OPT_GROW_STEP,
	OPT_GROW_PAUSE,
	OPT_POPULATE,
	OPT_INSTANCES,
	OPT_MAX_ERROR_LINES,
	OPT_SELF_TEST,
	OPT_HELP,
};

static const struct option mt_longopts[] = {
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "active", required_argument, NULL, OPT_ACTIVE },
	{ "pattern", required_argument, NULL, OPT_PATTERN },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "write", no_argument, NULL, OPT_WRITE },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "verify-all-every", required_argument, NULL, OPT_VERIFY_ALL },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "no-final-check", no_argument, NULL, OPT_NO_FINAL_CHECK },
	{ "grow-to", required_argument, NULL, OPT_GROW_TO },
	{ "grow-step", required_argument, NULL, OPT_GROW_STEP },
	{ "grow-pause", required_argument, NULL, OPT_GROW_PAUSE },
	{ "populate", no_argument, NULL, OPT_POPULATE },
	{ "instances", required_argument, NULL, OPT_INSTANCES },
	{ "max-error-lines", required_argument, NULL, OPT_MAX_ERROR_LINES },
	{ "self-test", no_argument, NULL, OPT_SELF_TEST },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int mt_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "memtouch: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", mt_usage);
	return 2;
}

/* A decimal integer, all of @s, at most @max. */
static bool mt_parse_u64(const char *s, u64 max, u64 *v)
{
	unsigned long long x;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x > max)
		return false;
	*v = x;
	return true;
}

/* Seconds, decimal fraction allowed, 0 .. 10^7, to nanoseconds. */
static bool mt_parse_secs(const char *s, u64 *ns)
{
	double x;
	char *end;

	if ((*s < '0' || *s > '9') && *s != '.')
		return false;
	errno = 0;
	x = strtod(s, &end);
	if (errno || *end || !(x >= 0 && x <= 1e7))
		return false;
	*ns = (u64)(x * MT_NS + 0.5);
	return true;
}

int main(int argc, char **argv)
{
	struct mt_opts o = {
		.size_mib = 64,
		.active_mib = MT_UNSET,
		.grow_step_mib = 16,
		.seed = 1,
		.time_ns = 10 * MT_NS,
		.report_ns = 5 * MT_NS,
		.progress_ns = 5 * MT_NS,
		.final_check = true,
		.instances = 1,
		.max_error_lines = 32,
	};
	struct sigaction sa = { .sa_handler = mt_on_signal };
	bool self_test = false;
	u64 v = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", mt_longopts, NULL)) != -1) {
		const char *arg = optarg;
		bool ok = true;

		switch (c) {
		case OPT_SIZE:
			ok = mt_parse_u64(arg, MT_MAX_MIB, &o.size_mib) &&
			     o.size_mib;
			break;
		case OPT_ACTIVE:
			ok = mt_parse_u64(arg, MT_MAX_MIB, &o.active_mib);
			break;
		case OPT_PATTERN:
			if (!strcmp(arg, "seq"))
				o.pattern = MT_SEQ;
			else if (!strcmp(arg, "random"))
				o.pattern = MT_RANDOM;
			else
				ok = false;
			break;
		case OPT_SEED:
			ok = mt_parse_u64(arg, ~0ULL, &o.seed);
			break;
		case OPT_TIME:
			ok = mt_parse_secs(arg, &o.time_ns);
			break;
		case OPT_WRITE:
			o.write = true;
			break;
		case OPT_REPORT:
			ok = mt_parse_secs(arg, &o.report_ns);
			break;
		case OPT_VERIFY_ALL:
			ok = mt_parse_secs(arg, &o.verify_all_ns);
			break;
		case OPT_PROGRESS:
			ok = mt_parse_secs(arg, &o.progress_ns);
			break;
		case OPT_NO_FINAL_CHECK:
			o.final_check = false;
			break;
		case OPT_GROW_TO:
			ok = mt_parse_u64(arg, MT_MAX_MIB, &o.grow_to_mib);
			break;
		case OPT_GROW_STEP:
			ok = mt_parse_u64(arg, MT_MAX_MIB, &o.grow_step_mib) &&
			     o.grow_step_mib;
			break;
		case OPT_GROW_PAUSE:
			ok = mt_parse_secs(arg, &o.grow_pause_ns);
			break;
		case OPT_POPULATE:
			o.populate = true;
			break;
		case OPT_INSTANCES:
			ok = mt_parse_u64(arg, MT_MAX_INSTANCES, &v) && v;
			o.instances = v;
			break;
		case OPT_MAX_ERROR_LINES:
			ok = mt_parse_u64(arg, 1000000, &v);
			o.max_error_lines = v;
			break;
		case OPT_SELF_TEST:
			self_test = true;
			break;
		case OPT_HELP:
			fputs(mt_usage, stdout);
			return 0;
		default:
			return mt_usage_error("unknown option%s", "");
		}
		if (!ok)
			return mt_usage_error("bad value '%s'", arg);
	}
	if (optind < argc)
		return mt_usage_error("unexpected argument '%s'", argv[optind]);
	if (o.active_mib == MT_UNSET)
		o.active_mib = o.size_mib;
	if (o.active_mib > o.size_mib)
		return mt_usage_error("--active is larger than --size%s", "");
	if (o.grow_to_mib && o.grow_to_mib < o.size_mib)
		return mt_usage_error("--grow-to is smaller than --size%s", "");

	if (self_test)
		return mt_self_test();
	mt_progress_ns = o.progress_ns;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (o.instances > 1)
		return mt_run_instances(&o);
	return mt_run(&o);
}
