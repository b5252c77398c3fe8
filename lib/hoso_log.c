/*
 * hoso_log.c: diagnostics on stderr, as text lines or as one JSON object
 * per message.  A message is assembled in a per-thread record by the parts
 * of hoso_report() and written with one write(2), so that the lines of
 * concurrent threads and of the runner's children never interleave.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hoso_log.h"
#include "hoso_progress.h"

/* Longest texts kept; longer ones are cut (a diagnostic, not data). */
#define LOG_MSG_MAX 4096
#define LOG_NOTE_MAX 2048
#define LOG_FIELDS_MAX 2048
/*
 * Longest JSON string written for a text of n bytes: escapes make it
 * longer, and the string is cut (at a character) to stay within twice the
 * text's room, so that a JSON line always fits its buffer whole.
 */
#define JSON_ROOM(n) (2 * (n))
#define JSON_NAME_ROOM 256	/* program, event and field names */

static char log_program[64] = "hoso";
static enum hoso_log_format log_format = HOSO_LOG_TEXT;
static enum hoso_log_level log_min_level = HOSO_LOG_INFO;
static long long log_run_id = -1;

static const char *const level_names[] = { "debug", "info", "warning", "error" };

struct log_record {
	bool open;
	enum hoso_log_level level;
	const char *event;
	char msg[LOG_MSG_MAX], detail[LOG_NOTE_MAX], hint[LOG_NOTE_MAX];
	char fields[LOG_FIELDS_MAX];	/* ,"key":value ... already encoded */
	size_t fields_len;
};

static __thread struct log_record record;

static bool
level_from_name(const char *s, enum hoso_log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum hoso_log_level) i;
			return true;
		}
	}
	return false;
}

void
hoso_log_init(const char *progname)
{
	const char *slash = strrchr(progname, '/');
	const char *env;

	snprintf(log_program, sizeof(log_program), "%s", slash ? slash + 1 : progname);
	env = getenv("HOSO_LOG_FORMAT");
	if (env && strcmp(env, "json") == 0)
		log_format = HOSO_LOG_JSON;
	env = getenv("HOSO_LOG_LEVEL");
	if (env)
		(void) level_from_name(env, &log_min_level);
	if (getenv("HOSO_DEBUG"))
		log_min_level = HOSO_LOG_DEBUG;
	env = getenv("HOSO_RUN_ID");
	if (env && *env) {
		char *end;
		long long id = strtoll(env, &end, 10);

		if (*end == '\0' && id > 0)
			log_run_id = id;
	}
}

void
hoso_log_set_format(enum hoso_log_format format)
{
	log_format = format;
	setenv("HOSO_LOG_FORMAT", format == HOSO_LOG_JSON ? "json" : "text", 1);
}

void
hoso_log_set_level(enum hoso_log_level level)
{
	log_min_level = level;
	setenv("HOSO_LOG_LEVEL", level_names[level], 1);
}

void
hoso_log_set_run_id(long long run_id)
{
	char num[32];

	log_run_id = run_id;
	if (run_id < 0) {
		unsetenv("HOSO_RUN_ID");
		return;
	}
	snprintf(num, sizeof(num), "%lld", run_id);
	setenv("HOSO_RUN_ID", num, 1);
}

bool
hoso_log_enabled(enum hoso_log_level level)
{
	return level >= log_min_level;
}

bool
hoso_log_is_json(void)
{
	return log_format == HOSO_LOG_JSON;
}

const char *
hoso_log_program(void)
{
	return log_program;
}

/* A bounded output line; what does not fit is cut. */
struct line {
	/* the fixed fields, msg, detail, hint and fields at their longest */
	char buf[4 * JSON_NAME_ROOM + JSON_ROOM(LOG_MSG_MAX) + 2 * JSON_ROOM(LOG_NOTE_MAX) +
		 LOG_FIELDS_MAX + 256];
	size_t len;
};

