import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Gives back, once the relay listens, the file pages it mapped only to start: code and read-only
/// data of its own binary and of the libraries, which start-up touches widely (runtime and OpenSSL
/// initialisation, migrations, the kernel's read-ahead and fault-around bring in their neighbours).
/// Each read-only file mapping is marked for random reads, so what is touched again later comes back
/// a page at a time, and is then paged out (`MADV_PAGEOUT`). The kernel only reclaims pages no other
/// process maps, so libraries shared with other processes keep their pages; writable mappings (data,
/// the SQLite files) are left alone. What serving uses comes back on its first use (README, Performance).
public enum StartupPageRelease {
    /// A listener callback for `Relay.open` that releases once `listeners` listeners listen, and logs what
    /// was given back. `feedback-relay serve` uses it; tests that run the relay inside their own process do not.
    public static func afterListening(_ listeners: Int, logger: Logger) -> @Sendable (Relay.Listener, Int) async -> Void {
        let remaining = Countdown(listeners)
        return { _, _ in
            guard remaining.tick(), let (before, after) = release() else { return }
            logger.info(
                "start-up pages released",
                metadata: ["rss_before_mb": "\(megabytes(before))", "rss_after_mb": "\(megabytes(after))"]
            )
        }
    }

    /// Resident set size in bytes before and after, from /proc/self/statm; nil where /proc is missing.
    static func release() -> (before: Int, after: Int)? {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8), let before = residentBytes() else { return nil }
        for line in maps.split(separator: "\n") {
            // start-end perms offset device inode path
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { continue }
            let path = fields[5].drop(while: { $0 == " " })
            guard path.hasPrefix("/"), !fields[1].contains("w") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start,
                let address = UnsafeMutableRawPointer(bitPattern: start)
            else { continue }
            // Failures (a kernel before 5.4 has no MADV_PAGEOUT) cost nothing but the pages.
            _ = madvise(address, Int(end - start), MADV_RANDOM)
            _ = madvise(address, Int(end - start), MADV_PAGEOUT)
        }
        return residentBytes().map { (before, $0) }
    }

    private static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f", Double(bytes) / 1_048_576)
    }

    private static func residentBytes() -> Int? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Counts down from a number, once per call, across threads.
private final class Countdown: Sendable {
    private let remaining: Atomic<Int>

    init(_ count: Int) { remaining = Atomic(count) }

    /// True for the call that reaches zero, and for no other.
    func tick() -> Bool {
        remaining.subtract(1, ordering: .relaxed).newValue == 0
    }
}
