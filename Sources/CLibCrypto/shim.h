#ifndef FEEDBACK_RELAY_CLIBCRYPTO_SHIM_H
#define FEEDBACK_RELAY_CLIBCRYPTO_SHIM_H

// HMAC() is deprecated in OpenSSL 3 in favour of EVP_MAC, which fetches the algorithm on every
// call; the one-shot HMAC() is faster on the hot path and stays in OpenSSL 3's ABI.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/sha.h>
#include <string.h>

static inline int relay_openssl_init(void) {
    return OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
}

/// One-shot HMAC; returns the MAC length, or 0 on failure.
static inline unsigned int relay_hmac(int algorithm, const void *key, int keyLength,
                                      const unsigned char *data, size_t dataLength,
                                      unsigned char *out) {
    const EVP_MD *md;
    switch (algorithm) {
    case 1: md = EVP_sha1(); break;
    case 256: md = EVP_sha256(); break;
    case 512: md = EVP_sha512(); break;
    default: return 0;
    }
    unsigned int outLength = 0;
    if (HMAC(md, key, keyLength, data, dataLength, out, &outLength) == NULL) {
        return 0;
    }
    return outLength;
}

/// HMAC's two hash states with the key already absorbed (the key XOR ipad, and XOR opad), for a secret
/// that signs many requests. A MAC then copies the states and hashes only the message and the inner
/// digest: no allocation, no algorithm fetch, no key setup. EVP_MAC_CTX_dup and _free per request cost
/// more than hashing a webhook's body (README, Performance). Only read once made, so threads share it.
typedef struct {
    int algorithm;
    union {
        SHA_CTX sha1;
        SHA256_CTX sha256;
        SHA512_CTX sha512;
    } inner, outer;
} relay_hmac_key;

/// Fills key for algorithm (1, 256 or 512) and secret; returns 1, or 0 for an unknown algorithm.
static inline int relay_hmac_key_init(relay_hmac_key *key, int algorithm, const unsigned char *secret, size_t secretLength) {
    size_t block = algorithm == 512 ? 128 : 64;
    unsigned char pad[128] = {0};
    if (algorithm != 1 && algorithm != 256 && algorithm != 512) return 0;
    key->algorithm = algorithm;
    // A secret longer than the hash's block is hashed first (RFC 2104).
    if (secretLength > block) {
        switch (algorithm) {
        case 1: SHA1(secret, secretLength, pad); break;
        case 256: SHA256(secret, secretLength, pad); break;
        default: SHA512(secret, secretLength, pad); break;
        }
    } else if (secretLength > 0) {
        memcpy(pad, secret, secretLength);
    }
    unsigned char inner[128], outer[128];
    for (size_t i = 0; i < block; i++) {
        inner[i] = pad[i] ^ 0x36;
        outer[i] = pad[i] ^ 0x5c;
    }
    // The three families differ only in their names and context types.
#define RELAY_HMAC_ABSORB_PADS(FAMILY, FIELD) \
    FAMILY##_Init(&key->inner.FIELD); FAMILY##_Update(&key->inner.FIELD, inner, block); \
    FAMILY##_Init(&key->outer.FIELD); FAMILY##_Update(&key->outer.FIELD, outer, block)
    switch (algorithm) {
    case 1: RELAY_HMAC_ABSORB_PADS(SHA1, sha1); break;
    case 256: RELAY_HMAC_ABSORB_PADS(SHA256, sha256); break;
    default: RELAY_HMAC_ABSORB_PADS(SHA512, sha512); break;
    }
#undef RELAY_HMAC_ABSORB_PADS
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
    OPENSSL_cleanse(outer, sizeof outer);
    return 1;
}

/// The MAC of data under key into out (64 bytes of room); returns its length.
static inline size_t relay_hmac_key_mac(const relay_hmac_key *key, const unsigned char *data, size_t dataLength, unsigned char *out) {
    // Inner hash of the message, then the outer hash of that digest, each from a copy of its keyed state.
#define RELAY_HMAC_FINISH(FAMILY, CONTEXT, FIELD, LENGTH) { \
        CONTEXT context = key->inner.FIELD; \
        FAMILY##_Update(&context, data, dataLength); FAMILY##_Final(out, &context); \
        context = key->outer.FIELD; \
        FAMILY##_Update(&context, out, LENGTH); FAMILY##_Final(out, &context); \
        OPENSSL_cleanse(&context, sizeof context); \
        return LENGTH; \
    }
    switch (key->algorithm) {
    case 1: RELAY_HMAC_FINISH(SHA1, SHA_CTX, sha1, 20)
    case 256: RELAY_HMAC_FINISH(SHA256, SHA256_CTX, sha256, 32)
    default: RELAY_HMAC_FINISH(SHA512, SHA512_CTX, sha512, 64)
    }
#undef RELAY_HMAC_FINISH
}

/// SHA-256 of data into out (32 bytes); returns 1 on success.
static inline int relay_sha256(const unsigned char *data, size_t dataLength, unsigned char *out) {
    unsigned int outLength = 0;
    return EVP_Digest(data, dataLength, out, &outLength, EVP_sha256(), NULL);
}

#endif
