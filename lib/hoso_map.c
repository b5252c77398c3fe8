/*
 * hoso_map.c: open-addressing hash map, load factor kept under 1/2.
 */
#include <stdlib.h>
#include <string.h>

#include "hoso_log.h"
#include "hoso_map.h"
#include "hoso_text.h"

void
hoso_map_init(struct hoso_map *map)
{
	map->slots = NULL;
	map->cap = 0;
	map->count = 0;
}

void
hoso_map_release(struct hoso_map *map)
{
	for (size_t i = 0; i < map->cap; i++)
		free(map->slots[i].key);
	free(map->slots);
	hoso_map_init(map);
}

static struct hoso_map_entry *
find(const struct hoso_map *map, const void *key, size_t keylen, unsigned long long hash)
{
	size_t mask = map->cap - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct hoso_map_entry *e = &map->slots[i];

		if (!e->key)
			return e;
		if (e->hash == hash && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
			return e;
	}
}

static void
grow(struct hoso_map *map)
{
	struct hoso_map_entry *old = map->slots;
	size_t oldcap = map->cap;

	map->cap = oldcap ? oldcap * 2 : 64;
	map->slots = hoso_xcalloc(map->cap, sizeof(*map->slots));
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].key)
			*find(map, old[i].key, old[i].keylen, old[i].hash) = old[i];
	}
	free(old);
}

void *
hoso_map_get(const struct hoso_map *map, const void *key, size_t keylen)
{
	if (map->cap == 0)
		return NULL;
	struct hoso_map_entry *e = find(map, key, keylen, hoso_hash64(key, keylen, 0));
	return e->key ? e->value : NULL;
}

void **
hoso_map_slot(struct hoso_map *map, const void *key, size_t keylen)
{
	unsigned long long hash = hoso_hash64(key, keylen, 0);
	struct hoso_map_entry *e;

	if ((map->count + 1) * 2 > map->cap)
		grow(map);
	e = find(map, key, keylen, hash);
	if (!e->key) {
		e->key = hoso_xstrndup(key, keylen);
		e->keylen = keylen;
		e->hash = hash;
		e->value = NULL;
		map->count++;
	}
	return &e->value;
}

int
hoso_map_next(const struct hoso_map *map, size_t *iter, const struct hoso_map_entry **entry)
{
	while (*iter < map->cap) {
		const struct hoso_map_entry *e = &map->slots[(*iter)++];

		if (e->key) {
			*entry = e;
			return 1;
		}
	}
	return 0;
}
