import CCurl
import Foundation
import Logging
import NIOConcurrencyHelpers
import RelayModel
import ServiceLifecycle
import Synchronization

/// The feedback API client: one long-lived libcurl multi handle, driven by its own thread, so
/// connections (HTTP/1.1 keep-alive or HTTP/2 streams) are reused across all requests.
public final class CurlFeedbackClient: FeedbackSending, Service, Sendable {
    public struct Configuration: Sendable {
        public var concurrency: Int
        public var timeout: Duration
        public var allowInsecure: Bool
        public var proxy: UpstreamProxy

        public init(concurrency: Int, timeout: Duration, allowInsecure: Bool, proxy: UpstreamProxy) {
            self.concurrency = concurrency
            self.timeout = timeout
            self.allowInsecure = allowInsecure
            self.proxy = proxy
        }
    }

    private struct Queue {
        var pending: [Transfer] = []
        var stopping = false
        var stopped: [CheckedContinuation<Void, Never>] = []
        var finished = false
    }

    private let configuration: Configuration
    private let multi: MultiHandle
    private let queue = NIOLockedValueBox(Queue())
    private let statistics = NIOLockedValueBox((transfers: 0, connectionsOpened: 0))
    /// True while the curl thread waits in `epoll_wait`; only then does a new call need to wake it,
    /// which saves a write to the eventfd per request under load.
    private let polling = Atomic(false)

