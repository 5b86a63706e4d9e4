import Foundation
import Testing
import TestSupport
@testable import CTRKit

/// `ctrdb generate`: determinism, layout, scenarios, and a round trip through ingest.
enum GenerateTests {}

/// A generated export read back with the project's own reader.
struct ReadBackExport {
    struct Copy {
        /// Path relative to the export root.
        var file: String
        var record: ContactRecord
    }

    var copies: [Copy] = []
    var rejects: [RejectedChunk] = []
    var files: [String] = []
    var gzipMembers: [String: Int] = [:]
    var summary: GenerateSummary

    /// Generates into a fresh folder, reads every file back, then removes the folder.
    init(_ configure: (inout GenerateOptions) -> Void) throws {
        let scratch = try TemporaryFolder()
        let root = scratch.path
        var options = GenerateOptions(outputDirectory: root)
        configure(&options)
        summary = try ExportGenerator(options: options).run()
        files = try listFiles(root)
        for file in files {
            let source = DecompressingSource(try FileSource(path: root + "/" + file))
            let stream = RecordStream(source: source)
            while let item = try stream.next() {
                switch item {
                case let .record(record): copies.append(Copy(file: file, record: record))
                case let .reject(chunk): rejects.append(chunk)
                }
            }
            gzipMembers[file] = source.members
        }
    }

    var records: [ContactRecord] { copies.map(\.record) }
    /// The newest copy of each contact.
    var current: [String: ContactRecord] {
        var out: [String: ContactRecord] = [:]
        for r in records where (out[r.contactId]?.lastUpdate).map({ r.lastUpdate! > $0 }) ?? true { out[r.contactId] = r }
        return out
    }

    /// Shared by the scenario tests: 2000 journeys over 3 days, generated once.
    static let scenarios = Result { try ReadBackExport { $0.journeys = 2000; $0.days = 3 } }
}

/// Files under `root`, relative and sorted.
func listFiles(_ root: String) throws -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: root)!
    var files: [String] = []
    while let path = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(path) }
    }
    return files.sorted()
}

/// File list and content hash of each file, to compare two runs.
func fingerprint(_ root: String) throws -> [String: UInt64] {
    var out: [String: UInt64] = [:]
    for file in try listFiles(root) { out[file] = try ContentHasher.hashFile(root + "/" + file).hash }
    return out
}

func seconds(_ from: Timestamp?, _ to: Timestamp?) -> Int64? {
    guard let from, let to else { return nil }
    return (to.epochMilliseconds - from.epochMilliseconds) / 1000
}

extension GenerateTests {
    @Suite struct Determinism {
        func generate(seed: UInt64, layout: ExportLayout) throws -> [String: UInt64] {
            let scratch = try TemporaryFolder()
            let root = scratch.path
            var options = GenerateOptions(outputDirectory: root)
            options.journeys = 400
            options.days = 2
            options.seed = seed
            options.layout = layout
            _ = try ExportGenerator(options: options).run()
            return try fingerprint(root)
        }

        @Test(arguments: [ExportLayout.firehose, .mixed])
        func sameSeedGivesByteIdenticalTree(layout: ExportLayout) throws {
            let first = try generate(seed: 42, layout: layout)
            let second = try generate(seed: 42, layout: layout)
            #expect(!first.isEmpty)
            #expect(first == second)
        }

        @Test func portableLogMatchesTheCLibrary() {
        for x in [1e-12, 0.001, 0.1, 0.25, 0.5, 0.7, 0.999_999, 1.0] {
            #expect(abs(SplitMix64.naturalLog(x) - log(x)) < 1e-12 * max(1, abs(log(x))))
        }
    }

    @Test func differentSeedGivesDifferentExport() throws {
            let first = try generate(seed: 1, layout: .firehose)
            let second = try generate(seed: 2, layout: .firehose)
            #expect(Set(first.keys).isDisjoint(with: second.keys))
            #expect(Set(first.values).isDisjoint(with: second.values))
        }
    }
}

extension GenerateTests {
    @Suite struct Layout {
        @Test func firehosePathsFollowArrivalHourAndNaming() throws {
            let export = try ReadBackExport.scenarios.get()
            let pattern = #/^(\d{4})/(\d{2})/(\d{2})/(\d{2})/ctrdb-demo-ctr-stream-1-(\d{4})-(\d{2})-(\d{2})-(\d{2})-\d{2}-\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.gz$/#
            for file in export.files {
                let match = try #require(try pattern.wholeMatch(in: file), "\(file)")
                #expect(match.1 == match.5 && match.2 == match.6 && match.3 == match.7 && match.4 == match.8, "\(file)")
                #expect(export.gzipMembers[file] == 1)
            }
            // Records land in the hour they arrive, never before the contact's last update.
            for copy in export.copies {
                let hour = Timestamp(epochMilliseconds: copy.record.lastUpdate!.epochMilliseconds).text.prefix(13)
                let folder = copy.file.prefix(13).replacingOccurrences(of: "/", with: "-")
                #expect(folder >= hour.replacingOccurrences(of: "T", with: "-"), "\(copy.file)")
            }
        }

