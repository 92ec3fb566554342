import Foundation

/// Samples in the Prometheus text format (version 0.0.4), for values read at scrape time.
package struct PrometheusText {
    private(set) var bytes: [UInt8] = []

    package mutating func family(_ name: String, type: String, help: String) {
        bytes += Array("# HELP \(name) \(help)\n# TYPE \(name) \(type)\n".utf8)
    }

    package mutating func sample(_ name: String, labels: [(String, String)] = [], _ value: Double) {
        var line = name
        if !labels.isEmpty {
            line += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        let number = value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        bytes += Array("\(line) \(number)\n".utf8)
    }

    package static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
