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

typedef int (*relay_socket_callback)(CURL *easy, curl_socket_t socket, int what, void *context, void *socket_context);
typedef int (*relay_timer_callback)(CURLM *multi, long timeout_ms, void *context);
static inline CURLMcode relay_multi_setopt_pointer(CURLM *handle, CURLMoption option, void *value) {
    return curl_multi_setopt(handle, option, value);
}
static inline CURLMcode relay_multi_setopt_socket_callback(CURLM *handle, relay_socket_callback value) {
    return curl_multi_setopt(handle, CURLMOPT_SOCKETFUNCTION, value);
}
static inline CURLMcode relay_multi_setopt_timer_callback(CURLM *handle, relay_timer_callback value) {
    return curl_multi_setopt(handle, CURLMOPT_TIMERFUNCTION, value);
}
static const curl_socket_t relay_socket_timeout = CURL_SOCKET_TIMEOUT;

#ifdef __linux__
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

// The curl thread's epoll. epoll_event is packed and holds a union, which Swift imports awkwardly, so
// watching a socket and reading what is ready happen here, in libcurl's terms (CURL_POLL_*, CURL_CSELECT_*).
/// `watched`: the socket is in the set already (libcurl keeps a mark for it, see curl_multi_assign).
static inline int relay_epoll_watch(int epoll, curl_socket_t socket, int what, int watched) {
    if (what == CURL_POLL_REMOVE) {
        // libcurl may have closed it already, which removed it from the set.
        return epoll_ctl(epoll, EPOLL_CTL_DEL, socket, NULL) == 0 || errno == EBADF || errno == ENOENT ? 0 : -1;
    }
    struct epoll_event event = {0};
    event.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
    event.data.fd = socket;
    return epoll_ctl(epoll, watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, socket, &event);
}

/// Waits up to timeout_ms (-1: no limit) for up to capacity ready descriptors; returns how many, or -1.
static inline int relay_epoll_wait(int epoll, int *descriptors, int *readiness, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    int count = epoll_wait(epoll, events, capacity < 64 ? capacity : 64, timeout_ms);
    for (int index = 0; index < count; index++) {
        uint32_t ready = events[index].events;
        descriptors[index] = events[index].data.fd;
        readiness[index] = ((ready & (EPOLLIN | EPOLLHUP)) ? CURL_CSELECT_IN : 0) | ((ready & EPOLLOUT) ? CURL_CSELECT_OUT : 0)
            | ((ready & EPOLLERR) ? CURL_CSELECT_ERR : 0);
    }
    return count;
}
#endif

/// CURLMsg's result sits in a union, which Swift imports awkwardly.
static inline CURLcode relay_message_result(const CURLMsg *message) {
    return message->data.result;
}

#endif
