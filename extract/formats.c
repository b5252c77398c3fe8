/*
 * formats.c: the table of built-in source formats, made from the one list
 * in lib/hoso_format.h.  A new format in C is one file defining
 * extract_format_ID and one entry in that list; a CSV export needs no C
 * at all: its source schema makes a format at run time (csv.c,
 * extract_csv_format).
 */
#include <string.h>

#include "extract.h"
#include "hoso_format.h"

#define FORMAT_ENTRY(id, name, landing_day) &extract_format_##id,
static const struct extract_format *const formats[] = { HOSO_BUILTIN_FORMATS(FORMAT_ENTRY) };
#undef FORMAT_ENTRY

const struct extract_format *
extract_format_find(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

const char *
extract_format_names(void)
{
	return hoso_format_builtin_names();
}