    private static let globalInit: Void = {
        Crypto.initialize()
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    public init(configuration: Configuration) {
        _ = Self.globalInit
        self.configuration = configuration
        self.multi = MultiHandle(concurrency: configuration.concurrency)
        let thread = Thread { [self] in
            nameThisThread("relay-curl")
            self.runLoop()
        }
        thread.start()
    }

    /// Transfers done, and connections libcurl had to open for them (the rest reused one).
    public var connectionStatistics: (transfers: Int, connectionsOpened: Int) {
        statistics.withLockedValue { $0 }
    }

    public func send(_ request: FeedbackRequest) async -> UpstreamOutcome {
        await withCheckedContinuation { continuation in
            send(request) { continuation.resume(returning: $0) }
        }
    }

    public func send(_ request: FeedbackRequest, completion: @escaping @Sendable (UpstreamOutcome) -> Void) {
        let transfer = Transfer(request: request, completion: completion)
        let accepted = queue.withLockedValue { queue in
            guard !queue.stopping else { return false }
            queue.pending.append(transfer)
            return true
        }
        guard accepted else {
            completion(.failure(UpstreamFailure(timedOut: false, description: "the relay is shutting down")))
            return
        }
        if polling.load(ordering: .sequentiallyConsistent) { multi.wakeUp() }
    }

    /// Waits for graceful shutdown, then lets in-flight calls finish and stops the thread.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Refuses new calls, finishes those in flight (each bounded by the timeout), stops the thread.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = queue.withLockedValue { queue in
                queue.stopping = true
                if queue.finished { return true }
                queue.stopped.append(continuation)
                return false
            }
            if done { continuation.resume() } else { multi.wakeUp() }
        }
    }

    // MARK: - The curl thread. Everything below runs on it alone, but for `wakeUp`.

    /// libcurl's socket interface: the thread waits in `epoll_wait` on the sockets libcurl names, and each
    /// socket that is ready, or libcurl's timer when it falls due, is handed to `curl_multi_socket_action`.
    /// Unlike `curl_multi_perform`, which visits every transfer in flight (and polls each one's socket),
    /// the work per wake-up follows what is ready, not how many calls wait for an answer.
    private func runLoop() {
        var active: [UnsafeMutableRawPointer: Transfer] = [:]
        var idleHandles: [UnsafeMutableRawPointer] = []
        var headerLists: [String: UnsafeMutablePointer<curl_slist>] = [:]
        // A proxy's CONNECT gets the user agent too, as CURLOPT_USERAGENT gave it; the list above goes to ElevenLabs only.
        let proxyHeaders = curl_slist_append(nil, Self.userAgent)!
        let capacity = configuration.concurrency
        var descriptors = [Int32](repeating: 0, count: MultiHandle.eventsPerWait)
        var readiness = [Int32](repeating: 0, count: MultiHandle.eventsPerWait)
        var running: Int32 = 0

        while true {
            let (batch, stopping, more) = queue.withLockedValue { queue in
                let room = max(0, capacity - active.count)
                let batch = Array(queue.pending.prefix(room))
                queue.pending.removeFirst(batch.count)
                return (batch, queue.stopping, !queue.pending.isEmpty)
            }
            for transfer in batch {
                let easy = idleHandles.popLast() ?? makeHandle(proxyHeaders: proxyHeaders)
                let headers =
                    headerLists[transfer.request.apiKey]
                    ?? {
                        let list = Self.headerList(apiKey: transfer.request.apiKey)
                        headerLists[transfer.request.apiKey] = list
                        return list
                    }()
                configure(easy, for: transfer, headers: headers)
                active[easy] = transfer
                curl_multi_add_handle(multi.handle, easy)  // sets libcurl's timer to now
            }

            if multi.takeDueTimer() {
                curl_multi_socket_action(multi.handle, relay_socket_timeout, 0, &running)
            }
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi.handle, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle, let transfer = active.removeValue(forKey: easy)
                else { continue }
                let result = relay_message_result(message)
                curl_multi_remove_handle(multi.handle, easy)
                complete(transfer, easy: easy, result: result)
                idleHandles.append(easy)
            }

            if stopping && active.isEmpty {
                let (leftover, waiters) = queue.withLockedValue { queue in
                    let leftover = queue.pending
                    queue.pending.removeAll()
                    queue.finished = true
                    let waiters = queue.stopped
                    queue.stopped.removeAll()
                    return (leftover, waiters)
                }
                for transfer in leftover {
                    transfer.completion(.failure(UpstreamFailure(timedOut: false, description: "the relay is shutting down")))
                }
                for easy in idleHandles { curl_easy_cleanup(easy) }
                for list in headerLists.values { curl_slist_free_all(list) }
                curl_slist_free_all(proxyHeaders)
                for waiter in waiters { waiter.resume() }
                return
            }
            if more && active.count < capacity { continue }

            // Wait no longer than libcurl's timer, and at most a second, so a missed wake-up costs no more.
            var timeout = multi.millisecondsToTimer.map { min($0, 1000) } ?? 1000
            if timeout > 0 {
                polling.store(true, ordering: .sequentiallyConsistent)
                // Work queued between taking the batch and raising the flag did not wake us: take it now.
                if active.count < capacity && queue.withLockedValue({ !$0.pending.isEmpty || ($0.stopping && active.isEmpty) }) {
                    timeout = 0
                }
            }
            let ready = relay_epoll_wait(multi.epoll, &descriptors, &readiness, Int32(descriptors.count), Int32(timeout))
            polling.store(false, ordering: .sequentiallyConsistent)
            for index in 0..<Int(max(ready, 0)) {
                if descriptors[index] == multi.wake {
                    multi.clearWakeUp()
                } else {
                    curl_multi_socket_action(multi.handle, descriptors[index], readiness[index], &running)
                }
            }
        }
    }

    private static let userAgent = "User-Agent: feedback-relay/1"

    private static func headerList(apiKey: String) -> UnsafeMutablePointer<curl_slist> {
        var list: UnsafeMutablePointer<curl_slist>?
        // The user agent goes in the list: set as CURLOPT_USERAGENT, libcurl formats it into a header of its
        // own for every request, a byte at a time, and then copies that into the request.
        let headers = ["xi-api-key: \(apiKey)", "Content-Type: application/json", "Accept: application/json", userAgent, "Expect:"]
        for header in headers {
            list = curl_slist_append(list, header)
        }
        return list!
    }

    /// Options every transfer shares, set once when a handle is made; pooled handles keep them.
    private func makeHandle(proxyHeaders: UnsafeMutablePointer<curl_slist>) -> UnsafeMutableRawPointer {
        let easy = curl_easy_init()!
        relay_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        relay_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(configuration.timeout.milliseconds))
        relay_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(min(configuration.timeout.milliseconds, 10_000)))
        relay_easy_setopt_pointer(easy, CURLOPT_PROTOCOLS_STR, configuration.allowInsecure ? "http,https" : "https")
        relay_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        relay_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        relay_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        // Set, even when empty, so that libcurl does not look in the environment itself at every call.
        relay_easy_setopt_pointer(easy, CURLOPT_NOPROXY, configuration.proxy.noProxy)
        relay_easy_setopt_pointer(easy, CURLOPT_PROXYHEADER, proxyHeaders)
        relay_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, writeCallback)
        relay_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION, headerCallback)
        return easy
    }

    private func configure(_ easy: UnsafeMutableRawPointer, for transfer: Transfer, headers: UnsafeMutablePointer<curl_slist>) {
        transfer.reset()
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        relay_easy_setopt_pointer(easy, CURLOPT_URL, transfer.request.url)
        relay_easy_setopt_pointer(easy, CURLOPT_PROXY, configuration.proxy.proxy(for: transfer.request.baseURL))
        relay_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, headers)
        let body = transfer.request.body
        relay_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, body.utf8.count)
        relay_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, body)
        // Waiting to multiplex on an HTTP/2 connection only makes sense where TLS can offer HTTP/2.
        relay_easy_setopt_long(easy, CURLOPT_PIPEWAIT, transfer.request.baseURL.hasPrefix("https:") ? 1 : 0)
        relay_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, transfer.errorBuffer)
        relay_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        relay_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
    }

    private func complete(_ transfer: Transfer, easy: UnsafeMutableRawPointer, result: CURLcode) {
        var connects = 0
        relay_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        statistics.withLockedValue {
            $0.transfers += 1
            $0.connectionsOpened += connects
        }
        guard result == CURLE_OK else {
            let detail = String(cString: transfer.errorBuffer)
            let text = detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
            transfer.completion(
                .failure(UpstreamFailure(timedOut: result == CURLE_OPERATION_TIMEDOUT, description: "curl error \(result.rawValue): \(text)"))
            )
            return
        }
        var status = 0
        relay_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        transfer.completion(.response(status: status, body: transfer.body, retryAfter: transfer.retryAfter))
    }
}

