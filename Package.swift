// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "tracksheet",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "XLSX", targets: ["XLSX"]),
        .executable(name: "tracksheet", targets: ["tracksheet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The C libraries, found by pkg-config; the names are prefixed so they cannot clash
        // with another package's wrapper of the same library.
        .systemLibrary(
            name: "TracksheetLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        .systemLibrary(
            name: "TracksheetLibZip",
            pkgConfig: "libzip",
            providers: [.apt(["libzip-dev"]), .brew(["libzip"])]
        ),
        // The XLSX layer: zip package, relationships, streaming reader. Knows nothing of campaigns.
        .target(
            name: "XLSX",
            dependencies: ["TracksheetLibXML2", "TracksheetLibZip"]
        ),
        // The command line: parses, prints, sets exit codes; no rules.
        .executableTarget(
            name: "tracksheet",
            dependencies: [
                "XLSX",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Drives the library for `make bench`; not a product.
        .executableTarget(
            name: "tracksheet-bench",
            dependencies: ["XLSX"]
        ),
        .testTarget(
            name: "XLSXTests",
            dependencies: ["XLSX"]
        ),
        .testTarget(
            name: "TracksheetCLITests",
            dependencies: ["XLSX"]
        ),
    ]
)
