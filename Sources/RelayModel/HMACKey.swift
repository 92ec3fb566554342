import CLibCrypto

/// A secret keyed once, at start: HMAC's inner and outer hash states with the key absorbed, so verifying
/// a request costs hashing its message, with no allocation and no key setup (README, Performance).
/// Immutable after `init`, so routes share it across threads.
package final class HMACKey: @unchecked Sendable {
    private let algorithm: HMACAlgorithm
    private let secret: [UInt8]
    /// Nil when the algorithm has no keyed form here: its MAC is then made the one-shot way.
    private let state: UnsafeMutablePointer<relay_hmac_key>?

    package init(_ algorithm: HMACAlgorithm, secret: [UInt8]) {
        self.algorithm = algorithm
        self.secret = secret
        let state = UnsafeMutablePointer<relay_hmac_key>.allocate(capacity: 1)
        if secret.withUnsafeBufferPointer({ relay_hmac_key_init(state, algorithm.code, $0.baseAddress, $0.count) }) == 1 {
            self.state = state
        } else {
            state.deallocate()
            self.state = nil
        }
    }

    /// Whether the key was set up once (tests check the keyed path is the one taken).
    package var isKeyed: Bool { state != nil }

    deinit {
        if let state {
            OPENSSL_cleanse(state, MemoryLayout<relay_hmac_key>.size)
            state.deallocate()
        }
    }

    package func mac(_ message: [UInt8]) -> [UInt8] {
        guard let state else { return Crypto.hmac(algorithm, key: secret, message: message) }
        return [UInt8](unsafeUninitializedCapacity: 64) { out, count in
            count = message.withUnsafeBufferPointer { relay_hmac_key_mac(state, $0.baseAddress, $0.count, out.baseAddress) }
        }
    }
}
