import Foundation

/// Hex and base64 codecs for signatures and secrets.
package enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    package static func encode(_ bytes: some Sequence<UInt8>) -> String {
        encode(Array(bytes))
    }

    /// Written into the string's own storage. The generic form alone, called from another module,
    /// ran unspecialized: a witness call per byte, 16k instructions for a 32-byte digest per event.
    package static func encode(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = digits[Int(byte >> 4)]
                out[2 * index + 1] = digits[Int(byte & 0x0f)]
            }
            return bytes.count * 2
        }
    }

    /// The 16 lower-case digits of `value`, leading zeros kept, into `buffer` from `offset`.
    package static func write(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        for index in 0..<16 {
            buffer[offset + index] = digits[Int(truncatingIfNeeded: value >> (60 - 4 * index)) & 0x0f]
        }
    }

    /// Decodes upper- or lower-case hex; nil on odd length or a non-hex character.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        // Every request's signature: decoded from the text's bytes in place when they are contiguous.
        if let decoded = text.utf8.withContiguousStorageIfAvailable(decode) { return decoded }
        return Array(text.utf8).withUnsafeBufferPointer(decode)
    }

    private static func decode(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    package static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
