import Foundation

/// Standard output, buffered: rows are written in large blocks.
public final class StandardOutputSink: TextSink {
    private var buffer = DescriptorBuffer(descriptor: STDOUT_FILENO, name: "standard output")

    public init() {}

    deinit { try? flush() }

    public func write(_ text: String) throws { try buffer.write(text) }

    public func flush() throws { try buffer.flush() }
}

/// A file written atomically: rows go to a temporary file beside it, renamed over the
/// destination only when everything was written, so a reader never sees half a report.
public final class AtomicFileSink: TextSink {
    public let path: String
    private let temporaryPath: String
    private let descriptor: Int32
    private var buffer: DescriptorBuffer
    private var done = false

    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OutputError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        buffer = DescriptorBuffer(descriptor: descriptor, name: path)
    }

    deinit {
        if !done {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    public func write(_ text: String) throws { try buffer.write(text) }

    /// Makes the file visible under its name.
    public func commit() throws {
        try buffer.flush()
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

/// Text gathered into 64 KiB blocks and written to a file descriptor (retrying after EINTR).
private struct DescriptorBuffer {
    let descriptor: Int32
    /// The destination as messages name it.
    let name: String
    private var bytes: [UInt8] = []

    init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
        bytes.reserveCapacity(1 << 16)
    }

    mutating func write(_ text: String) throws {
        bytes.append(contentsOf: text.utf8)
        if bytes.count >= 1 << 16 { try flush() }
    }

    mutating func flush() throws {
        if let failure = bytes.withUnsafeBytes({ writeFully(descriptor, $0) }) {
            throw OutputError.cannotWrite(path: name, reason: failure)
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

/// Writes every byte to the descriptor, retrying after EINTR; returns why it failed, if it did.
func writeFully(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> String? {
    var written = 0
    while written < bytes.count {
        let n = Foundation.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
        if n < 0 {
            if errno == EINTR { continue }
            return String(cString: strerror(errno))
        }
        written += n
    }
    return nil
}
