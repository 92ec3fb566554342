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

    /// ASCII letters compared without case, every other byte exactly (header names, per request).
    package func caseInsensitiveEquals(_ other: String) -> Bool {
        let left = self.utf8
        let right = other.utf8
        guard left.count == right.count else { return false }
        // On the bytes in place: zipping the two views cost as much again as the compare.
        let compared = left.withContiguousStorageIfAvailable { left in
            right.withContiguousStorageIfAvailable { right in
                left.indices.allSatisfy { Self.sameIgnoringCase(left[$0], right[$0]) }
            }
        }
        return (compared ?? nil) ?? zip(left, right).allSatisfy(Self.sameIgnoringCase)
    }

    private static func sameIgnoringCase(_ a: UInt8, _ b: UInt8) -> Bool {
        a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7a)
    }
}

extension String.UTF8View {
    /// `allSatisfy` on the bytes in place when they are contiguous, as a native string's are: iterating
    /// the view calls into the string's storage for every byte, which per-request checks pay for.
    package func allBytes(_ predicate: (UInt8) -> Bool) -> Bool {
        withContiguousStorageIfAvailable { $0.allSatisfy(predicate) } ?? allSatisfy(predicate)
    }

    /// Each non-empty run of bytes between `separator`s, in order. `split` would build an array of them
    /// first, which cost more than the search it saves.
    package func forEachPiece(separatedBy separator: UInt8, _ body: (Substring) -> Void) {
        // Searched on the bytes in place; an index into a native string's UTF-8 is then an offset away.
        let searched: Void? = withContiguousStorageIfAvailable { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != separator { end += 1 }
                if start < end { body(Substring(self[index(startIndex, offsetBy: start)..<index(startIndex, offsetBy: end)])) }
                start = end + 1
            }
        }
        if searched != nil { return }
        var start = startIndex
        while start < endIndex {
            let end = self[start...].firstIndex(of: separator) ?? endIndex
            if start < end { body(Substring(self[start..<end])) }
            start = end < endIndex ? index(after: end) : end
        }
    }
}
