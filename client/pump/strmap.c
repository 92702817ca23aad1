/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * String map. Grows at 1/2 load; no deletion (the include server's maps only
 * grow within their lifetime and are cleared as a whole).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

static size_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static struct strmap_slot *find(const struct strmap *m, const char *key, size_t h)
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct strmap_slot *s = &m->slots[i];

		if (!s->key || (s->hash == h && strcmp(s->key, key) == 0))
			return s;
	}
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_slot *s = find(m, key, hash_str(key));

	return s && s->key ? s->value : NULL;
}

const char *strmap_key(const struct strmap *m, const char *key)
{
	struct strmap_slot *s = find(m, key, hash_str(key));

	return s && s->key ? s->key : NULL;
}

bool strmap_contains(const struct strmap *m, const char *key)
{
	struct strmap_slot *s = find(m, key, hash_str(key));

	return s && s->key;
}

static int grow(struct strmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	struct strmap_slot *old = m->slots;
	size_t ocap = m->cap;

	m->slots = calloc(ncap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].hash) = old[i];
	free(old);
	return 0;
}

int strmap_put(struct strmap *m, const char *key, void *value, void **ret_old)
{
	size_t h = hash_str(key);
	struct strmap_slot *s;

	if ((m->n + 1) * 2 > m->cap) {
		int r = grow(m);

		if (r < 0)
			return r;
	}
	s = find(m, key, h);
	if (s->key) {
		if (ret_old)
			*ret_old = s->value;
		s->value = value;
		return 0;
	}
	s->key = strdup(key);
	if (!s->key)
		return -ENOMEM;
	s->hash = h;
	s->value = value;
	m->n++;
	if (ret_old)
		*ret_old = NULL;
	return 0;
}

bool strmap_next(const struct strmap *m, size_t *i, const char **ret_key, void **ret_value)
{
	for (; *i < m->cap; (*i)++)
		if (m->slots[*i].key) {
			if (ret_key)
				*ret_key = m->slots[*i].key;
			if (ret_value)
				*ret_value = m->slots[*i].value;
			(*i)++;
			return true;
		}
	return false;
}

void strmap_clear(struct strmap *m, void (*free_value)(void *))
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key) {
			if (free_value)
				free_value(m->slots[i].value);
			free(m->slots[i].key);
		}
	free(m->slots);
	*m = (struct strmap){ 0 };
}
