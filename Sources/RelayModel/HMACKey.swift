import CLibCrypto

/// A secret keyed into OpenSSL once, at start, so verifying a request costs the MAC of its message and
/// not the key's setup too (README, Performance). Immutable after `init`, so routes share it across
/// threads.
package final class HMACKey: @unchecked Sendable {
    private let algorithm: HMACAlgorithm
    private let secret: [UInt8]
    /// Nil when OpenSSL refused the key: its MAC is then made the one-shot way.
    private let context: OpaquePointer?

    package init(_ algorithm: HMACAlgorithm, secret: [UInt8]) {
        self.algorithm = algorithm
        self.secret = secret
        context = secret.withUnsafeBytes { relay_hmac_key_new(algorithm.code, $0.baseAddress, $0.count) }
    }

    /// Whether OpenSSL took the key (tests check the keyed path is the one taken).
    package var isKeyed: Bool { context != nil }

    deinit {
        if let context { EVP_MAC_CTX_free(context) }
    }

    package func mac(_ message: [UInt8]) -> [UInt8] {
        guard let context else { return Crypto.hmac(algorithm, key: secret, message: message) }
        var out = [UInt8](repeating: 0, count: 64)
        let length = message.withUnsafeBufferPointer { relay_hmac_key_mac(context, $0.baseAddress, $0.count, &out, 64) }
        precondition(length > 0, "OpenSSL HMAC failed")
        out.removeLast(64 - length)
        return out
    }
}
