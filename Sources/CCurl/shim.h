#ifndef FEEDBACK_RELAY_CCURL_SHIM_H
#define FEEDBACK_RELAY_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, which Swift cannot
// call; these typed wrappers make each argument kind callable.
static inline CURLcode relay_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode relay_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode relay_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
typedef size_t (*relay_data_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode relay_easy_setopt_callback(CURL *handle, CURLoption option, relay_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode relay_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode relay_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLMcode relay_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

/// CURLMsg's result sits in a union, which Swift imports awkwardly.
static inline CURLcode relay_message_result(const CURLMsg *message) {
    return message->data.result;
}

#endif
