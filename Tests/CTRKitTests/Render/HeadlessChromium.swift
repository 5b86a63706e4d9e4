import Foundation

/// Debian's `chromium`, run headless on a page file: a screenshot, or the DOM after the page
/// (and any script in it) ran. `make deps` installs it; a test that needs it fails, with
/// that advice, when it is missing.
///
/// Headless Chromium's window is never narrower than 500 px (a narrower `--window-size` is
/// a crop of a 500 px layout), so a phone-sized viewport is an `<iframe>` of that size in a
/// host page, at the top left of the window: the page inside lays out, and its media
/// queries match, at the iframe's width. The host collects what the page posts to it
/// (`parent.postMessage`) into `<pre id="layout-probe">`.
struct HeadlessChromium {
    let executable: String
    static let minimumWindowWidth = 500

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

    /// A PNG of the page in a viewport of `width` x `height` CSS pixels, at the top left of
    /// the image (which is at least `minimumWindowWidth` wide).
    func screenshot(_ page: URL, width: Int, height: Int) throws -> [UInt8] {
        let scratch = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let png = scratch.appendingPathComponent("screenshot.png")
        let target = try viewport(page, width: width, height: height, in: scratch)
        _ = try run(["--window-size=\(max(width, HeadlessChromium.minimumWindowWidth)),\(height)", "--hide-scrollbars",
                     "--screenshot=\(png.path)", target.absoluteString], profile: scratch)
        guard let bytes = FileManager.default.contents(atPath: png.path) else { throw Failed(description: "chromium wrote no screenshot of \(page.path)") }
        return Array(bytes)
    }

    /// The document as serialised after loading (the host page's, for a narrow viewport).
    func dumpDOM(_ page: URL, width: Int, height: Int) throws -> String {
        let scratch = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let target = try viewport(page, width: width, height: height, in: scratch)
        return try run(["--window-size=\(max(width, HeadlessChromium.minimumWindowWidth)),\(height)", "--hide-scrollbars",
                        "--virtual-time-budget=5000", "--dump-dom", target.absoluteString], profile: scratch)
    }

    /// The page itself when the window can be that narrow, else a host page framing it.
    private func viewport(_ page: URL, width: Int, height: Int, in scratch: URL) throws -> URL {
        guard width < HeadlessChromium.minimumWindowWidth else { return page }
        let host = scratch.appendingPathComponent("host.html")
        let html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">"
            + "<iframe src=\"\(page.absoluteString)\" style=\"display:block;border:0;width:\(width)px;height:\(height)px\"></iframe>"
            + "<pre id=\"layout-probe\"></pre><script>addEventListener('message',function(e){"
            + "document.getElementById('layout-probe').textContent+=e.data;});</script></body></html>"
        try html.write(to: host, atomically: true, encoding: .utf8)
        return host
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
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
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
