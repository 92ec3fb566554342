extension Substring {
    /// Without leading and trailing spaces, tabs, CR and LF. Foundation's `trimmingCharacters` bridges
    /// through NSString and costs more than verifying a signature.
    package var trimmedASCII: Substring {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0d || byte == 0x0a }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first..<utf8.index(after: last)]
    }
}

extension String {
    package var trimmedASCII: Substring { self[...].trimmedASCII }

    package func caseInsensitiveEquals(_ other: String) -> Bool {
        let left = self.utf8
        let right = other.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { a, b in a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7a) }
    }
}

extension String.UTF8View {
    /// Each non-empty run of bytes between `separator`s, in order. `split` would build an array of them
    /// first, which cost more than the search it saves.
    package func forEachPiece(separatedBy separator: UInt8, _ body: (Substring) -> Void) {
        var start = startIndex
        while start < endIndex {
            let end = self[start...].firstIndex(of: separator) ?? endIndex
            if start < end { body(Substring(self[start..<end])) }
            start = end < endIndex ? index(after: end) : end
        }
    }
}
