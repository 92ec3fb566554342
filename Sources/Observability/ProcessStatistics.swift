import Foundation
import RelayModel

/// The standard `process_*` series, read from `/proc/self` when scraped.
package struct ProcessStatistics {
    package var residentBytes: Double?
    package var virtualBytes: Double?
    package var cpuSeconds: Double?
    package var openFileDescriptors: Double?
    package var maxFileDescriptors: Double?
    package var startTime: Double

    package static let startTime = Date().timeIntervalSince1970

    package static func read() -> ProcessStatistics {
        var stats = ProcessStatistics(startTime: startTime)
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ").compactMap { Double($0.trimmedASCII) }
            if fields.count >= 2 {
                stats.virtualBytes = fields[0] * pageSize
                stats.residentBytes = fields[1] * pageSize
            }
        }
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") {
            // Fields after the command name; utime and stime are the 14th and 15th of the whole line.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                stats.cpuSeconds = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            stats.openFileDescriptors = Double(entries.count)
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { stats.maxFileDescriptors = Double(limit.rlim_cur) }
        return stats
    }

    package func write(into text: inout PrometheusText) {
        let series: [(String, String, String, Double?)] = [
            ("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", residentBytes),
            ("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", virtualBytes),
            ("process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.", cpuSeconds),
            ("process_open_fds", "gauge", "Number of open file descriptors.", openFileDescriptors),
            ("process_max_fds", "gauge", "Maximum number of open file descriptors.", maxFileDescriptors),
            ("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.", startTime),
        ]
        for (name, type, help, value) in series {
            guard let value else { continue }
            text.family(name, type: type, help: help)
            text.sample(name, value)
        }
    }
}
