import Testing

@testable import Server

/// Which mappings `StartupPageRelease` may unmap, read from smaps as the kernel writes it. Unmapping a
/// page of RELRO (read-only, but relocated in memory) would bring back the file's unrelocated bytes.
struct StartupPageReleaseTests {
    static let smaps = """
        55d0a0000000-55d0a0900000 r--p 00000000 fd:00 131 /usr/local/bin/feedback-relay
        Size:               9216 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me
        55d0a0900000-55d0a2900000 r-xp 00900000 fd:00 131 /usr/local/bin/feedback-relay
        Size:              32768 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me
        55d0a2900000-55d0a2a60000 r--p 02900000 fd:00 131 /usr/local/bin/feedback-relay
        Size:               1408 kB
        Anonymous:          1408 kB
        VmFlags: rd mr mw me ac
        55d0a2a60000-55d0a5000000 rw-p 02a60000 fd:00 131 /usr/local/bin/feedback-relay
        Size:              38528 kB
        Anonymous:           320 kB
        VmFlags: rd wr mr mw me ac
        7f0000000000-7f0000021000 rw-p 00000000 00:00 0
        Size:                132 kB
        Anonymous:           132 kB
        VmFlags: rd wr mr mw me nr
        7f1000000000-7f1000100000 r-xp 00028000 fd:00 77 /usr/lib/x86_64-linux-gnu/lib with space.so
        Size:               1024 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me
        7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
        Size:                132 kB
        Anonymous:            12 kB
        VmFlags: rd wr mr mw me gd ac
        """

    @Test func onlyReadOnlyFileMappingsWithoutAnonymousPagesAreReleasable() {
        let picked = StartupPageRelease.releasable(Self.smaps).map { (UInt(bitPattern: $0.start), $0.length) }
        #expect(picked.map(\.0) == [0x55d0_a000_0000, 0x55d0_a090_0000, 0x7f10_0000_0000])
        #expect(picked.map(\.1) == [0x90_0000, 0x200_0000, 0x10_0000])
    }
}
