import Foundation

/// Debian's `chromium`, run headless on a page file: a screenshot, or the DOM after the page
/// (and any script in it) ran. `make deps` installs it; a test that needs it fails, with
/// that advice, when it is missing.
struct HeadlessChromium {
    let executable: String

    struct Missing: Error, CustomStringConvertible {
        var description: String { "chromium not found on PATH: run `make deps` (it installs Debian's chromium)" }
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let found = path.split(separator: ":").map({ "\($0)/chromium" }).first(where: FileManager.default.isExecutableFile)
        else { throw Missing() }
        executable = found
    }

    /// A PNG of the page in a window of `width` x `height` CSS pixels.
    func screenshot(_ page: URL, width: Int, height: Int) throws -> [UInt8] {
        let scratch = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let png = scratch.appendingPathComponent("screenshot.png")
        _ = try run(["--window-size=\(width),\(height)", "--hide-scrollbars", "--screenshot=\(png.path)", page.absoluteString], profile: scratch)
        guard let bytes = FileManager.default.contents(atPath: png.path) else { throw Failed(description: "chromium wrote no screenshot of \(page.path)") }
        return Array(bytes)
    }

    /// The document as serialised after loading, at a window of `width` x `height`.
    func dumpDOM(_ page: URL, width: Int, height: Int) throws -> String {
        let scratch = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        return try run(["--window-size=\(width),\(height)", "--virtual-time-budget=3000", "--dump-dom", page.absoluteString], profile: scratch)
    }

    private func scratchFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ctrdb-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs chromium with its own profile folder (so runs in parallel do not share one), at
    /// most 120 s; returns its stdout.
    private func run(_ arguments: [String], profile: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                             "--user-data-dir=\(profile.appendingPathComponent("profile").path)"] + arguments
        let stdout = profile.appendingPathComponent("stdout")
        let stderr = profile.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stdout.path, contents: nil)
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw Failed(description: "chromium did not finish within 120 s: \(arguments.joined(separator: " "))")
        }
        let output = String(decoding: FileManager.default.contents(atPath: stdout.path) ?? Data(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let log = String(decoding: FileManager.default.contents(atPath: stderr.path) ?? Data(), as: UTF8.self)
            throw Failed(description: "chromium exited with \(process.terminationStatus): \(log.suffix(2000))")
        }
        return output
    }
}
