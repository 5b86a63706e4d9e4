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
public struct HeadlessChromium {
    public let executable: String
    public static let minimumWindowWidth = 500

    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "chromium not found on PATH: run `make deps` (it installs Debian's chromium)" }
    }

    public struct Failed: Error, CustomStringConvertible {
        public var description: String
    }

    public init() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let found = path.split(separator: ":").map({ "\($0)/chromium" }).first(where: FileManager.default.isExecutableFile)
        else { throw Missing() }
        executable = found
    }

    /// A PNG of the page in a viewport of `width` x `height` CSS pixels, at the top left of
    /// the image (which is at least `minimumWindowWidth` wide).
    public func screenshot(_ page: URL, width: Int, height: Int) throws -> [UInt8] {
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
    public func dumpDOM(_ page: URL, width: Int, height: Int) throws -> String {
        let scratch = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let target = try viewport(page, width: width, height: height, in: scratch)
        return try run(["--window-size=\(max(width, HeadlessChromium.minimumWindowWidth)),\(height)", "--hide-scrollbars",
                        "--virtual-time-budget=5000", "--dump-dom", target.absoluteString], profile: scratch)
    }

    /// How `html` lays out in a `width` px viewport (390: a phone), measured by a probe script
    /// added to a copy of the page: every `<details>` opened, then every element that is
    /// wider than the viewport and not inside a box that scrolls or clips it (a table's
    /// scroll box, an SVG) is an offender.
    public func measureLayout(_ html: String, width: Int = 390, height: Int = 800) throws -> LayoutProbe {
        let scratch = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let page = scratch.appendingPathComponent("probed.html")
        guard html.contains("\n</body>") else { throw Failed(description: "the page has no \"\\n</body>\" to put the probe before") }
        try html.replacingOccurrences(of: "\n</body>", with: HeadlessChromium.layoutProbe + "\n</body>").write(to: page, atomically: true, encoding: .utf8)
        let dom = try dumpDOM(page, width: width, height: height)
        guard let json = dom.components(separatedBy: "<pre id=\"layout-probe\">").dropFirst().first?.components(separatedBy: "</pre>").first,
              !json.isEmpty
        else { throw Failed(description: "the layout probe did not run") }
        return try JSONDecoder().decode(LayoutProbe.self, from: Data(json.replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&").utf8))
    }

    /// What the layout probe found.
    public struct LayoutProbe: Decodable, CustomStringConvertible {
        public var viewport: Double
        public var scrollWidth: Double
        /// How many elements with a box it looked at.
        public var checked: Int
        /// The first 20 elements too wide: `TAG.class left..right`.
        public var offenders: [String]

        public var description: String { "viewport \(viewport), scrollWidth \(scrollWidth), \(checked) checked, offenders \(offenders)" }
    }

    private static let layoutProbe = """
    <script>(function(){
    document.querySelectorAll('details').forEach(function(d){d.open=true;});
    var vw=document.documentElement.clientWidth,bad=[],checked=0;
    function clipped(e){for(var p=e.parentElement;p;p=p.parentElement){var o=getComputedStyle(p).overflowX;if(o!=='visible')return true;}return false;}
    document.querySelectorAll('body *').forEach(function(e){var r=e.getBoundingClientRect();if(r.width===0&&r.height===0)return;checked++;
    if((r.right>vw+0.5||r.left<-0.5)&&!clipped(e))bad.push(e.tagName+'.'+e.className+' '+Math.round(r.left)+'..'+Math.round(r.right));});
    var text=JSON.stringify({viewport:vw,scrollWidth:document.documentElement.scrollWidth,checked:checked,offenders:bad.slice(0,20)});
    if(window.parent!==window){parent.postMessage(text,'*');return;}
    var out=document.createElement('pre');out.id='layout-probe';out.textContent=text;document.body.appendChild(out);})();</script>
    """

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
