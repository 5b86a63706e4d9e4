import Foundation
import Testing
import TestSupport
@testable import CTRKit

@Suite struct DayPackTests {
    /// A pack whose every file carries `version`, so a reader can tell whether it saw one
    /// writer's files or a mix.
    private func files(_ day: String, version: String, extra: [String: String] = [:]) -> [String: [UInt8]] {
        var summaryDay = SyntheticNightlyDay.make()
        summaryDay.day = day
        var files: [String: [UInt8]] = ["summary.json": SummaryJSON.encode(summaryDay)]
        for name in ["queue-duration.csv", "abandonment.csv", "whisper.csv", "callbacks.csv", "quality.csv", "index.html"] {
            files[name] = Array("\(name) of \(day), version \(version)\n".utf8)
        }
        for (name, text) in extra { files[name] = Array(text.utf8) }
        return files
    }

    private func read(_ folder: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            out[name] = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
        }
        return out
    }

    private func hidden(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") && $0 != ".lock" }
    }

    @Test func aPackAndTheIndexAppear() throws {
        let folder = try TemporaryFolder()
        let out = folder.file("packs/nightly")
        let pack = DayPack(directory: out)
        let written = files("2026-03-12", version: "1")
        #expect(try pack.write(day: "2026-03-12", files: written) == .created)
        #expect(try read(out + "/2026-03-12") == written)
        let index = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(index.contains("<a href=\"2026-03-12/index.html\">2026-03-12</a>"))
        let queued = SyntheticNightlyDay.make().headlines.first { $0.queue == nil }!.figures.contactsQueued
        #expect(index.contains("<td>\(Figures.count(Double(queued)))</td>"), "the index shows the summary's figures")
        #expect(try hidden(out).isEmpty, "no staging folder left")
    }

    @Test func aRenderedDayBringsItsSummaryAndPage() throws {
        let folder = try TemporaryFolder()
        let day = SyntheticNightlyDay.make()
        let pack = DayPack(directory: folder.path)
        #expect(try pack.write(day, reports: ["quality.csv": Array("check,count,example_contact_id\n".utf8)]) == .created)
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: folder.file("2026-03-12"))) == ["quality.csv", "summary.json", "index.html"])
        let summary = try SummaryJSON.decode(Array(try Data(contentsOf: URL(fileURLWithPath: folder.file("2026-03-12/summary.json")))))
        #expect(summary.headlines.count == day.headlines.count)
        #expect(try String(contentsOfFile: folder.file("2026-03-12/index.html"), encoding: .utf8) == NightlyPage.render(day))
        #expect(try pack.write(day, reports: ["quality.csv": Array("check,count,example_contact_id\n".utf8)]) == .unchanged)
    }

    @Test func writingTheSameAgainChangesNoByte() throws {
        let folder = try TemporaryFolder()
        let pack = DayPack(directory: folder.path)
        try pack.write(day: "2026-03-12", files: files("2026-03-12", version: "1"))
        let before = try read(folder.path + "/2026-03-12")
        let indexBefore = try Data(contentsOf: URL(fileURLWithPath: folder.file("index.html")))
        let modified = try FileManager.default.attributesOfItem(atPath: folder.file("2026-03-12/summary.json"))[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.02)
        #expect(try pack.write(day: "2026-03-12", files: files("2026-03-12", version: "1")) == .unchanged)
        #expect(try read(folder.path + "/2026-03-12") == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.file("index.html"))) == indexBefore)
        #expect(try FileManager.default.attributesOfItem(atPath: folder.file("2026-03-12/summary.json"))[.modificationDate] as? Date == modified)
    }

    @Test func aNewerPackReplacesTheOldOneWhole() throws {
        let folder = try TemporaryFolder()
        let pack = DayPack(directory: folder.path)
        try pack.write(day: "2026-03-12", files: files("2026-03-12", version: "1", extra: ["notes.txt": "old"]))
        let newer = files("2026-03-12", version: "2")
        #expect(try pack.write(day: "2026-03-12", files: newer) == .replaced)
        #expect(try read(folder.path + "/2026-03-12") == newer, "the old pack's extra file is gone too")
        try pack.write(day: "2026-03-11", files: files("2026-03-11", version: "1"))
        #expect(try pack.listing().days.map(\.day) == ["2026-03-12", "2026-03-11"])
        let index = try String(contentsOfFile: folder.file("index.html"), encoding: .utf8)
        #expect(index.range(of: "2026-03-12/index.html")!.lowerBound < index.range(of: "2026-03-11/index.html")!.lowerBound)
    }

    @Test func aFailedWriteLeavesTheOldPack() throws {
        let folder = try TemporaryFolder()
        let pack = DayPack(directory: folder.path)
        let old = files("2026-03-12", version: "1")
        try pack.write(day: "2026-03-12", files: old)
        // a name longer than the file system allows fails after the other files were written
        let failing = files("2026-03-12", version: "2", extra: [String(repeating: "x", count: 300) + ".csv": "too long"])
        #expect {
            try pack.write(day: "2026-03-12", files: failing)
        } throws: { error in
            guard case let .cannotWrite(path, reason)? = error as? PackError else { return false }
            return path.hasPrefix(folder.path + "/.2026-03-12.tmp-") && reason.contains("too long")
        }
        #expect(try read(folder.path + "/2026-03-12") == old)
        #expect(try hidden(folder.path).isEmpty)
    }

    @Test func leftoversOfAKilledRunAreRemoved() throws {
        let folder = try TemporaryFolder()
        try folder.write(".2026-03-12.tmp-99999/summary.json", "half")
        try folder.write(".2026-03-11.old-99999/summary.json", "old")
        try DayPack(directory: folder.path).write(day: "2026-03-12", files: files("2026-03-12", version: "1"))
        #expect(try hidden(folder.path).isEmpty)
        #expect(try DayPack(directory: folder.path).listing().days.map(\.day) == ["2026-03-12"])
    }

    @Test func concurrentWritersTakeTurnsAndReadersSeeWholePacks() throws {
        let folder = try TemporaryFolder()
        let days = ["2026-03-10", "2026-03-11", "2026-03-12"]
        let failures = FailureLog()
        let writers = DispatchGroup()
        let done = Flag()
        // a reader: whenever the day's folder is there, it holds every file, all of one version
        let names = Array(files("2026-03-12", version: "").keys)
        let reader = Thread {
            while !done.isSet {
                guard let sample = PackSample(folder.file("2026-03-12"), names: names) else { continue }
                if sample.missing.count > 0 { failures.add("partial pack: \(sample.missing) missing") }
                if sample.versions.count > 1 { failures.add("mixed pack: \(sample.versions)") }
            }
        }
        reader.start()
        for writer in 0..<6 {
            writers.enter()
            Thread {
                defer { writers.leave() }
                for round in 0..<5 {
                    let day = days[(writer + round) % days.count]
                    do {
                        try DayPack(directory: folder.path).write(day: day, files: files(day, version: "\(writer).\(round)"))
                    } catch {
                        failures.add("writer \(writer): \(error)")
                    }
                }
            }.start()
        }
        writers.wait()
        done.set()
        #expect(failures.messages.isEmpty, "\(failures.messages)")
        for day in days {
            let pack = try read(folder.file(day))
            #expect(pack.count == 7)
            let versions = Set(pack.filter { $0.key.hasSuffix(".csv") }.values.map { String(decoding: $0, as: UTF8.self).components(separatedBy: "version ").last! })
            #expect(versions.count == 1, "\(day): \(versions)")
        }
        #expect(try DayPack(directory: folder.path).listing().days.map(\.day) == days.reversed())
        #expect(try hidden(folder.path).isEmpty)
    }

    @Test func anUnwritableFolderIsAClearError() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("not-a-folder", "x")
        let out = file + "/packs"
        #expect {
            try DayPack(directory: out).write(day: "2026-03-12", files: files("2026-03-12", version: "1"))
        } throws: { error in
            let message = (error as? LocalizedError)?.errorDescription ?? ""
            return message == "cannot write the report pack at \(out): \(file) is not a folder (choose a folder you can write to)"
        }
        #expect {
            try DayPack(directory: file + "/deeper/packs").write(day: "2026-03-12", files: [:])
        } throws: { error in
            (error as? LocalizedError)?.errorDescription?.hasPrefix("cannot write the report pack at \(file)/deeper/packs: ") == true
        }
        #expect(throws: PackError.invalidDay("2026-3-12")) {
            try DayPack(directory: folder.path).write(day: "2026-3-12", files: [:])
        }
        #expect(throws: PackError.invalidFileName("../escape.csv")) {
            try DayPack(directory: folder.path).write(day: "2026-03-12", files: ["../escape.csv": []])
        }
    }
}

/// Messages collected from several threads.
private final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ message: String) { lock.lock(); list.append(message); lock.unlock() }
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return list }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// The files of a pack folder read through one descriptor of the folder, so that a rename
/// while reading cannot mix two folders; nil when the folder was replaced before the reading
/// ended (then what was read belongs to a pack on its way out).
private struct PackSample {
    var missing: [String] = []
    var versions = Set<String>()

    init?(_ path: String, names: [String]) {
        let folder = open(path, O_RDONLY | O_DIRECTORY)
        guard folder >= 0 else { return nil }
        defer { close(folder) }
        for name in names {
            let file = openat(folder, name, O_RDONLY)
            guard file >= 0 else { missing.append(name); continue }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while case let n = read(file, &buffer, buffer.count), n > 0 { bytes += buffer[..<n] }
            close(file)
            if name.hasSuffix(".csv") { versions.insert(String(decoding: bytes, as: UTF8.self).components(separatedBy: "version ").last ?? "") }
        }
        var opened = stat(), current = stat()
        guard fstat(folder, &opened) == 0, stat(path, &current) == 0, opened.st_ino == current.st_ino else { return nil }
    }
}
