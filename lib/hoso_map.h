/*
 * hoso_map.h: a hash map from byte-string keys to pointers (open
 * addressing, linear probing).  The map owns copies of its keys; the
 * values belong to the caller.
 */
#ifndef HOSO_MAP_H
#define HOSO_MAP_H

#include <stddef.h>

struct hoso_map_entry {
	char *key;
	size_t keylen;
	unsigned long long hash;
	void *value;
};

struct hoso_map {
	struct hoso_map_entry *slots;
	size_t cap;			/* a power of two, or 0 */
	size_t count;
};

void hoso_map_init(struct hoso_map *map);
void hoso_map_release(struct hoso_map *map);	/* frees keys and slots */
void *hoso_map_get(const struct hoso_map *map, const void *key, size_t keylen);
/* Returns the address of the value slot, inserting NULL if absent. */
void **hoso_map_slot(struct hoso_map *map, const void *key, size_t keylen);
/* Iterate: for (i = 0; hoso_map_next(map, &i, &e); ) */
int hoso_map_next(const struct hoso_map *map, size_t *iter, const struct hoso_map_entry **entry);

#endif
