import CLibCrypto

/// A secret keyed into OpenSSL once, at start, so verifying a request costs the MAC of its message and
/// not the key's setup too (README, Performance). Immutable after `init`, so routes share it across
/// threads.
package final class HMACKey: @unchecked Sendable {
    package let algorithm: HMACAlgorithm
    private let context: OpaquePointer

    /// Nil when OpenSSL refuses the key; `Crypto.hmac` gives that key's MAC the one-shot way.
    package init?(_ algorithm: HMACAlgorithm, secret: [UInt8]) {
        guard let context = secret.withUnsafeBytes({ relay_hmac_key_new(algorithm.code, $0.baseAddress, $0.count) }) else { return nil }
        self.algorithm = algorithm
        self.context = context
    }

    deinit {
        EVP_MAC_CTX_free(context)
    }

    package func mac(_ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        let length = message.withUnsafeBufferPointer { relay_hmac_key_mac(context, $0.baseAddress, $0.count, &out, 64) }
        precondition(length > 0, "OpenSSL HMAC failed")
        out.removeLast(64 - length)
        return out
    }
}
