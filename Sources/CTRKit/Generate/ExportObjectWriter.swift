import CZlib
import Foundation

/// Writes one export object to disk, framing records for its format and compressing
/// through zlib when the format is gzip. Memory is fixed: one output buffer and, for
/// gzip, one deflate stream, whatever the object's size.
final class ExportObjectWriter {
    let path: String
    let format: ObjectFormat
    private(set) var records = 0
    /// JSON bytes written, separators included (the object's size once decompressed).
    private(set) var uncompressedBytes: Int64 = 0
    /// Bytes in the file.
    private(set) var fileBytes: Int64 = 0

    private var descriptor: Int32
    private var stream = z_stream()
    private let buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    private var closed = false

    static let bufferSize = 64 * 1024

    init(path: String, format: ObjectFormat) throws {
        self.path = path
        self.format = format
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw GenerateError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
        if format.compressed {
            // windowBits 31 = 15 plus 16: a gzip wrapper rather than raw zlib.
            let status = czlib_deflateInit2(&stream, Z_DEFAULT_COMPRESSION, 31)
            guard status == Z_OK else {
                _ = posixClose(descriptor)
                buffer.deallocate()
                throw GenerateError.compression(path: path, code: status)
            }
        }
    }

    deinit {
        if !closed {
            if format.compressed { deflateEnd(&stream) }
            _ = posixClose(descriptor)
        }
        buffer.deallocate()
    }

    /// Appends one record (its JSON text) with the separators its format needs.
    func write(_ record: [UInt8]) throws {
        switch format {
        case .jsonArray: try feed(records == 0 ? [0x5B] : [0x2C])
        default: break
        }
        try feed(record)
        switch format {
        case .ndjsonGzip, .prettyGzip: try feed([0x0A])
        default: break
        }
        records += 1
        // A second gzip member starts after the first record, as if two files were concatenated.
        if format == .multiMemberGzip && records == 1 {
            try deflateAll(flush: Z_FINISH)
            deflateReset(&stream)
        }
    }

    /// Ends the object and closes the file.
    func close() throws {
        guard !closed else { return }
        if format == .jsonArray { try feed([0x5D, 0x0A]) }
        if format.compressed {
            try deflateAll(flush: Z_FINISH)
            deflateEnd(&stream)
        }
        try flushBuffer()
        closed = true
        guard posixClose(descriptor) == 0 else { throw GenerateError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
    }

    private func feed(_ bytes: [UInt8]) throws {
        uncompressedBytes += Int64(bytes.count)
        guard format.compressed else {
            var offset = 0
            while offset < bytes.count {
                let n = min(bytes.count - offset, Self.bufferSize - buffered)
                bytes.withUnsafeBytes { source in
                    (buffer.baseAddress! + buffered).copyMemory(from: source.baseAddress! + offset, byteCount: n)
                }
                buffered += n
                offset += n
                if buffered == Self.bufferSize { try flushBuffer() }
            }
            return
        }
        try bytes.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            try deflateAll(flush: Z_NO_FLUSH)
        }
    }

    /// Runs deflate until the input is consumed (or, with Z_FINISH, the member is complete).
    private func deflateAll(flush: Int32) throws {
        while true {
            stream.next_out = (buffer.baseAddress! + buffered).assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(Self.bufferSize - buffered)
            let status = deflate(&stream, flush)
            buffered = Self.bufferSize - Int(stream.avail_out)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw GenerateError.compression(path: path, code: status)
            }
            if buffered == Self.bufferSize { try flushBuffer() }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { return }
            } else if stream.avail_in == 0 && stream.avail_out > 0 {
                return
            }
        }
    }

    private func flushBuffer() throws {
        if let failure = writeFully(descriptor, UnsafeRawBufferPointer(rebasing: buffer[..<buffered])) {
            throw GenerateError.cannotWrite(path: path, reason: failure)
        }
        fileBytes += Int64(buffered)
        buffered = 0
    }
}

// File-scope wrapper: inside the class, `close` names its own method.
private func posixClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
