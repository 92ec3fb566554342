import Foundation

/// libFuzzer's driver, called from this main: SwiftPM links an executable through its module's main,
/// so libFuzzer's own `main` is not used.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

// Built before the first input, so what configuration keeps for the whole run is not counted as that input's leak.
_ = FuzzTarget.routes
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(
    runFuzzerDriver(&argc, &argv) { data, count in fuzzOne(data, count) }
)
