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
            #expect(averageSize > 2500 && averageSize < 4000)
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

extension GenerateTests {
    /// The callback and transfer flows of SPEC section 4, as the chain stage and reports will see them.
    @Suite struct Flows {
        let export: ReadBackExport
        let current: [String: ContactRecord]
        init() throws {
            export = try ReadBackExport.scenarios.get()
            current = export.current
        }

        func previous(_ leg: ContactRecord) -> ContactRecord? { leg.previousContactId.flatMap { current[$0] } }
        func legs(_ method: String) -> [ContactRecord] { current.values.filter { $0.initiationMethod == method } }

        @Test func everyInitiationMethodIsDeliveredAsOftenAsItWasCreated() {
            let stats = export.summary.stats
            let methods = ["INBOUND", "OUTBOUND", "TRANSFER", "QUEUE_TRANSFER", "CALLBACK",
                           "CALLBACK_CUSTOMER_FIRST_QUEUED", "CALLBACK_CUSTOMER_FIRST_DIALED"]
            #expect(Set(stats.legsByMethod.keys) == Set(methods))
            let delivered = Dictionary(grouping: current.values, by: { $0.initiationMethod ?? "" }).mapValues(\.count)
            #expect(Set(delivered.keys) == Set(methods))
            for method in methods {
                // Created legs, less the few never delivered.
                let created = stats.legsByMethod[method]!
                #expect(delivered[method]! <= created && delivered[method]! >= created - stats.undeliveredLegs, "\(method)")
            }
            #expect(delivered.values.reduce(0, +) == stats.legs - stats.undeliveredLegs)
            // Customer-first legs are a minority beside agent-first callbacks, as in a centre that is trying the newer mode.
            #expect(delivered["CALLBACK"]! > delivered["CALLBACK_CUSTOMER_FIRST_QUEUED"]!)
            #expect(delivered["CALLBACK_CUSTOMER_FIRST_DIALED"]! > delivered["CALLBACK_CUSTOMER_FIRST_QUEUED"]!)
        }

        @Test func agentFirstRetriesFollowAnAttemptTheCustomerDidNotAnswer() throws {
            let retries = legs("CALLBACK").filter { previous($0)?.initiationMethod == "CALLBACK" }
            #expect(!retries.isEmpty)
            for retry in retries {
                let failed = try #require(previous(retry))
                // The agent took the failed attempt, the customer never came on the line.
                #expect(failed.agentUsername != nil && failed.dequeue != nil, "\(failed.contactId)")
                #expect(failed.connectedToSystem == nil && failed.connectedToAgent == nil, "\(failed.contactId)")
                #expect(failed.nextContactId == retry.contactId)
                #expect(retry.initialContactId == failed.initialContactId && retry.initialContactId != nil)
                #expect(retry.initiation!.epochMilliseconds >= failed.disconnect!.epochMilliseconds)
                // Queued again in the callback queue after the minimum time between attempts.
                #expect(retry.queueName == "CallbackQueue")
                #expect(seconds(retry.initiation, retry.enqueue)! >= 60)
            }
            // One retry, and two: a retry whose failed attempt was itself a retry.
            let twice = retries.filter { previous(previous($0)!)?.initiationMethod == "CALLBACK" }
            #expect(!twice.isEmpty)
            #expect(retries.count > twice.count)
            // Never a third retry (Maximum number of retries = 2), and a retry can itself be answered.
            #expect(twice.allSatisfy { previous(previous(previous($0)!)!)?.initiationMethod != "CALLBACK" })
            #expect(retries.contains { $0.connectedToAgent != nil })
            #expect(export.summary.stats.callbacksRetriedOnce > export.summary.stats.callbacksRetriedTwice)
            #expect(export.summary.stats.callbacksRetriedTwice > 0)
        }