/// Owns the `CURLM` handle and what the curl thread waits on: an epoll set of the sockets libcurl asks
/// it to watch, libcurl's timer, and an eventfd that wakes the thread. `wakeUp` is the only call made
/// from other threads.
private final class MultiHandle: @unchecked Sendable {
    static let eventsPerWait = 64

    let handle: UnsafeMutableRawPointer
    let epoll: Int32
    let wake: Int32
    /// When libcurl asked to be called with `CURL_SOCKET_TIMEOUT`, in `CLOCK_MONOTONIC` nanoseconds.
    private var timer: UInt64?

    init(concurrency: Int) {
        handle = curl_multi_init()!
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(epoll >= 0 && wake >= 0, "the curl thread cannot make its epoll set or eventfd (errno \(errno))")
        precondition(relay_epoll_watch(epoll, wake, CURL_POLL_IN, 0) == 0, "epoll_ctl on the curl thread's eventfd: errno \(errno)")
        relay_multi_setopt_long(handle, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        // Keep an idle connection for every request that may be in flight, so none is closed and reopened.
        relay_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, concurrency)
        relay_multi_setopt_long(handle, CURLMOPT_MAX_TOTAL_CONNECTIONS, concurrency)
        let context = Unmanaged.passUnretained(self).toOpaque()
        relay_multi_setopt_socket_callback(handle, socketCallback)
        relay_multi_setopt_pointer(handle, CURLMOPT_SOCKETDATA, context)
        relay_multi_setopt_timer_callback(handle, timerCallback)
        relay_multi_setopt_pointer(handle, CURLMOPT_TIMERDATA, context)
    }

