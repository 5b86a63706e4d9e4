import Foundation
import Testing
@testable import CTRKit
import TestSupport

@Suite struct ContentHasherTests {
    private func hash(_ bytes: [UInt8], pieces: Int) -> UInt64 {
        var hasher = ContentHasher()
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + pieces)
            bytes[start..<end].withUnsafeBytes { hasher.update($0) }
            start = end
        }
        return hasher.finalize()
    }

    @Test(arguments: [1, 2, 3, 7, 8, 9, 100])
    func hashDoesNotDependOnHowTheBytesArrive(piece: Int) {
        let bytes = (0..<257).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        #expect(hash(bytes, pieces: piece) == hash(bytes, pieces: bytes.count))
    }

    @Test func differentContentDiffersAndLengthCounts() {
        let a = [UInt8]("hello world")
        #expect(hash(a, pieces: 100) != hash([UInt8]("hello worle"), pieces: 100))
        #expect(hash([0], pieces: 1) != hash([0, 0], pieces: 1))
        #expect(hash([], pieces: 1) != hash([0], pieces: 1))
    }

    @Test func hashFileMatchesStreamingHashAndSize() throws {
        let folder = try TemporaryFolder()
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 131) }
        let path = try folder.write("f", bytes)
        let (fileHash, size) = try ContentHasher.hashFile(path)
        #expect(size == 10_000)
        #expect(fileHash == hash(bytes, pieces: 333))
        let hashing = HashingSource(MemorySource(bytes))
        #expect(try drain(hashing, bufferSize: 17) == bytes)
        #expect(hashing.hasher.finalize() == fileHash)
    }

    @Test func missingFileCannotBeOpened() {
        #expect(throws: ReadError.self) { try ContentHasher.hashFile("/nonexistent/ctrdb/file") }
    }
}
