#ifndef FEEDBACK_RELAY_CLIBCRYPTO_SHIM_H
#define FEEDBACK_RELAY_CLIBCRYPTO_SHIM_H

// HMAC() is deprecated in OpenSSL 3 in favour of EVP_MAC, which fetches the algorithm on every
// call; the one-shot HMAC() is faster on the hot path and stays in OpenSSL 3's ABI.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

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

/// SHA-256 of data into out (32 bytes); returns 1 on success.
static inline int relay_sha256(const unsigned char *data, size_t dataLength, unsigned char *out) {
    unsigned int outLength = 0;
    return EVP_Digest(data, dataLength, out, &outLength, EVP_sha256(), NULL);
}

#endif
