import Foundation

/// A pull-based stream of bytes: the first stage of the pipeline.
///
/// Sources fill a caller-owned buffer, so the pipeline reuses one buffer per stage
/// and never holds a whole file in memory.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Errors of the read stage: files that cannot be opened or read.
public enum ReadError: Error, LocalizedError, Equatable {
    case cannotOpen(path: String, reason: String)
    case cannotRead(path: String, offset: Int64, reason: String)
    case notFound(path: String)

    public var errorDescription: String? {
        switch self {
        case let .cannotOpen(path, reason):
            return "failed to open \(path): \(reason)"
        case let .cannotRead(path, offset, reason):
            return "failed to read \(path) at byte \(offset): \(reason)"
        case let .notFound(path):
            return "no such file or folder: \(path) (check the path, or quote a glob the shell did not expand)"
        }
    }
}

/// A file or standard input, read with POSIX `read(2)` in fixed-size chunks.
public final class FileSource: ByteSource {
    public let path: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// Bytes read so far: the progress display and error offsets use it.
    public private(set) var bytesRead: Int64 = 0

    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ReadError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        self.path = path
        self.descriptor = fd
        self.ownsDescriptor = true
    }

    /// Standard input; `label` names it in messages and in the database.
    public init(standardInputLabeled label: String) {
        self.path = label
        self.descriptor = STDIN_FILENO
        self.ownsDescriptor = false
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if n >= 0 {
                bytesRead += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw ReadError.cannotRead(path: path, offset: bytesRead, reason: String(cString: strerror(errno)))
        }
    }
}

/// Bytes already in memory; used to re-frame the inside of a damaged record and in tests.
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    public init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        self.bytes = Array(bytes)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}
