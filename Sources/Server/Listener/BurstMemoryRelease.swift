import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// Gives memory back to the system after a burst of client connections. glibc keeps what a burst
/// freed in its arenas (10,000 idle connections left 253 MB resident after they closed); once every
/// connection is gone after a large burst, `malloc_trim` returns the free pages.
final class BurstMemoryRelease: Sendable {
    /// Connections opened since the last trim that make a burst worth trimming after.
    static let burst = 1000
    private let state = NIOLockedValueBox((open: 0, openedSinceTrim: 0))

    func opened() {
        state.withLockedValue {
            $0.open += 1
            $0.openedSinceTrim += 1
        }
    }

    func closed() {
        let trim = state.withLockedValue { state -> Bool in
            state.open -= 1
            guard state.open == 0, state.openedSinceTrim >= Self.burst else { return false }
            state.openedSinceTrim = 0
            return true
        }
        if trim { _ = Self.trim?(0) }
    }

    /// glibc's `malloc_trim`, which Swift's Glibc module does not declare (it is in malloc.h).
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
