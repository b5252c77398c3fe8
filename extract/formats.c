/*
 * formats.c: the table of built-in source formats.  A new format in C is
 * one file defining a struct extract_format and one entry here; a CSV
 * export needs no C at all: its source schema makes a format at run time
 * (csv.c, extract_csv_format).
 */
#include <string.h>

#include "extract.h"

static const struct extract_format *const formats[] = {
	&extract_format_dvcqg,
};

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
	/* one built-in format for now; join the names here when there are more */
	return formats[0]->name;
}
