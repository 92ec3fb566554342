import Foundation

/// Runs a process to its end with its output in temporary files, not pipes. Reading a pipe to its end
/// waits for every holder of its write end, and a process started by another test at the same moment
/// (a PostgreSQL server that lives on, say) can hold one: the reading test then hangs after its own
/// process has exited. A file is read once the process has exited, whoever else holds it.
enum CapturedProcess {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Starts `process` and waits for it; with `mergeErrors` standard error goes to the stdout file.
    static func run(_ process: Process, mergeErrors: Bool = false) throws -> Output {
        let directory = FileManager.default.temporaryDirectory
        let outPath = directory.appendingPathComponent("captured-\(UUID().uuidString).out").path
        let errPath = directory.appendingPathComponent("captured-\(UUID().uuidString).err").path
        for path in [outPath, errPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        defer { for path in [outPath, errPath] { try? FileManager.default.removeItem(atPath: path) } }
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw CocoaError(.fileWriteUnknown)
        }
        process.standardOutput = out
        process.standardError = mergeErrors ? out : err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Output(
            status: process.terminationStatus,
            stdout: try String(contentsOfFile: outPath, encoding: .utf8),
            stderr: try String(contentsOfFile: errPath, encoding: .utf8)
        )
    }
}
