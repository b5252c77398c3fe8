/*
 * hoso_format.c: the built-in source formats' needs (hoso_format.h).
 */
#include <string.h>

#include "hoso_format.h"

#define BUILTIN_ENTRY(id, fmt_name, landing_day) { fmt_name, false, landing_day },
static const struct hoso_format builtin[] = { HOSO_BUILTIN_FORMATS(BUILTIN_ENTRY) };
#undef BUILTIN_ENTRY

static const struct hoso_format csv_schema = { NULL, true, true };

const struct hoso_format *
hoso_format_find(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(builtin[i].name, name) == 0)
			return &builtin[i];
	return &csv_schema;
}

const char *
hoso_format_builtin_names(void)
{
#define NAME_ENTRY(id, fmt_name, landing_day) ", " fmt_name
	/* skip the first ", " */
	return &(HOSO_BUILTIN_FORMATS(NAME_ENTRY))[2];
#undef NAME_ENTRY
}
