/*
 * hoso_sha256.c: SHA-256 and HMAC-SHA-256 (RFC 2104) on libcrypto EVP
 * digests.  HMAC is built from two digest states so that a key prepared once
 * serves every record of a run without re-fetching algorithms per call.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "hoso_log.h"
#include "hoso_sha256.h"

#define SHA256_BLOCK 64
#define SHA256_LEN 32

static void
to_hex(const unsigned char *md, char hex[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

static EVP_MD_CTX *
new_sha256_ctx(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		hoso_die("libcrypto: cannot initialise SHA-256");
	return ctx;
}

void
hoso_sha256_init(struct hoso_sha256 *sha)
{
	sha->ctx = new_sha256_ctx();
}

void
hoso_sha256_update(struct hoso_sha256 *sha, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(sha->ctx, data, len) != 1)
		hoso_die("libcrypto: SHA-256 update failed");
}

void
hoso_sha256_final_hex(struct hoso_sha256 *sha, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(sha->ctx, md, &n) != 1 || n != SHA256_LEN)
		hoso_die("libcrypto: SHA-256 final failed");
	to_hex(md, hex);
	EVP_MD_CTX_free(sha->ctx);
	sha->ctx = NULL;
}

void
hoso_hmac_init(struct hoso_hmac *h, const void *key, size_t keylen)
{
	unsigned char k[SHA256_BLOCK] = { 0 };
	unsigned char pad[SHA256_BLOCK];

	if (keylen > SHA256_BLOCK) {
		/* RFC 2104: keys longer than a block are hashed first */
		EVP_MD_CTX *c = new_sha256_ctx();
		unsigned int n;

		if (EVP_DigestUpdate(c, key, keylen) != 1 || EVP_DigestFinal_ex(c, k, &n) != 1)
			hoso_die("libcrypto: SHA-256 failed");
		EVP_MD_CTX_free(c);
	} else if (keylen) {
		memcpy(k, key, keylen);
	}
	h->inner = new_sha256_ctx();
	h->outer = new_sha256_ctx();
	h->work = EVP_MD_CTX_new();
	if (!h->work)
		hoso_die("libcrypto: out of memory");
	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	hoso_sha256_update(&(struct hoso_sha256) { h->inner }, pad, sizeof(pad));
	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	hoso_sha256_update(&(struct hoso_sha256) { h->outer }, pad, sizeof(pad));
	memset(k, 0, sizeof(k));
	memset(pad, 0, sizeof(pad));
}

bool
hoso_hmac_key_unusable(const char *key, char *why, size_t len)
{
	enum { min_bytes = 32 };

	if (!key)
		snprintf(why, len, "needs the key in the environment variable HOSO_HMAC_KEY, "
			 "which is not set");
	else if (strlen(key) < min_bytes)
		snprintf(why, len, "needs a key of at least %d bytes in "
			 "HOSO_HMAC_KEY, which has %zu (make one with: openssl rand -hex 32)",
			 min_bytes, strlen(key));
	else
		return false;
	return true;
}

void
hoso_hmac_release(struct hoso_hmac *h)
{
	EVP_MD_CTX_free(h->inner);
	EVP_MD_CTX_free(h->outer);
	EVP_MD_CTX_free(h->work);
	h->inner = h->outer = h->work = NULL;
}

void
hoso_hmac_hex(struct hoso_hmac *h, const void *msg, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n;

	if (EVP_MD_CTX_copy_ex(h->work, h->inner) != 1 ||
	    (len && EVP_DigestUpdate(h->work, msg, len) != 1) ||
	    EVP_DigestFinal_ex(h->work, md, &n) != 1 ||
	    EVP_MD_CTX_copy_ex(h->work, h->outer) != 1 ||
	    EVP_DigestUpdate(h->work, md, n) != 1 ||
	    EVP_DigestFinal_ex(h->work, md, &n) != 1)
		hoso_die("libcrypto: HMAC-SHA-256 failed");
	to_hex(md, hex);
}