        @Test func customerFirstQueuedLegsHandOverToDialledLegs() throws {
            let queued = legs("CALLBACK_CUSTOMER_FIRST_QUEUED")
            #expect(!queued.isEmpty)
            let ids = Set(export.records.map(\.contactId))
            for leg in queued {
                // Requested from an inbound call, waited in the callback queue, never reached an agent itself.
                if let request = previous(leg) {
                    #expect(request.initiationMethod == "INBOUND" && request.nextContactId == leg.contactId)
                } else {
                    #expect(!ids.contains(leg.previousContactId!))
                }
                #expect(leg.queueName == "CallbackQueue" && leg.enqueue != nil && leg.dequeue != nil)
                #expect(leg.agentUsername == nil && leg.connectedToAgent == nil && leg.connectedToSystem == nil)
            }
            let dialed = legs("CALLBACK_CUSTOMER_FIRST_DIALED")
            var firstDialAnswered = 0, secondDialAnswered = 0, neverAnswered = 0
            for leg in dialed {
                let parent = try #require(previous(leg), "\(leg.contactId)")
                #expect(parent.nextContactId == leg.contactId)
                #expect(leg.initialContactId == parent.initialContactId)
                if leg.connectedToAgent != nil {
                    // The customer answered first; queued at once for the agent, who is connected with no whisper gap.
                    let answered = try #require(leg.connectedToSystem)
                    #expect(leg.enqueue!.epochMilliseconds > answered.epochMilliseconds)
                    #expect(leg.connectedToAgent == leg.dequeue)
                    if parent.initiationMethod == "CALLBACK_CUSTOMER_FIRST_QUEUED" { firstDialAnswered += 1 }
                    if parent.initiationMethod == "CALLBACK_CUSTOMER_FIRST_DIALED" { secondDialAnswered += 1 }
                } else {
                    // Rang out: never queued, no agent.
                    #expect(leg.connectedToSystem == nil && leg.enqueue == nil && leg.agentUsername == nil)
                    if parent.initiationMethod == "CALLBACK_CUSTOMER_FIRST_DIALED" && leg.nextContactId == nil { neverAnswered += 1 }
                }
                if parent.initiationMethod == "CALLBACK_CUSTOMER_FIRST_QUEUED" {
                    #expect(leg.initiation == parent.dequeue)
                } else {
                    #expect(parent.initiationMethod == "CALLBACK_CUSTOMER_FIRST_DIALED" && parent.connectedToSystem == nil)
                    #expect(previous(parent)?.initiationMethod == "CALLBACK_CUSTOMER_FIRST_QUEUED")
                }
            }
            #expect(firstDialAnswered > secondDialAnswered && secondDialAnswered > 0 && neverAnswered > 0)
            let stats = export.summary.stats
            #expect(stats.customerFirstAnsweredAtFirstDial >= firstDialAnswered && stats.customerFirstAnsweredAtSecondDial >= secondDialAnswered)
            #expect(stats.customerFirstNeverAnswered >= neverAnswered)
        }

        @Test func callbackDurationsAreCountedBothWays() {
            let delayed = current.values.filter { leg in
                (leg.initiationMethod ?? "").hasPrefix("CALLBACK") && leg.queueDuration != nil && leg.dequeue != nil
                    && seconds(leg.initiation, leg.enqueue).map { $0 > 0 } ?? false
            }
            let withDelay = delayed.filter { $0.queueDuration == seconds($0.initiation, $0.dequeue) }
            let fromEnqueue = delayed.filter { $0.queueDuration == seconds($0.enqueue, $0.dequeue) }
            #expect(withDelay.contains { $0.initiationMethod == "CALLBACK" })
            #expect(fromEnqueue.contains { $0.initiationMethod == "CALLBACK" })
            #expect(withDelay.contains { $0.initiationMethod == "CALLBACK_CUSTOMER_FIRST_QUEUED" })
            #expect(fromEnqueue.contains { $0.initiationMethod == "CALLBACK_CUSTOMER_FIRST_QUEUED" })
            // Every callback leg with a Duration uses one convention or the other.
            #expect(withDelay.count + fromEnqueue.count == delayed.count)
            #expect(withDelay.count > fromEnqueue.count / 2 && fromEnqueue.count > withDelay.count / 4)
            #expect(export.summary.stats.callbackDurationsWithDelay >= withDelay.count)
        }

