/// `*_FILE` settings: a secret read from a file (a mounted Kubernetes or Docker secret), for the global
/// variables, route variables and the routes file alike.
package enum SecretFile {
    /// The file's text without its final line break; nil, reported under `variable`, when it cannot be read.
    package static func read(_ path: String, for variable: String, readFile: (String) throws -> String, problems: ProblemLog) -> String? {
        do {
            return trim(try readFile(path))
        } catch {
            problems.report(variable, "cannot read \(path): \(error)")
            return nil
        }
    }

    /// A secret file usually ends with a newline that is not part of the secret.
    package static func trim(_ text: String) -> String {
        var text = text
        while let last = text.last, last == "\n" || last == "\r" { text.removeLast() }
        return text
    }
}
