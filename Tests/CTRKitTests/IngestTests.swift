import Foundation
import GRDB
import Testing
@testable import CTRKit
import TestSupport

/// SPEC section 2 as properties of `Ingest.run`, checked on the tables themselves.
@Suite struct IngestTests {
    private func currentRealRecord(_ db: String) throws -> [[String]] {
        try rows(db, "SELECT contact_id, last_update_ts FROM contacts")
    }

    // MARK: - Newest wins

    @Test(arguments: permutations([0, 1, 2]))
    func newestRealVersionWinsAcrossFiles(order: [Int]) throws {
        let versions = try Fixture.realVersions()
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let files = try order.enumerated().map { position, version in
            try folder.write("in/\(position).json", versions[version] + [0x0A])
        }
        let summary = try ingest(files, into: db)
        #expect(summary.exitCode == 0)
        #expect(summary.newVersions == 3)
        #expect(try currentRealRecord(db) == [[Fixture.realContactId, Fixture.realNewest]])
        #expect(try rows(db, "SELECT COUNT(*) FROM contact_versions") == [["3"]])
        let keys = try rows(db, "SELECT key FROM attributes WHERE key LIKE 'greetingplayed'").map { $0[0] }
        #expect(keys.sorted() == ["GreetingPlayed", "greetingPlayed"])
    }

    @Test(arguments: permutations([0, 1, 2]))
    func newestRealVersionWinsWithinOneFile(order: [Int]) throws {
        let versions = try Fixture.realVersions()
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        // Mixed framing in one file: concatenated, then an array.
        let bytes = versions[order[0]] + versions[order[1]] + [UInt8]("\n[") + versions[order[2]] + [UInt8]("]")
        let file = try folder.write("one.json", bytes)
        try ingest([file], into: db)
        #expect(try currentRealRecord(db) == [[Fixture.realContactId, Fixture.realNewest]])
        #expect(try rows(db, "SELECT COUNT(*) FROM contact_versions") == [["3"]])
        #expect(try rows(db, "SELECT COUNT(*) FROM attributes WHERE key IN ('greetingPlayed', 'GreetingPlayed')") == [["2"]])
    }

    @Test func everyVersionKeepsItsRawTextSourceAndOffset() throws {
        let versions = try Fixture.realVersions()
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let file = try folder.write("v.ndjson", try Fixture.bytes("real-ctr-versions.ndjson"))
        try ingest([file], into: db)
        let stored = try rows(db, "SELECT raw_json, source_file, byte_offset, deliveries FROM contact_versions ORDER BY byte_offset")
        var offset = 0
        for (index, version) in versions.enumerated() {
            #expect(stored[index] == [String(decoding: version, as: UTF8.self), file, String(offset), "1"])
            offset += version.count + 1
        }
        #expect(try rows(db, "SELECT json_extract(raw_json, '$.Agent.Username') FROM contact_versions LIMIT 1") == [["Steve.Lusk"]])
    }

    // MARK: - Idempotence and order

    private func fileSet(in folder: TemporaryFolder) throws -> [String] {
        let versions = try Fixture.realVersions()
        let seed = try Fixture.bytes("seed-example.json")
        return [
            try folder.write("data/a.json", seed),
            try folder.write("data/b.json.gz", gzip(versions[2] + [0x0A] + versions[0])),
            try folder.write("data/c", gzip([UInt8](ctr("x1", next: "x2"))) + gzip(versions[1])),
            try folder.write("data/d.json", [UInt8](ctr("x2", method: "TRANSFER", previous: "x1") + "garbage" + ctr("x3"))),
        ]
    }

