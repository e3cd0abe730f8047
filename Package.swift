// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "tracksheet",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "XLSX", targets: ["XLSX"]),
        .library(name: "Templates", targets: ["Templates"]),
        .library(name: "Rules", targets: ["Rules"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Sync", targets: ["Sync"]),
        .executable(name: "tracksheet", targets: ["tracksheet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
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
        // Template files → sheet/column model, header matching, and new workbooks made from them.
        // The template files are the package's top-level templates/ (found at run time: see TemplateFolder).
        .target(
            name: "Templates",
            dependencies: ["XLSX"]
        ),
        // Value rules, diagnostics, recalculation, dashboards and annotated copies over the templates.
        .target(
            name: "Rules",
            dependencies: ["XLSX", "Templates"]
        ),
        // The canonical store: its tables (from the templates), migrations, versions and change
        // log over SQL, SQLite through GRDB and PostgreSQL through postgres-nio. Knows no workbook.
        .target(
            name: "Store",
            dependencies: [
                "XLSX", "Templates",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // Sync: row identity in the workbook, the three-way merge as a pure plan, and its
        // application to the store and the workbook in one step; export.
        .target(
            name: "Sync",
            dependencies: ["XLSX", "Templates", "Rules", "Store", "TracksheetBuildInfo"]
        ),
        // The commit the binary is built from, for `tracksheet --version` (see build_info.c).
        .target(name: "TracksheetBuildInfo"),
        // The command line: parses, prints, sets exit codes; no rules.
        .executableTarget(
            name: "tracksheet",
            dependencies: [
                "TracksheetBuildInfo",
                "XLSX",
                "Templates",
                "Rules",
                "Store",
                "Sync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Drives the library for `make bench`; not a product.
        .executableTarget(
            name: "tracksheet-bench",
            dependencies: ["XLSX"]
        ),
        // libFuzzer targets (`make fuzz`): built with -sanitize=fuzzer,address and -DFUZZING;
        // without them, each replays the inputs it is given (the regression files in make test).
        .target(
            name: "FuzzSupport",
            path: "Sources/tracksheet-fuzz-support"
        ),
        .executableTarget(
            name: "tracksheet-fuzz-reader",
            dependencies: ["XLSX", "Templates", "Rules", "FuzzSupport"]
        ),
        .executableTarget(
            name: "tracksheet-fuzz-values",
            dependencies: ["XLSX", "Templates", "Rules", "Store", "Sync", "FuzzSupport"]
        ),
        .testTarget(
            name: "XLSXTests",
            dependencies: ["XLSX", "TestSupport"]
        ),
        .testTarget(
            name: "TracksheetCLITests",
            // The binary is run as users run it; the target is imported only for its message catalogs.
            dependencies: ["XLSX", "tracksheet", "TestSupport"],
            // Crafted hostile workbooks and the script that made them, read by path.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "RulesTests",
            dependencies: ["Rules", "Templates", "XLSX", "TestSupport"],
            // Run by path: the script that builds a workbook with openpyxl.
            exclude: ["Fixtures"]
        ),
        // What the tests share: the stores they run against, paths, Python, the message catalogs' checks.
        .target(
            name: "TestSupport",
            dependencies: ["XLSX", "Store"],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "Templates", "TestSupport"]
        ),
        .testTarget(
            name: "SyncTests",
            dependencies: ["Sync", "Store", "Rules", "Templates", "XLSX", "TestSupport"]
        ),
        .testTarget(
            name: "TemplatesTests",
            dependencies: ["Templates", "XLSX", "TestSupport"],
            // Read by path (#filePath), not as resources: the workbooks and the script that made them.
            exclude: ["Fixtures"]
        ),
    ]
)
