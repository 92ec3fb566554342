#if canImport(Glibc)
import Glibc
#endif

/// Names the calling thread, so that `top -H`, `perf` and `/proc/PID/task/*/comm` tell the relay's own
/// threads apart. Foundation's `Thread.name` does not reach the kernel on Linux, `pthread_setname_np` is
/// not visible to Swift, and the kernel keeps at most 15 bytes: so the name goes to the thread's `comm`.
package func nameThisThread(_ name: String) {
    precondition(name.utf8.count <= 15, "Linux keeps at most 15 bytes of a thread's name")
    #if canImport(Glibc)
    let file = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard file >= 0 else { return }
    _ = name.withCString { write(file, $0, strlen($0)) }
    close(file)
    #endif
}
