/*
 * hoso_sha256.h: SHA-256 and HMAC-SHA-256 over libcrypto's EVP interface.
 *
 * Used for file identity (the ledger's sha256), staging MANIFEST checksums
 * and the keyed hashes that replace personal data.
 */
#ifndef HOSO_SHA256_H
#define HOSO_SHA256_H

#include <stdbool.h>
#include <stddef.h>

struct evp_md_ctx_st;

struct hoso_sha256 {
	struct evp_md_ctx_st *ctx;	/* owned; freed by hoso_sha256_final_hex */
};

void hoso_sha256_init(struct hoso_sha256 *sha);
void hoso_sha256_update(struct hoso_sha256 *sha, const void *data, size_t len);
/* Writes 64 hex digits and a NUL; releases the context (init again to reuse). */
void hoso_sha256_final_hex(struct hoso_sha256 *sha, char hex[65]);


/*
 * A key prepared once for many messages: the inner and outer pad blocks are
 * hashed at init, so each message costs two short digests.
 */
struct hoso_hmac {
	struct evp_md_ctx_st *inner;	/* owned: state after (key ^ ipad) */
	struct evp_md_ctx_st *outer;	/* owned: state after (key ^ opad) */
	struct evp_md_ctx_st *work;	/* owned: scratch */
};

void hoso_hmac_init(struct hoso_hmac *h, const void *key, size_t keylen);
/*
 * Why key (HOSO_HMAC_KEY's value, NULL when it is not set) cannot hash
 * personal data, written to why ("needs ..."); false when it can.  A short key makes the
 * hashes of names and ID numbers easy to reverse.
 */
bool hoso_hmac_key_unusable(const char *key, char *why, size_t len);
void hoso_hmac_release(struct hoso_hmac *h);
void hoso_hmac_hex(struct hoso_hmac *h, const void *msg, size_t len, char hex[65]);

#endif
