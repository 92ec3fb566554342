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
        try start(process, mergeErrors: mergeErrors).finish()
    }

    /// Starts `process`, for a test that talks to it before it ends; `finish()` waits and reads its output.
    static func start(_ process: Process, mergeErrors: Bool = false) throws -> Running {
        let directory = FileManager.default.temporaryDirectory
        let outPath = directory.appendingPathComponent("captured-\(UUID().uuidString).out").path
        let errPath = directory.appendingPathComponent("captured-\(UUID().uuidString).err").path
        for path in [outPath, errPath] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw CocoaError(.fileWriteUnknown)
        }
        process.standardOutput = out
        process.standardError = mergeErrors ? out : err
        let running = Running(process: process, files: (out, err), paths: (outPath, errPath))
        try process.run()
        return running
    }

    final class Running {
        let process: Process
        private let files: (out: FileHandle, err: FileHandle)
        private let paths: (out: String, err: String)

        fileprivate init(process: Process, files: (FileHandle, FileHandle), paths: (String, String)) {
            self.process = process
            self.files = files
            self.paths = paths
        }

        func finish() throws -> Output {
            process.waitUntilExit()
            try files.out.close()
            try files.err.close()
            return Output(
                status: process.terminationStatus,
                stdout: try String(contentsOfFile: paths.out, encoding: .utf8),
                stderr: try String(contentsOfFile: paths.err, encoding: .utf8)
            )
        }

        deinit {
            for path in [paths.out, paths.err] { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
