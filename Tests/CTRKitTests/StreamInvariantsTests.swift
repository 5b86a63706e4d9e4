import Foundation
import Testing
import CTRKit

/// The fuzzer's seed corpus and every input it ever crashed on (Fuzz/regressions/) stay
/// regression tests: each must frame and decode without breaking an invariant.
struct StreamInvariantsTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static var inputs: [String] {
        ["corpus", "regressions"].flatMap { folder -> [String] in
            let path = fuzzFolder.appendingPathComponent(folder).path
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
        }
    }

    @Test func corpusIsPresent() {
        #expect(Self.inputs.count >= 5)
    }

    @Test(arguments: inputs)
    func inputKeepsInvariants(_ path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(StreamInvariants.violations(of: bytes) == [])
        #expect(StreamInvariants.violations(of: bytes, maxRecordSize: 1 << 20) == [])
    }

    @Test func wellFormedStreamHasNoViolations() {
        // Two good records: the checker reports nothing for a clean stream.
        let bytes = Array(#"{"ContactId":"a"}{"ContactId":"b"}"#.utf8)
        #expect(StreamInvariants.violations(of: bytes) == [])
    }
}
