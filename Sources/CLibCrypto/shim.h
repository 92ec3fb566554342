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

/// An HMAC context keyed once, for a secret that signs many requests: EVP_MAC_init hashes the key
/// and fetches the algorithm, which the one-shot HMAC() does again on every call. NULL on failure.
static inline EVP_MAC_CTX *relay_hmac_key_new(int algorithm, const void *key, size_t keyLength) {
    const char *digest;
    switch (algorithm) {
    case 1: digest = "SHA1"; break;
    case 256: digest = "SHA256"; break;
    case 512: digest = "SHA512"; break;
    default: return NULL;
    }
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (context == NULL) return NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_init(context, key, keyLength, params) != 1) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    return context;
}

/// The MAC of data under a key from relay_hmac_key_new, which is only read (a copy takes the data), so
/// threads may share it. Returns the MAC length, or 0 on failure.
static inline size_t relay_hmac_key_mac(const EVP_MAC_CTX *key, const unsigned char *data, size_t dataLength,
                                        unsigned char *out, size_t outSize) {
    EVP_MAC_CTX *context = EVP_MAC_CTX_dup(key);
    if (context == NULL) return 0;
    size_t outLength = 0;
    if (EVP_MAC_update(context, data, dataLength) != 1 || EVP_MAC_final(context, out, &outLength, outSize) != 1) {
        outLength = 0;
    }
    EVP_MAC_CTX_free(context);
    return outLength;
}

/// SHA-256 of data into out (32 bytes); returns 1 on success.
static inline int relay_sha256(const unsigned char *data, size_t dataLength, unsigned char *out) {
    unsigned int outLength = 0;
    return EVP_Digest(data, dataLength, out, &outLength, EVP_sha256(), NULL);
}

#endif