static void
line_add(struct line *l, const char *s, size_t n)
{
	size_t room = sizeof(l->buf) - 1 - l->len;	/* keep one byte for the newline */

	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void
line_addstr(struct line *l, const char *s)
{
	line_add(l, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t
utf8_length(const unsigned char *s)
{
	size_t n;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/*
 * s as a JSON string of at most room bytes between its quotes, cut at a
 * character.  Messages quote input, which may be any bytes: a byte that is
 * not UTF-8 becomes U+FFFD so that the line stays JSON.
 */
static void
line_add_json_string(struct line *l, const char *s, size_t room)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t used = 0;

	line_add(l, "\"", 1);
	while (*p) {
		size_t n = utf8_length(p);
		char esc[8];
		const char *piece = esc;
		size_t len;

		if (n == 0) {
			piece = "\\ufffd";
			n = 1;
		} else if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char) *p;
			esc[2] = '\0';
		} else if (*p == '\n') {
			piece = "\\n";
		} else if (*p == '\t') {
			piece = "\\t";
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
		} else {
			piece = NULL;
		}
		len = piece ? strlen(piece) : n;
		if (used + len > room)
			break;
		line_add(l, piece ? piece : (const char *) p, len);
		used += len;
		p += n;
	}
	line_add(l, "\"", 1);
}

static void
line_write(struct line *l)
{
	size_t off = 0;

	l->buf[l->len++] = '\n';
	hoso_progress_interrupt();	/* a progress line on the terminal gives way */
	while (off < l->len) {
		ssize_t n = write(STDERR_FILENO, l->buf + off, l->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* nowhere left to report it */
		off += (size_t) n;
	}
}

static void
text_line(const char *label, const char *text)
{
	struct line l;

	l.len = 0;
	line_addstr(&l, log_program);
	line_addstr(&l, ": ");
	if (label) {
		line_addstr(&l, label);
		line_addstr(&l, ": ");
	}
	/*
	 * One line per part, even when the text holds a newline; other control
	 * characters (a file name's carriage return or terminal escape) as \xNN,
	 * so that no name can forge or hide a line.
	 */
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char) *p;

		if (c == '\n') {
			line_add(&l, " ", 1);
		} else if (c < 0x20 || c == 0x7f) {
			char esc[5];

			snprintf(esc, sizeof(esc), "\\x%02x", c);
			line_add(&l, esc, 4);
		} else {
			line_add(&l, p, 1);
		}
	}
	line_write(&l);
}

static void
emit_text(const struct log_record *r)
{
	text_line(r->level == HOSO_LOG_INFO ? NULL : level_names[r->level], r->msg);
	if (r->detail[0])
		text_line("detail", r->detail);
	if (r->hint[0])
		text_line("hint", r->hint);
}

static void
emit_json(const struct log_record *r)
{
	struct line l;
	struct timespec now;
	struct tm tm;
	char stamp[48], num[32];

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp), ".%03ldZ",
		 now.tv_nsec / 1000000);
	l.len = 0;
	line_addstr(&l, "{\"ts\":\"");
	line_addstr(&l, stamp);
	line_addstr(&l, "\",\"level\":\"");
	line_addstr(&l, level_names[r->level]);
	line_addstr(&l, "\",\"program\":");
	line_add_json_string(&l, log_program, JSON_NAME_ROOM);
	line_addstr(&l, ",\"run_id\":");
	if (log_run_id >= 0) {
		snprintf(num, sizeof(num), "%lld", log_run_id);
		line_addstr(&l, num);
	} else {
		line_addstr(&l, "null");
	}
	line_addstr(&l, ",\"event\":");
	line_add_json_string(&l, r->event ? r->event : "message", JSON_NAME_ROOM);
	line_addstr(&l, ",\"msg\":");
	line_add_json_string(&l, r->msg, JSON_ROOM(LOG_MSG_MAX));
	if (r->detail[0]) {
		line_addstr(&l, ",\"detail\":");
		line_add_json_string(&l, r->detail, JSON_ROOM(LOG_NOTE_MAX));
	}
	if (r->hint[0]) {
		line_addstr(&l, ",\"hint\":");
		line_add_json_string(&l, r->hint, JSON_ROOM(LOG_NOTE_MAX));
	}
	line_add(&l, r->fields, r->fields_len);
	line_add(&l, "}", 1);
	line_write(&l);
}

