/*
 * unit.h: the unit tests' tiny harness.  Each CHECK names what it proves;
 * the binary prints "N passed, M failed" and exits non-zero on a failure.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond, what) do { \
	if (cond) { \
		unit_passed++; \
	} else { \
		unit_failed++; \
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what); \
	} \
} while (0)

#define CHECK_EQ_LL(actual, expected, what) do { \
	long long a_ = (long long) (actual), e_ = (long long) (expected); \
	if (a_ == e_) { \
		unit_passed++; \
	} else { \
		unit_failed++; \
		fprintf(stderr, "FAIL %s:%d: %s: got %lld, expected %lld\n", \
			__FILE__, __LINE__, what, a_, e_); \
	} \
} while (0)

#define CHECK_EQ_STR(actual, expected, what) do { \
	const char *a_ = (actual), *e_ = (expected); \
	if (a_ && e_ && strcmp(a_, e_) == 0) { \
		unit_passed++; \
	} else { \
		unit_failed++; \
		fprintf(stderr, "FAIL %s:%d: %s: got \"%s\", expected \"%s\"\n", \
			__FILE__, __LINE__, what, a_ ? a_ : "(null)", e_ ? e_ : "(null)"); \
	} \
} while (0)

static inline int
unit_summary(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
