import Foundation
import Logging
import Observability
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Lets go, once the relay listens, of the file pages it mapped only to start: code and read-only data
/// of its own binary and of the libraries, which start-up touches widely (runtime and OpenSSL
/// initialisation, migrations), and around each page it touched the kernel maps up to 64 KB more
/// (fault-around). Each read-only file mapping whose pages are all the file's own is unmapped
/// (`MADV_DONTNEED`): the pages stay in the page cache, where the kernel can reclaim them, and what
/// serving uses is mapped again on first use, without a read from disk. This needs no privilege,
/// unlike `MADV_PAGEOUT`, which the kernel refuses for files the process may not write (the image runs
/// as `relay`, the binary is root's). Writable mappings (data, the SQLite files) and RELRO are left
/// alone (README, Performance).
public enum StartupPageRelease {
    /// A mapping's first byte and its length.
    typealias Mapping = (start: UnsafeMutableRawPointer, length: Int)

    /// A listener callback for `Relay.open` that releases once every listener listens, and logs what was
    /// given back. `feedback-relay serve` uses it; tests that run the relay inside their own process do not.
    public static func afterListening(logger: Logger) -> @Sendable (Relay.Listener, Int) async -> Void {
        let remaining = Countdown(Relay.Listener.allCases.count)
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
        guard let smaps = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8), let before = residentBytes() else { return nil }
        for mapping in releasable(smaps) {
            // A failure costs nothing but the pages. No MADV_RANDOM: once the kernel has reclaimed an idle
            // relay's code, read-ahead is what brings it back in few reads (without it, a peer run that
            // left the relay idle for a minute under proactive reclaim cost 20-40 % more CPU per request).
            _ = madvise(mapping.start, mapping.length, MADV_DONTNEED)
        }
        return residentBytes().map { (before, $0) }
    }

    /// The read-only file mappings whose every page is the file's own: dropping one of those pages loses
    /// nothing, as it reads back the same. A read-only mapping with anonymous pages (RELRO, which the
    /// loader relocated and then made read-only) is skipped: its pages hold what the file does not.
    static func releasable(_ smaps: String) -> [Mapping] {
        var result: [Mapping] = []
        var candidate: Mapping?
        for line in smaps.split(separator: "\n") {
            if line.hasPrefix("Anonymous:") {
                let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
                if let mapping = candidate, kilobytes == 0 { result.append(mapping) }
                candidate = nil
                continue
            }
            // A mapping's first line: start-end perms offset device inode path.
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[0].contains("-") else { continue }
            candidate = nil
            guard fields[5].drop(while: { $0 == " " }).hasPrefix("/"), fields[1].hasPrefix("r"), !fields[1].contains("w") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start,
                let address = UnsafeMutableRawPointer(bitPattern: start)
            else { continue }
            candidate = (address, Int(end - start))
        }
        return result
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
