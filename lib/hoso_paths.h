/*
 * hoso_paths.h: where things are on disk.
 *
 * hoso_datadir: where hoso's own data is (the directory holding
 * schemas/ and pipelines/), found from the program's place so that an
 * installed tree can move: PREFIX/bin/PROG -> PREFIX/share/hoso; a build's
 * bin/PROG or build-san/bin/PROG -> the source tree.  $HOSO_DATADIR, when
 * set, wins.
 */
#ifndef HOSO_PATHS_H
#define HOSO_PATHS_H

#include <stdbool.h>

/* The directory (absolute, no trailing slash), or NULL when none is found. */
const char *hoso_datadir(void);

/* "dir/name", newly allocated: the caller frees it. */
char *hoso_path_join(const char *dir, const char *name);

/*
 * Create dir and its missing parents with mode 0700 (state that may hold
 * personal data: readable by its owner only).  false after a message.
 */
bool hoso_make_dirs(const char *dir);
/* Likewise for the directory that holds file (nothing when it has no '/'). */
bool hoso_make_parent_dirs(const char *file);

#endif