        @Test func busyHoursRollOverIntoSeveralObjects() throws {
            let export = try ReadBackExport { $0.journeys = 600; $0.rolloverBytes = 32 * 1024 }
            let perHour = Dictionary(grouping: export.files, by: { $0.prefix(13) })
            #expect(perHour.values.contains { $0.count >= 3 })
            #expect(export.rejects.isEmpty)
            #expect(export.records.count == export.summary.records)
        }

        @Test func mixedLayoutWritesEveryShapeAndReadsBackWhole() throws {
            let export = try ReadBackExport { $0.journeys = 1500; $0.days = 2; $0.layout = .mixed }
            #expect(export.rejects.isEmpty)
            #expect(export.records.count == export.summary.records)
            #expect(export.files.contains { $0.hasSuffix(".json") })
            #expect(export.files.contains { !$0.hasSuffix(".json") && !$0.hasSuffix(".gz") && export.gzipMembers[$0] == 0 })
            #expect(export.files.contains { !$0.hasSuffix(".gz") && export.gzipMembers[$0] == 1 })
            #expect(export.gzipMembers.values.contains { $0 == 2 })
            #expect(export.copies.contains { $0.record.rawJSON.hasPrefix("{\n  \"AWSAccountId\": ") })
        }
    }
}

extension GenerateTests {
    @Suite struct Scenarios {
        let export: ReadBackExport
        init() throws { export = try ReadBackExport.scenarios.get() }

        @Test func everyRecordDecodesAndIsCounted() {
            #expect(export.rejects.isEmpty)
            #expect(export.records.count == export.summary.records)
            #expect(export.records.count == export.summary.stats.deliveries)
            let perJourney = Double(export.records.count) / 2000
            #expect(perJourney > 1.5 && perJourney < 1.9)
            let averageSize = export.records.reduce(0) { $0 + $1.rawJSON.utf8.count } / export.records.count
            #expect(averageSize > 1500 && averageSize < 4000)
        }

        @Test func inboundOutcomes() {
            let legs = Array(export.current.values)
            #expect(legs.contains { $0.initiationMethod == "INBOUND" && $0.connectedToAgent != nil && $0.enqueue != nil })
            let abandoned = legs.filter { $0.enqueue != nil && $0.connectedToAgent == nil && $0.agentUsername == nil && $0.nextContactId == nil }
            #expect(abandoned.contains { seconds($0.enqueue, $0.dequeue)! < 5 })
            #expect(abandoned.contains { seconds($0.enqueue, $0.dequeue)! >= 5 })
            #expect(legs.contains { $0.initiationMethod == "INBOUND" && $0.queueName == nil && $0.agentUsername == nil })
            #expect(Set(legs.compactMap(\.queueName)) == ["Billing", "Sales", "Support", "Tech Support", "CallbackQueue"])
            #expect(Set(legs.compactMap(\.agentUsername)).count > 5)
            #expect(Set(legs.compactMap(\.routingProfile)).count >= 3)
        }

        @Test func transfersAreLinkedBothWays() {
            let current = export.current
            for method in ["TRANSFER", "QUEUE_TRANSFER"] {
                let linked = current.values.filter { leg in
                    guard leg.initiationMethod == method, let parentId = leg.previousContactId, let parent = current[parentId] else { return false }
                    return leg.initialContactId == parentId && parent.nextContactId == leg.contactId && leg.queueName != parent.queueName
                }
                #expect(!linked.isEmpty, "\(method)")
            }
        }