    @Test func ingestingTheSameFilesTwiceChangesNothing() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let files = try fileSet(in: folder)
        let first = try ingest([folder.file("data")], into: db)
        #expect(first.files == 4)
        #expect(first.skippedFiles == 0)
        #expect(first.rejects == 1)
        let before = try snapshot(db)
        let second = try ingest([folder.file("data")], into: db)
        #expect(second.files == 4)
        #expect(second.skippedFiles == 4)
        #expect(second.records == 0)
        #expect(second.newVersions == 0)
        #expect(second.exitCode == 0)
        #expect(try snapshot(db) == before)
        // The same files named one by one are the same files.
        let third = try ingest(files, into: db)
        #expect(third.skippedFiles == 4)
        #expect(try snapshot(db) == before)
    }

    @Test func fileByFileInReverseOrderGivesTheSameContacts() throws {
        let folder = try TemporaryFolder()
        let files = try fileSet(in: folder)
        let together = folder.file("together.db")
        try ingest(files, into: together)
        let reversed = folder.file("reversed.db")
        for file in files.reversed() { try ingest([file], into: reversed) }
        #expect(try rows(reversed, "SELECT * FROM contacts ORDER BY contact_id") == rows(together, "SELECT * FROM contacts ORDER BY contact_id"))
        #expect(try rows(reversed, "SELECT * FROM attributes ORDER BY 1, 2") == rows(together, "SELECT * FROM attributes ORDER BY 1, 2"))
        #expect(try rows(reversed, "SELECT contact_id, content_hash, deliveries, raw_json FROM contact_versions ORDER BY 1, 2")
                == rows(together, "SELECT contact_id, content_hash, deliveries, raw_json FROM contact_versions ORDER BY 1, 2"))
        #expect(try rows(together, "SELECT COUNT(*) FROM contacts") == [["6"]])
    }

    /// Property: where batches close does not matter: a transaction per record's file, per two
    /// files, or one for the whole run give the same database.
    @Test(arguments: [1, 2, 3, 100_000])
    func batchSizeDoesNotChangeTheResult(recordsPerBatch: Int) throws {
        let folder = try TemporaryFolder()
        let files = try fileSet(in: folder)
        let reference = folder.file("reference.db")
        try ingest(files, into: reference)
        var options = IngestOptions()
        options.recordsPerBatch = recordsPerBatch
        let batched = folder.file("batched.db")
        let summary = try Ingest(databasePath: batched, options: options).run(inputs: files)
        #expect(summary.files == 4)
        #expect(summary.failedFiles == 0)
        #expect(try snapshot(batched) == snapshot(reference))
    }

    /// A file that fails halfway through, in the middle of a batch: what it loaded is rolled
    /// back, the batch's other files are loaded again and kept, and the next run completes the
    /// database exactly as a clean run would.
    @Test(arguments: [1, 2, 3])
    func aFileFailingInsideABatchLosesNothingElse(failing: Int) throws {
        let folder = try TemporaryFolder()
        let files = try fileSet(in: folder)
        let reference = folder.file("reference.db")
        try ingest(files, into: reference)
        struct ReadFault: Error {}
        var options = IngestOptions()
        options.faultAfterFirstRecord = { path in if path == files[failing] { throw ReadFault() } }
        let db = folder.file("ctr.db")
        let summary = try Ingest(databasePath: db, options: options).run(inputs: files)
        #expect(summary.failedFiles == 1)
        #expect(summary.exitCode == 1)
        #expect(summary.diagnostics.contains { $0.severity == .error && $0.file == files[failing] })
        let others = files.enumerated().filter { $0.offset != failing }.map(\.element)
        #expect(try rows(db, "SELECT path FROM ingest_files ORDER BY path") == others.sorted().map { [$0] })
        // The committed part equals a clean run of the other files alone.
        let withoutFailing = folder.file("without.db")
        try ingest(others, into: withoutFailing)
        #expect(try snapshot(db) == snapshot(withoutFailing))
        // Running again loads the failed file and nothing twice.
        let rerun = try ingest(files, into: db)
        #expect(rerun.skippedFiles == 3)
        #expect(try snapshot(db) == snapshot(reference))
    }

    /// Property: legs shuffled across files and runs always give the same chains.
    @Test func legsShuffledAcrossRunsGiveTheSameChains() throws {
        let legs = [
            ctr("j1", next: "j2"),
            ctr("j2", method: "CALLBACK", previous: "j1", initial: "j1", answered: true),
            ctr("t1", next: "t2"),
            ctr("t2", method: "TRANSFER", previous: "t1", next: "t3", initial: "t1"),
            ctr("t3", method: "TRANSFER", previous: "t2", initial: "t1", answered: true),
            ctr("o1", previous: "nowhere"),
            ctr("u1", next: "never-loaded"),
        ]
        let folder = try TemporaryFolder()
        let referenceDb = folder.file("reference.db")
        try ingest([try folder.write("all.json", legs.joined(separator: "\n"))], into: referenceDb)
        let query = "SELECT contact_id, chain_id, chain_depth, outcome, missing_parent, missing_next, in_cycle FROM contacts ORDER BY contact_id"
        let reference = try rows(referenceDb, query)
        #expect(reference.first { $0[0] == "j1" }?[3] == "callback")
        #expect(reference.first { $0[0] == "t3" }?[1...2] == ["t1", "2"])
        #expect(reference.first { $0[0] == "u1" }?[3] == "unresolved")
        var generator = SplitMix64(seed: 2024)
        for round in 0..<4 {
            let db = folder.file("round\(round).db")
            let shuffled = legs.shuffled(using: &generator)
            var start = 0
            var run = 0
            while start < shuffled.count {
                let size = Int.random(in: 1...3, using: &generator)
                let batch = shuffled[start..<min(start + size, shuffled.count)]
                try ingest([try folder.write("r\(round)/run\(run).json", batch.joined())], into: db)
                start += size
                run += 1
            }
            #expect(try rows(db, query) == reference, "round \(round)")
        }
    }

    @Test func callbackLegArrivingOnALaterRun() throws {
        let seed = try Fixture.seedRecords()
        let folder = try TemporaryFolder()
        let split = folder.file("split.db")
        try ingest([try folder.write("1.json", seed[0])], into: split)
        #expect(try rows(split, "SELECT outcome, chain_id, chain_depth FROM contacts") == [["unresolved", Fixture.ctr1, "0"]])
        try ingest([try folder.write("2.json", seed[1])], into: split)
        let whole = folder.file("whole.db")
        try ingest([try folder.write("both.json", seed[0] + seed[1])], into: whole)
        let query = "SELECT contact_id, chain_id, chain_depth, outcome, missing_next FROM contacts ORDER BY contact_id"
        #expect(try rows(split, query) == [[Fixture.ctr1, Fixture.ctr1, "0", "callback", "0"], [Fixture.ctr2, Fixture.ctr1, "1", "answered", "0"]])
        #expect(try rows(split, query) == rows(whole, query))
        // And the other way round: the child first, its parent later.
        let reverse = folder.file("reverse.db")
        try ingest([folder.file("2.json")], into: reverse)
        #expect(try rows(reverse, "SELECT chain_id, chain_depth, missing_parent FROM contacts") == [[Fixture.ctr1, "1", "1"]])
        try ingest([folder.file("1.json")], into: reverse)
        #expect(try rows(reverse, query) == rows(whole, query))
    }

    @Test func seedExampleJourney() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        try ingest([Fixture.url("seed-example.json").path], into: db)
        #expect(try rows(db, "SELECT chain_id, legs, queues, answered, had_callback, broken FROM journeys")
                == [[Fixture.ctr1, "2", "CallbackQueue, InboundQueue", "1", "1", "0"]])
        #expect(try rows(db, "SELECT queue_duration_s, connected_to_system_ts, connected_to_agent_ts, dequeue_ts FROM contacts WHERE contact_id = ?".replacingOccurrences(of: "?", with: "'\(Fixture.ctr2)'"))
                == [["120", "2024-03-12T11:40:10Z", "2024-03-12T11:40:25Z", "2024-03-12T11:40:00Z"]])
    }

    // MARK: - Versions

    @Test func byteIdenticalDuplicateIsOneVersionWithTwoDeliveries() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let record = ctr("dup")
        let summary = try ingest([try folder.write("a.json", record + "\n" + record)], into: db)
        #expect(summary.newVersions == 1)
        #expect(summary.duplicates == 1)
        #expect(try rows(db, "SELECT contact_id, deliveries, byte_offset FROM contact_versions") == [["dup", "2", "0"]])
        // Delivered again in another file: three deliveries.
        try ingest([try folder.write("b.json", record)], into: db)
        #expect(try rows(db, "SELECT deliveries FROM contact_versions") == [["3"]])
    }

    @Test func equalLastUpdateDifferentContentGreaterHashWins() throws {
        let one = ctr("tie", queue: "One")
        let two = ctr("tie", queue: "Two")
        let hashOne = RecordFramer.contentHash(of: [UInt8](one))
        let hashTwo = RecordFramer.contentHash(of: [UInt8](two))
        #expect(hashOne != hashTwo)
        let winner = hashOne > hashTwo ? "One" : "Two"
        let folder = try TemporaryFolder()
        for (index, order) in [[one, two], [two, one]].enumerated() {
            let sameFile = folder.file("same\(index).db")
            try ingest([try folder.write("same\(index).json", order.joined())], into: sameFile)
            #expect(try rows(sameFile, "SELECT queue_name FROM contacts") == [[winner]])
            let runs = folder.file("runs\(index).db")
            try ingest([try folder.write("r\(index)a.json", order[0])], into: runs)
            try ingest([try folder.write("r\(index)b.json", order[1])], into: runs)
            #expect(try rows(runs, "SELECT queue_name FROM contacts") == [[winner]])
            #expect(try rows(runs, "SELECT COUNT(*) FROM contact_versions") == [["2"]])
        }
    }

    @Test func changedFileAtTheSamePathIsReingestedAndItsOldDeliveriesWithdrawn() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let path = try folder.write("export.json", ctr("keep") + ctr("drop") + "junk")
        let other = try folder.write("other.json", ctr("keep"))
        try ingest([path, other], into: db)
        #expect(try rows(db, "SELECT deliveries FROM contact_versions WHERE contact_id = 'keep'") == [["2"]])
        #expect(try rows(db, "SELECT COUNT(*) FROM rejects") == [["1"]])
        try folder.write("export.json", ctr("keep") + "\n" + ctr("new"))
        let summary = try ingest([path], into: db)
        #expect(summary.failedFiles == 0, "\(summary.diagnostics)")
        #expect(summary.skippedFiles == 0)
        #expect(try rows(db, "SELECT contact_id FROM contacts ORDER BY 1") == [["keep"], ["new"]])
        #expect(try rows(db, "SELECT contact_id, deliveries FROM contact_versions ORDER BY 1") == [["keep", "2"], ["new", "1"]])
        #expect(try rows(db, "SELECT COUNT(*) FROM rejects") == [["0"]])
        #expect(try rows(db, "SELECT path, records FROM ingest_files ORDER BY 1") == [[path, "2"], [other, "1"]])
        // Same result as ingesting the current files into a new database.
        let fresh = folder.file("fresh.db")
        try ingest([path, other], into: fresh)
        #expect(try rows(fresh, "SELECT * FROM contacts ORDER BY 1") == rows(db, "SELECT * FROM contacts ORDER BY 1"))
    }

    @Test func changedFileFallsBackToTheNewestRemainingVersion() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let path = try folder.write("f.json", ctr("c", queue: "Newer", lastUpdate: "2024-03-12T11:00:00Z"))
        try ingest([path, try folder.write("g.json", ctr("c", queue: "Older", lastUpdate: "2024-03-12T10:00:00Z"))], into: db)
        #expect(try rows(db, "SELECT queue_name FROM contacts") == [["Newer"]])
        try folder.write("f.json", ctr("unrelated"))
        try ingest([path], into: db)
        #expect(try rows(db, "SELECT contact_id, queue_name FROM contacts ORDER BY 1") == [["c", "Older"], ["unrelated", "Q"]])
    }

    // MARK: - Files, atomicity, damage

    @Test func unreadableFileFailsAloneAndOthersAreLoaded() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let good = try folder.write("good.json", ctr("g"))
        // Opens, but every read fails with EIO: an unreadable file even for root.
        let summary = try ingest(["/proc/self/mem", good], into: db)
        #expect(summary.failedFiles == 1)
        #expect(summary.exitCode == 1)
        #expect(summary.diagnostics.contains { $0.severity == .error && $0.file == "/proc/self/mem" })
        #expect(try rows(db, "SELECT contact_id FROM contacts") == [["g"]])
        #expect(try rows(db, "SELECT path FROM ingest_files") == [[good]])
    }

    @Test func truncatedGzipIsPartialAndKeepsItsRecords() throws {
        var text = ""
        for i in 0..<300 { text += ctr("p\(i)", lastUpdate: "2024-03-12T10:\(String(format: "%02d", i % 60)):00Z") + "\n" }
        let full = gzip([UInt8](text), level: 1)
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let path = try folder.write("cut.gz", Array(full.prefix(full.count / 2)))
        let summary = try ingest([path], into: db)
        #expect(summary.partialFiles == 1)
        #expect(summary.exitCode == 2)
        let loaded = Int(try rows(db, "SELECT COUNT(*) FROM contacts")[0][0])!
        #expect(loaded > 0 && loaded < 300)
        #expect(try rows(db, "SELECT status, records FROM ingest_files") == [["partial", String(loaded)]])
        #expect(try rows(db, "SELECT error IS NOT NULL FROM ingest_files") == [["1"]])
        let warning = try #require(summary.diagnostics.first { $0.message.contains("truncated") })
        #expect(warning.file == path)
        #expect((warning.offset ?? 0) > 0, "the warning names where the readable data ends")
    }

    @Test func rejectsAreRecordedWithFileOffsetAndText() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let path = try folder.write("r.json", ctr("a") + "oops" + #"{"NoId":1}"#)
        let summary = try ingest([path], into: db)
        #expect(summary.rejects == 2)
        #expect(summary.exitCode == 2)
        let a = ctr("a").utf8.count
        #expect(try rows(db, "SELECT source_file, byte_offset, raw_text FROM rejects ORDER BY byte_offset")
                == [[path, String(a), "oops"], [path, String(a + 4), #"{"NoId":1}"#]])
        #expect(try rows(db, "SELECT reason FROM rejects ORDER BY byte_offset")[1] == [DecodeError.missingContactId.localizedDescription])
        #expect(summary.diagnostics.map(\.offset) == [Int64(a), Int64(a + 4)])
        #expect(try rows(db, "SELECT records, rejects, status FROM ingest_files") == [["1", "2", "complete"]])
    }

    @Test func emptyFileIsCompleteWithNoRecords() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let summary = try ingest([try folder.write("empty.json", [UInt8]()), try folder.write("empty.gz", gzip([UInt8]()))], into: db)
        #expect(summary.exitCode == 0)
        #expect(try rows(db, "SELECT records, status FROM ingest_files ORDER BY path") == [["0", "complete"], ["0", "complete"]])
    }

    @Test func missingInputThrowsBeforeAnythingIsWritten() throws {
        let folder = try TemporaryFolder()
        #expect(throws: ReadError.self) { try ingest([folder.file("nope.json")], into: folder.file("ctr.db")) }
    }
}

