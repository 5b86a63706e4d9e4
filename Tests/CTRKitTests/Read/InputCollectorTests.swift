import Foundation
import Testing
@testable import CTRKit
import TestSupport

@Suite struct InputCollectorTests {
    @Test func foldersAreWalkedRecursivelyInSortedOrderSkippingHiddenFiles() throws {
        let folder = try TemporaryFolder()
        try folder.write("b/2.json", "{}")
        try folder.write("b/10.json", "{}")
        try folder.write("a.json", "{}")
        try folder.write(".hidden.json", "{}")
        try folder.write(".git/x.json", "{}")
        try folder.write("c/.secret", "{}")
        let items = try InputCollector.collect([folder.path + "/"])
        #expect(items.map(\.displayPath) == ["a.json", "b/10.json", "b/2.json"].map { folder.path + "/" + $0 })
        #expect(items.first == .file(path: folder.path + "/a.json", size: 2))
    }

    @Test func filesStdinAndOrderAreKept() throws {
        let folder = try TemporaryFolder()
        let z = try folder.write("z", "1")
        let a = try folder.write("a", "1")
        let items = try InputCollector.collect([z, "-", a])
        #expect(items.map(\.displayPath) == [z, "<stdin>", a])
    }

    @Test func missingPathThrowsNotFound() {
        #expect(throws: ReadError.notFound(path: "/nonexistent/ctrdb")) { try InputCollector.collect(["/nonexistent/ctrdb/"]) }
    }

    @Test func normalizeDropsDotSlashAndTrailingSlashes() {
        #expect(InputCollector.normalize("./a/b//") == "a/b")
        #expect(InputCollector.normalize("/") == "/")
    }
}
