import CLibCrypto
import Synchronization

public enum HMACAlgorithm: String, Sendable, CaseIterable {
    case sha1, sha256, sha512

    package var code: Int32 {
        switch self {
        case .sha1: 1
        case .sha256: 256
        case .sha512: 512
        }
    }
}