extension IngestTests {
    /// A leg withdrawn with its changed file no longer counts as its parent's next leg.
    @Test func withdrawnChildUpdatesItsParentsOutcome() throws {
        let seed = try Fixture.seedRecords()
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let parent = try folder.write("parent.json", seed[0])
        let child = try folder.write("child.json", seed[1])
        try ingest([parent, child], into: db)
        #expect(try rows(db, "SELECT outcome FROM contacts WHERE contact_id = '\(Fixture.ctr1)'") == [["callback"]])
        try folder.write("child.json", ctr("someone-else"))
        try ingest([child], into: db)
        #expect(try rows(db, "SELECT contact_id FROM contacts WHERE contact_id LIKE 'c7a1%'") == [[Fixture.ctr1]])
        let fresh = folder.file("fresh.db")
        try ingest([parent, child], into: fresh)
        let query = "SELECT contact_id, chain_id, chain_depth, outcome, missing_next FROM contacts ORDER BY 1"
        #expect(try rows(db, query) == rows(fresh, query))
        #expect(try rows(db, "SELECT outcome FROM contacts WHERE contact_id = '\(Fixture.ctr1)'") == [["unresolved"]])
    }

    /// Pretty-printed and compact copies of one record hash alike, so they are one version.
    @Test func compactAndPrettyCopiesAreOneVersion() throws {
        let seed = try Fixture.seedRecords()
        var compact: [UInt8] = []
        var inString = false, escaped = false
        for byte in seed[1] {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
            } else if byte == 0x22 {
                inString = true
            } else if byte == 0x20 || byte == 0x0A {
                continue
            }
            compact.append(byte)
        }
        #expect(compact.count < seed[1].count)
        #expect(String(decoding: compact, as: UTF8.self).contains("\"Basic Routing Profile\""))
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        try ingest([try folder.write("pretty.json", seed[1]), try folder.write("compact.json", compact)], into: db)
        #expect(try rows(db, "SELECT COUNT(*), SUM(deliveries) FROM contact_versions") == [["1", "2"]])
        #expect(try rows(db, "SELECT raw_json FROM contact_versions") == [[String(decoding: seed[1], as: UTF8.self)]], "the first copy's text is kept")
    }

    /// A withdrawn child that its parent does not name (no NextContactId) still updates the parent.
    @Test func withdrawnUnnamedChildUpdatesItsParent() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        let parent = try folder.write("p.json", ctr("p"))
        let child = try folder.write("c.json", ctr("c", method: "TRANSFER", previous: "p"))
        try ingest([parent, child], into: db)
        #expect(try rows(db, "SELECT outcome FROM contacts WHERE contact_id = 'p'") == [["transfer"]])
        try folder.write("c.json", ctr("other"))
        try ingest([child], into: db)
        #expect(try rows(db, "SELECT outcome FROM contacts WHERE contact_id = 'p'") == [["abandoned"]])
    }
}

