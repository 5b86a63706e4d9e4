import Foundation

/// Standard output, buffered: rows are written in large blocks.
public final class StandardOutputSink: TextSink {
    private var buffer: [UInt8] = []

    public init() { buffer.reserveCapacity(1 << 16) }

    deinit { try? flush() }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func flush() throws {
        try writeAll(buffer, to: STDOUT_FILENO, name: "standard output")
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A file written atomically: rows go to a temporary file beside it, renamed over the
/// destination only when everything was written, so a reader never sees half a report.
public final class AtomicFileSink: TextSink {
    public let path: String
    private let temporaryPath: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var done = false

    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OutputError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }

    deinit {
        if !done {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        try writeAll(buffer, to: descriptor, name: path)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Makes the file visible under its name.
    public func commit() throws {
        try flush()
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            throw OutputError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        done = true
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw OutputError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

public enum OutputError: Error, LocalizedError {
    case cannotWrite(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .cannotWrite(path, reason): return "failed to write \(path): \(reason)"
        }
    }
}

private func writeAll(_ bytes: [UInt8], to descriptor: Int32, name: String) throws {
    var written = 0
    try bytes.withUnsafeBytes { raw in
        while written < raw.count {
            let n = Foundation.write(descriptor, raw.baseAddress! + written, raw.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError.cannotWrite(path: name, reason: String(cString: strerror(errno)))
            }
            written += n
        }
    }
}