        @Test func queueTransfersSometimesCompleteAndSometimesLoseTheirNextLeg() {
            let ids = Set(export.records.map(\.contactId))
            let transferred = current.values.filter { $0.initiationMethod == "INBOUND" && $0.nextContactId != nil && $0.disconnectReason == "CONTACT_FLOW_DISCONNECT" && $0.queueName != nil }
                .filter { leg in current[leg.nextContactId!].map { $0.initiationMethod == "QUEUE_TRANSFER" } ?? !ids.contains(leg.nextContactId!) }
            #expect(transferred.contains { $0.transferCompleted != nil && ids.contains($0.nextContactId!) })
            #expect(transferred.contains { $0.transferCompleted == nil && ids.contains($0.nextContactId!) })
            // Next leg not in the export: with TransferCompletedTimestamp (Connect's "transferred out"), and without.
            let lost = transferred.filter { !ids.contains($0.nextContactId!) }
            #expect(lost.contains { $0.transferCompleted != nil })
            #expect(export.summary.stats.queueTransfersNextLegMissing >= lost.filter { $0.transferCompleted != nil }.count)
            // Some leave the queue within the 20 s service-level threshold.
            #expect(transferred.contains { seconds($0.enqueue, $0.dequeue)! < 20 })
            #expect(transferred.contains { seconds($0.enqueue, $0.dequeue)! >= 20 })
        }
    }
}

extension GenerateTests {
    /// Records shaped like the real ones in the project's fixtures (shared/fixtures/real/).
    @Suite struct RecordShape {
        let export: ReadBackExport
        init() throws { export = try ReadBackExport.scenarios.get() }

        /// The top-level keys of a 2025 voice CTR (ykko21/sb_kds_reader's records), without the two that come and go.
        static let topLevelKeys = [
            "AWSAccountId", "AWSContactTraceRecordFormatVersion", "Agent", "AgentConnectionAttempts",
            "AnsweringMachineDetectionStatus", "Attributes", "Campaign", "Channel", "ConnectedToSystemTimestamp",
            "ContactAssociationId", "ContactDetails", "ContactId", "CustomerEndpoint", "CustomerVoiceActivity",
            "DisconnectReason", "DisconnectTimestamp", "InitialContactId", "InitiationMethod", "InitiationTimestamp",
            "InstanceARN", "LastUpdateTimestamp", "MediaStreams", "NextContactId", "PreviousContactId", "Queue",
            "Recording", "Recordings", "References", "ScheduledTimestamp", "SegmentAttributes", "SystemEndpoint", "Tags",
            "TaskTemplateInfo", "TransferCompletedTimestamp", "TransferredToEndpoint", "VoiceIdResult",
        ]
        /// Present on some records only: quality metrics of legs an agent talked on, disconnect details now and then.
        static let occasionalKeys: Set = ["QualityMetrics", "DisconnectDetails"]
        static let agentKeys: Set = [
            "ARN", "AfterContactWorkDuration", "AfterContactWorkEndTimestamp", "AfterContactWorkStartTimestamp",
            "AgentInitiatedHoldDuration", "AgentInteractionDuration", "ConnectedToAgentTimestamp", "CustomerHoldDuration",
            "DeviceInfo", "HierarchyGroups", "LongestHoldDuration", "NumberOfHolds", "RoutingProfile", "StateTransitions", "Username",
        ]