bool
hoso_log_begin(enum hoso_log_level level)
{
	if (level < log_min_level)
		return false;
	record.open = true;
	record.level = level;
	record.event = NULL;
	record.msg[0] = record.detail[0] = record.hint[0] = '\0';
	record.fields_len = 0;
	return true;
}

/* No trailing newline or space; the primary message on one line. */
static void
tidy(char *s, bool one_line)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	for (; one_line && *s; s++)
		if (*s == '\n')
			*s = ' ';
}

void
hoso_log_end(void)
{
	if (!record.open)
		return;
	record.open = false;
	tidy(record.msg, true);
	tidy(record.detail, false);
	tidy(record.hint, false);
	if (log_format == HOSO_LOG_JSON)
		emit_json(&record);
	else
		emit_text(&record);
}

int
hoso_log_text(enum hoso_log_part part, const char *fmt, ...)
{
	char *text = part == HOSO_LOG_MSG ? record.msg
		: part == HOSO_LOG_DETAIL ? record.detail : record.hint;
	size_t size = part == HOSO_LOG_MSG ? sizeof(record.msg) : LOG_NOTE_MAX;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, size, fmt, ap);
	va_end(ap);
	return 0;
}

int
hoso_log_event(const char *name)
{
	record.event = name;
	return 0;
}

/* Append ,"key":value unless it would be cut (a half field breaks the JSON). */
static void
add_field(const char *key, const char *json_value, bool quote)
{
	struct line l;

	l.len = 0;
	line_add(&l, ",", 1);
	line_add_json_string(&l, key, JSON_NAME_ROOM);
	line_add(&l, ":", 1);
	if (quote)
		line_add_json_string(&l, json_value, LOG_FIELDS_MAX / 2);
	else
		line_addstr(&l, json_value);
	if (record.fields_len + l.len <= sizeof(record.fields)) {
		memcpy(record.fields + record.fields_len, l.buf, l.len);
		record.fields_len += l.len;
	}
}

int
hoso_log_str(const char *key, const char *value)
{
	if (value)
		add_field(key, value, true);
	else
		add_field(key, "null", false);
	return 0;
}

int
hoso_log_int(const char *key, long long value)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", value);
	add_field(key, num, false);
	return 0;
}

int
hoso_log_real(const char *key, double value)
{
	char num[64];

	snprintf(num, sizeof(num), "%.6g", value);
	add_field(key, strchr(num, 'n') || strchr(num, 'i') ? "null" : num, false);	/* nan, inf */
	return 0;
}

void
hoso_vlog(enum hoso_log_level level, const char *fmt, va_list ap)
{
	if (!hoso_log_begin(level))
		return;
	vsnprintf(record.msg, sizeof(record.msg), fmt, ap);
	hoso_log_end();
}

void
hoso_log(enum hoso_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hoso_vlog(level, fmt, ap);
	va_end(ap);
}

void
hoso_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hoso_vlog(HOSO_LOG_ERROR, fmt, ap);
	va_end(ap);
	exit(HOSO_EXIT_FAILED);
}

void *
hoso_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		hoso_die("out of memory (%zu bytes)", size);
	return p;
}

void *
hoso_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		hoso_die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
hoso_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		hoso_die("out of memory (%zu bytes)", size);
	return p;
}

char *
hoso_xstrdup(const char *s)
{
	return hoso_xstrndup(s, strlen(s));
}

char *
hoso_xstrndup(const char *s, size_t n)
{
	char *p = hoso_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
