import CLibCrypto
import Synchronization

/// OpenSSL's libcrypto, the only place the relay computes or compares secrets.
public enum Crypto {
    /// Must run before libcurl initialises OpenSSL: without `OPENSSL_INIT_NO_ATEXIT`, OpenSSL's atexit
    /// handler can free state that libcurl still uses while the process exits.
    public static func initialize() {
        _ = relay_openssl_init()
    }

    package static func hmac(_ algorithm: HMACAlgorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        let length = key.withUnsafeBytes { keyBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                relay_hmac(algorithm.code, keyBuffer.baseAddress, Int32(keyBuffer.count), messageBuffer.baseAddress, messageBuffer.count, &out)
            }
        }
        precondition(length > 0, "OpenSSL HMAC failed")
        return Array(out.prefix(Int(length)))
    }

    package static func sha256(_ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = message.withUnsafeBufferPointer { relay_sha256($0.baseAddress, $0.count, &out) }
        precondition(ok == 1, "OpenSSL SHA-256 failed")
        return out
    }

    #if DEBUG
    /// Counts calls to `constantTimeEquals`, so a test can prove that verification goes through it.
    package static let constantTimeComparisons = Atomic<Int>(0)
    #endif

    /// Compares two byte strings in time that depends only on their lengths (`CRYPTO_memcmp`).
    /// Lengths are public (a signature's length follows from its algorithm); callers comparing values
    /// whose length is secret, like tokens, compare digests instead.
    package static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        #if DEBUG
        constantTimeComparisons.add(1, ordering: .relaxed)
        #endif
        guard lhs.count == rhs.count else { return false }
        if lhs.isEmpty { return true }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }

    /// Equality of two secrets of any length without revealing either length or content.
    package static func constantTimeEqualsDigest(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        constantTimeEquals(sha256(lhs), sha256(rhs))
    }
}
