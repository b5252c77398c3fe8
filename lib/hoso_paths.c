/*
 * hoso_paths.c: see hoso_paths.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoso_log.h"
#include "hoso_paths.h"

static bool
holds_schemas(const char *dir)
{
	char path[PATH_MAX + 64];
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/schemas/warehouse", dir);

	return n > 0 && (size_t) n < sizeof(path) && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *
hoso_datadir(void)
{
	/* installed, a build in the source tree, a sanitizer build */
	static const char *const beside[] = { "/../share/hoso", "/..", "/../.." };
	static char found[PATH_MAX];
	static bool looked;
	const char *env = getenv("HOSO_DATADIR");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env)
		return env;
	if (looked)
		return found[0] ? found : NULL;
	looked = true;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
		char path[PATH_MAX + 32];

		snprintf(path, sizeof(path), "%s%s", exe, beside[i]);
		if (holds_schemas(path) && realpath(path, found))
			return found;
	}
	found[0] = '\0';
	return NULL;
}

char *
hoso_path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = hoso_xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

bool
hoso_make_dirs(const char *dir)
{
	char *path = hoso_xstrdup(dir);
	bool ok = true;

	for (char *p = path + 1; *p && ok; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		ok = mkdir(path, 0700) == 0 || errno == EEXIST;
		*p = '/';
	}
	if (ok)
		ok = mkdir(path, 0700) == 0 || errno == EEXIST;
	if (!ok)
		hoso_error("cannot create the directory \"%s\": %s", dir, strerror(errno));
	free(path);
	return ok;
}

bool
hoso_make_parent_dirs(const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir;
	bool ok;

	if (!slash || slash == file)
		return true;
	dir = hoso_xstrndup(file, (size_t) (slash - file));
	ok = hoso_make_dirs(dir);
	free(dir);
	return ok;
}
