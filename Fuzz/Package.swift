// swift-tools-version:6.2
// libFuzzer targets over the relay's parsers, built apart from the relay (their entry point is
// libFuzzer's, not a main): scripts/fuzz.sh builds and runs them.
import PackageDescription

let package = Package(
    name: "feedback-relay-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "feedback-relay", path: "..")],
    targets: [
        .executableTarget(
            name: "feedback-relay-fuzz",
            dependencies: [.product(name: "FeedbackRelay", package: "feedback-relay")]
        )
    ]
)
