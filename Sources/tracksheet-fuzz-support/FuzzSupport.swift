import Foundation

/// What both fuzz targets share: libFuzzer's driver, and the replay of saved inputs.
public enum FuzzSupport {
    /// Runs `body` over the files given, or every file in the folders given, as `make test` does
    /// with the regression inputs when the target is built without the fuzzer.
    public static func replay(_ paths: some Sequence<String>, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        var count = 0
        for path in paths {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            let files = isDir.boolValue ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" } : [path]
            for file in files {
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                data.withUnsafeBytes { body($0) }
                count += 1
            }
        }
        print("replayed \(count) input(s) without a crash")
    }

    #if FUZZING
    /// libFuzzer's driver, for a target's entry point: SwiftPM links an executable's entry as
    /// `<module>_main`, which a fuzzing build defines to call this.
    public static func drive(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                             _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32 {
        var count = argc, arguments = argv
        return runFuzzerDriver(&count, &arguments, body)
    }
    #endif
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32
#endif