extension IngestTests {
    @Test func journeysFlagBrokenChains() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        try ingest([try folder.write("a.json", ctr("orphan", method: "TRANSFER", previous: "gone") + ctr("solo", answered: true)
                                          + ctr("loop1", previous: "loop2") + ctr("loop2", previous: "loop1"))], into: db)
        #expect(try rows(db, "SELECT chain_id, legs, broken FROM journeys ORDER BY chain_id")
                == [["gone", "1", "1"], ["loop1", "2", "1"], ["solo", "1", "0"]])
        #expect(try rows(db, "SELECT contact_id FROM contacts WHERE in_cycle = 1 ORDER BY 1") == [["loop1"], ["loop2"]])
    }
}

/// Legs with no links get their chain values at load time; these pin down the cases where
/// that shortcut must not be taken.
extension IngestTests {
    @Test func aLinkFreeParentArrivingAfterItsChildCountsTheChild() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("c.db")
        // Run 1: the transfer leg names its parent, which is not loaded yet.
        try ingest([try folder.write("child.json", ctr("child", method: "TRANSFER", previous: "parent", initial: "parent", answered: true))], into: db)
        // Run 2: the parent itself names nobody (no NextContactId), queued and not answered.
        try ingest([try folder.write("parent.json", ctr("parent"))], into: db)
        #expect(try rows(db, "SELECT contact_id, chain_id, chain_depth, outcome FROM contacts ORDER BY contact_id")
            == [["child", "parent", "1", "answered"], ["parent", "parent", "0", "transfer"]])
        #expect(try rows(db, "SELECT COUNT(*) FROM pending_chain") == [["0"]])
    }

    @Test func aLinkFreeLegIsResolvedAtLoadExactlyAsTheChainStageWould() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("s.db")
        try ingest([try folder.write("a.json", ctr("abandoned") + ctr("answered", answered: true) + ctr("ivr", queue: nil))], into: db)
        #expect(try rows(db, "SELECT contact_id, chain_id, chain_depth, outcome, missing_parent, missing_next, in_cycle FROM contacts ORDER BY contact_id")
            == [["abandoned", "abandoned", "0", "abandoned", "0", "0", "0"],
                ["answered", "answered", "0", "answered", "0", "0", "0"],
                ["ivr", "ivr", "0", "NULL", "0", "0", "0"]])
    }

    @Test func aLegThatLosesItsLinkInANewerVersionReleasesItsParent() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("l.db")
        try ingest([try folder.write("1.json", ctr("p") + ctr("c", method: "CALLBACK", previous: "p", lastUpdate: "2024-03-12T10:10:00Z"))], into: db)
        #expect(try rows(db, "SELECT outcome FROM contacts WHERE contact_id = 'p'") == [["callback"]])
        // A later copy of c without PreviousContactId: p has no next leg any more.
        try ingest([try folder.write("2.json", ctr("c", method: "CALLBACK", lastUpdate: "2024-03-12T11:00:00Z"))], into: db)
        #expect(try rows(db, "SELECT outcome FROM contacts WHERE contact_id = 'p'") == [["abandoned"]])
    }
}
