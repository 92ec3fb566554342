#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit, which bounds how many client connections can be held.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one (a container's default soft limit is often 1024 while
    /// the hard one is far higher) and returns the limit now in force.
    static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur >= UInt64(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    /// Connections each listener may hold so that both together, plus what the relay itself keeps open
    /// (upstream connections, the store, logs), stay under `limit`: past it, accept would fail with EMFILE.
    static func connectionsPerListener(configured: Int, limit: Int, reserved: Int) -> Int {
        max(1, min(configured, (limit - reserved) / 2))
    }
}