        func object(_ record: ContactRecord) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(record.rawJSON.utf8)) as? [String: Any])
        }

        /// The member names of a record's top-level object, in the order written (one pass, string-aware).
        static func topLevelKeys(_ text: String) -> [String] {
            var keys: [String] = []
            var depth = 0, inString = false, escaped = false, expectingKey = false
            var current: [UInt8] = []
            for byte in text.utf8 {
                if inString {
                    if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 {
                        inString = false
                        if expectingKey { keys.append(String(decoding: current, as: UTF8.self)); expectingKey = false }
                        continue
                    }
                    if expectingKey { current.append(byte) }
                    continue
                }
                switch byte {
                case 0x22:
                    inString = true
                    current.removeAll(keepingCapacity: true)
                case 0x7B, 0x5B:
                    depth += 1
                    expectingKey = depth == 1 && byte == 0x7B
                case 0x7D, 0x5D:
                    depth -= 1
                case 0x2C:
                    expectingKey = depth == 1
                default:
                    break
                }
            }
            return keys
        }

        @Test func keysAreConnectsAndInItsOrder() throws {
            var seenOccasional: Set<String> = []
            for record in export.records {
                let ordered = Self.topLevelKeys(record.rawJSON)
                let keys = Set(ordered)
                #expect(ordered.count == keys.count)
                #expect(keys.subtracting(Self.occasionalKeys) == Set(Self.topLevelKeys), "\(record.contactId)")
                seenOccasional.formUnion(keys.intersection(Self.occasionalKeys))
                // Alphabetical, as Connect writes them.
                #expect(ordered == ordered.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, "\(record.contactId)")
                // Quality metrics need an agent on the line; every inbound or callback leg an agent talked on has them.
                if keys.contains("QualityMetrics") { #expect(record.connectedToAgent != nil) }
                if record.connectedToAgent != nil && record.initiationMethod != "OUTBOUND" { #expect(keys.contains("QualityMetrics"), "\(record.contactId)") }
            }
            #expect(seenOccasional == Self.occasionalKeys)
            for record in export.records.prefix(800) where record.agentUsername != nil {
                let agent = try #require(try object(record)["Agent"] as? [String: Any])
                #expect(Set(agent.keys) == Self.agentKeys)
            }
            // The scanner itself: nested names are not top-level ones.
            #expect(Self.topLevelKeys(#"{"b":{"a":[{"z":1}],"y":"x\"q"},"c":[1,{"d":2}]}"#) == ["b", "c"])
        }

        @Test func nestedObjectsLookLikeTheRealOnes() throws {
            var qualityScores: [Double] = []
            for record in export.records.prefix(600) {
                let json = try object(record)
                let tags = try #require(json["Tags"] as? [String: String])
                #expect(tags["aws:connect:instanceId"].map { record.instanceARN!.hasSuffix(":instance/" + $0) } ?? false)
                #expect(tags["aws:connect:systemEndpoint"] == record.systemAddress)
                #expect(json["ContactAssociationId"] as? String == (record.initialContactId ?? record.contactId))
                let subtype = (json["SegmentAttributes"] as? [String: Any])?["connect:Subtype"] as? [String: Any]
                #expect(subtype?["ValueString"] as? String == "connect:Telephony")
                if let quality = json["QualityMetrics"] as? [String: Any],
                   let audio = (quality["Agent"] as? [String: Any])?["Audio"] as? [String: Any] {
                    qualityScores.append(try #require(audio["QualityScore"] as? Double))
                }
                if let agent = json["Agent"] as? [String: Any] {
                    #expect((agent["DeviceInfo"] as? [String: String])?["PlatformName"] != nil)
                    #expect((agent["ARN"] as? String)?.hasPrefix(record.instanceARN! + "/agent/") ?? false)
                }
                if record.queueARN != nil { #expect(record.queueARN!.hasPrefix(record.instanceARN! + "/queue/")) }
            }
            // Single-precision scores written out in double precision, as Connect does (4.369999885559082).
            #expect(!qualityScores.isEmpty && qualityScores.allSatisfy { (1...5).contains($0) })
            #expect(qualityScores.contains { Double(Float($0)) == $0 && $0 != ($0 * 100).rounded() / 100 })
            let text = export.records.map(\.rawJSON).joined()
            #expect(text.contains(#""TransferredToEndpoint":{"Address":null,"Type":"TELEPHONE_NUMBER"}"#))
            #expect(text.contains(#""References":[{"Name":"CRM case","Type":"URL","Value":"https://crm.example.com/cases/CS-"#))
        }

        /// Compact sizes: the real fixtures run from 0.9 to 3.2 KB in the 2019-2022 shape; the 2025
        /// shape adds about 0.6 KB, and production flows set more attributes than test records.
        @Test func sizesFollowTheKindOfLeg() {
            func compactSizes(_ filter: (ContactRecord) -> Bool) -> [Int] {
                export.records.filter { filter($0) && !$0.rawJSON.hasPrefix("{\n") }.map { $0.rawJSON.utf8.count }.sorted()
            }
            func average(_ sizes: [Int]) -> Int { sizes.reduce(0, +) / max(sizes.count, 1) }
            let all = compactSizes { _ in true }
            let ivr = compactSizes { $0.queueName == nil && $0.agentUsername == nil }
            let recorded = compactSizes { $0.rawJSON.contains(#""Recordings":[{"#) }
            #expect((2600...3600).contains(average(all)), "\(average(all))")
            #expect((1800...2600).contains(average(ivr)), "\(average(ivr))")
            #expect((3600...4800).contains(average(recorded)), "\(average(recorded))")
            #expect(all.first! > 1500 && all.last! < 6000)
        }
    }
}