    func wakeUp() {
        eventfd_write(wake, 1)
    }

    func clearWakeUp() {
        var count: eventfd_t = 0
        eventfd_read(wake, &count)
    }

    func setTimer(milliseconds: Int) {
        timer = milliseconds < 0 ? nil : Self.now + UInt64(milliseconds) * 1_000_000
    }

    /// Milliseconds until libcurl's timer falls due (0 if it has), nil if none is set.
    var millisecondsToTimer: Int? {
        guard let timer else { return nil }
        let now = Self.now
        return timer <= now ? 0 : Int((timer - now + 999_999) / 1_000_000)
    }

    /// True, once, when libcurl's timer has fallen due.
    func takeDueTimer() -> Bool {
        guard let timer, timer <= Self.now else { return false }
        self.timer = nil
        return true
    }

    private static var now: UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    deinit {
        curl_multi_cleanup(handle)
        close(wake)
        close(epoll)
    }
}

private let socketCallback: relay_socket_callback = { _, socket, what, context, mark in
    guard let context else { return -1 }
    let multi = Unmanaged<MultiHandle>.fromOpaque(context).takeUnretainedValue()
    guard relay_epoll_watch(multi.epoll, socket, what, mark == nil ? 0 : 1) == 0 else { return -1 }
    // libcurl hands the mark back with every later call for this socket, until it stops using it.
    if mark == nil && what != CURL_POLL_REMOVE { curl_multi_assign(multi.handle, socket, context) }
    return 0
}

private let timerCallback: relay_timer_callback = { _, milliseconds, context in
    guard let context else { return -1 }
    Unmanaged<MultiHandle>.fromOpaque(context).takeUnretainedValue().setTimer(milliseconds: milliseconds)
    return 0
}

/// One call in flight. Only the curl thread touches its buffers.
private final class Transfer: @unchecked Sendable {
    static let bodyLimit = 2048

    let request: FeedbackRequest
    /// Called once, on the curl thread, with how the call ended.
    let completion: @Sendable (UpstreamOutcome) -> Void
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    var body: [UInt8] = []
    var retryAfter: String?

    init(request: FeedbackRequest, completion: @escaping @Sendable (UpstreamOutcome) -> Void) {
        self.request = request
        self.completion = completion
    }

    func reset() {
        errorBuffer[0] = 0
        body.removeAll(keepingCapacity: true)
        retryAfter = nil
    }

    deinit {
        errorBuffer.deallocate()
    }
}

private let writeCallback: relay_data_callback = { data, size, count, context in
    let length = size * count
    guard let data, let context else { return length }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let room = Transfer.bodyLimit - transfer.body.count
    if room > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: length) {
            transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: min(room, length)))
        }
    }
    return length
}

private let headerCallback: relay_data_callback = { data, size, count, context in
    let length = size * count
    guard let data, let context else { return length }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    data.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        let line = UnsafeBufferPointer(start: bytes, count: length)
        if line.starts(with: "HTTP/".utf8) {
            // A new response (after 100 Continue, or a proxy's CONNECT): forget the previous one's headers.
            transfer.retryAfter = nil
        } else if let first = line.first, first | 0x20 == UInt8(ascii: "r"), let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let value = String(String(decoding: line[(colon + 1)...], as: UTF8.self).trimmedASCII)
            if name == "retry-after-ms" {
                transfer.retryAfter = "ms:" + value
            } else if name == "retry-after", !(transfer.retryAfter?.hasPrefix("ms:") ?? false) {
                transfer.retryAfter = value
            }
        }
    }
    return length
}