        @Test func callbacksHaveWhisperGapsOrFailWithoutTheCustomer() {
            let callbacks = export.current.values.filter { $0.initiationMethod == "CALLBACK" }
            let answered = callbacks.filter { $0.connectedToAgent != nil }
            #expect(!answered.isEmpty)
            for leg in answered {
                #expect((5...20).contains(seconds(leg.dequeue, leg.connectedToSystem)!))
                #expect((5...20).contains(seconds(leg.connectedToSystem, leg.connectedToAgent)!))
                #expect(leg.queueName == "CallbackQueue" && leg.previousContactId != nil)
            }
            #expect(callbacks.contains { $0.agentUsername != nil && $0.connectedToAgent == nil && $0.connectedToSystem == nil && $0.dequeue != nil })
            #expect(callbacks.contains { $0.agentUsername == nil && $0.enqueue != nil })
            #expect(callbacks.contains { leg in leg.queueDuration.map { $0 > seconds(leg.enqueue, leg.dequeue)! } ?? false })
            let current = export.current
            #expect(callbacks.contains { leg in current[leg.previousContactId!]?.nextContactId == leg.contactId && current[leg.previousContactId!]?.agentUsername == nil })
        }

        @Test func outboundLegsNameAQueueButWereNeverQueued() {
            let outbound = export.current.values.filter { $0.initiationMethod == "OUTBOUND" }
            #expect(!outbound.isEmpty)
            #expect(outbound.allSatisfy { $0.queueName != nil && $0.queueARN != nil && $0.enqueue == nil })
        }

        @Test func deliveryQuirks() {
            let byContact = Dictionary(grouping: export.records, by: \.contactId)
            // Early copy: an earlier update without after-contact work, then the final one with it.
            #expect(byContact.values.contains { copies in
                copies.contains { $0.agentUsername != nil && $0.afterContactWork == nil } && copies.contains { $0.afterContactWork != nil }
            })
            // Byte-identical duplicates and equal-timestamp conflicts.
            #expect(Dictionary(grouping: export.records, by: \.contentHash).values.contains { $0.count > 1 })
            #expect(byContact.values.contains { copies in
                Dictionary(grouping: copies, by: \.lastUpdate).values.contains { Set($0.map(\.contentHash)).count > 1 }
            })
            // Late updates: at least a day after the contact ended, in a later day's folder, with one more attribute.
            let late = export.copies.filter { seconds($0.record.disconnect, $0.record.lastUpdate)! >= 86_400 }
            #expect(late.contains { copy in
                let day = copy.record.disconnect!.text.prefix(10).replacingOccurrences(of: "-", with: "/")
                return copy.file.prefix(10) > day && byContact[copy.record.contactId]!.contains { $0.attributes.count < copy.record.attributes.count }
            })
        }

        @Test func brokenChainsAndOddFields() {
            let ids = Set(export.records.map(\.contactId))
            let legs = Array(export.current.values)
            #expect(legs.contains { $0.previousContactId.map { !ids.contains($0) } ?? false })
            #expect(legs.contains { $0.nextContactId.map { !ids.contains($0) } ?? false })
            #expect(legs.contains { $0.enqueue != nil && $0.queueDuration == nil })
            #expect(export.records.contains { $0.lastUpdate!.epochMilliseconds % 1000 != 0 })
            #expect(export.records.contains { r in r.attributes.contains { $0.key == "greetingPlayed" } && r.attributes.contains { $0.key == "GreetingPlayed" } })
            #expect(export.records.contains { r in r.attributes.contains { $0.value?.hasPrefix("=HYPERLINK(") ?? false } })
            #expect(export.records.contains { r in r.attributes.contains { $0.value == "+1-555" || $0.value == "@SUM(A1)" } })
        }
    }
}

extension GenerateTests {
    @Suite struct Ingest {
        @Test func generatedExportIngestsWithoutRejects() throws {
            let scratch = try TemporaryFolder()
            let root = scratch.path
            var options = GenerateOptions(outputDirectory: root + "/export")
            options.journeys = 300
            options.days = 2
            options.layout = .mixed
            let generated = try ExportGenerator(options: options).run()
            let summary = try CTRKit.Ingest(databasePath: root + "/ctr.db").run(inputs: [root + "/export"])
            #expect(summary.rejects == 0)
            #expect(summary.partialFiles == 0 && summary.failedFiles == 0)
            #expect(summary.records == generated.records)
            #expect(summary.exitCode == 0)
        }

        @Test func refusesBadOptionsAndNonEmptyFolders() throws {
            let scratch = try TemporaryFolder()
            var options = GenerateOptions(outputDirectory: scratch.file("export"))
            options.startDate = "2024-3-4"
            #expect(throws: GenerateError.self) { try options.validate() }
            options.startDate = "2024-03-04"
            options.days = 0
            #expect(throws: GenerateError.self) { try options.validate() }

            let root = scratch.path
            _ = FileManager.default.createFile(atPath: root + "/keep.txt", contents: Data("x".utf8))
            #expect(throws: GenerateError.outputNotEmpty(path: root)) { try ExportGenerator(options: GenerateOptions(outputDirectory: root)).run() }
        }
    }
}
