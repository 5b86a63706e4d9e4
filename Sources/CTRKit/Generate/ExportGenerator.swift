import Foundation

/// What to generate.
public struct GenerateOptions: Sendable {
    public var outputDirectory: String
    public var journeys = 1000
    public var days = 1
    public var seed: UInt64 = 1
    public var layout: ExportLayout = .firehose
    /// First day of the window (UTC), `YYYY-MM-DD`.
    public var startDate = "2024-03-04"
    /// An object is closed and the next one started past this many uncompressed bytes
    /// (Firehose's smallest buffer is 1 MiB).
    public var rolloverBytes: Int64 = 1 << 20

    public init(outputDirectory: String) { self.outputDirectory = outputDirectory }

    /// Checks the values; the message names the option to change.
    public func validate() throws {
        guard journeys >= 1 else { throw GenerateError.invalidOption("--journeys must be at least 1") }
        guard (1...3660).contains(days) else { throw GenerateError.invalidOption("--days must be between 1 and 3660") }
        guard startMilliseconds != nil else {
            throw GenerateError.invalidOption("--start-date must be a date written YYYY-MM-DD, for example 2024-03-04 (got \(startDate))")
        }
        guard rolloverBytes >= 1024 else { throw GenerateError.invalidOption("the object size limit must be at least 1024 bytes") }
    }

    var startMilliseconds: Int64? {
        guard startDate.utf8.count == 10, let t = Timestamp.parse(startDate + "T00:00:00Z") else { return nil }
        return t.epochMilliseconds
    }
}

/// What a run wrote.
public struct GenerateSummary: Sendable {
    public var files = 0
    public var journeys = 0
    public var records = 0
    /// JSON bytes written, before compression.
    public var uncompressedBytes: Int64 = 0
    /// Bytes on disk.
    public var fileBytes: Int64 = 0
    public var seconds = 0.0
    public var stats = GenerationStats()

    public var line: String {
        "generated \(files) files, \(journeys) journeys, \(records) records, \(uncompressedBytes) bytes of JSON (\(fileBytes) on disk) in \(String(format: "%.1f", seconds)) s"
    }
}

/// Writes a synthetic export: journeys in order of start time, each planned into legs and
/// deliveries, each delivery written at once into the object of its arrival hour.
///
/// Memory stays flat whatever `journeys` is. A delivery never arrives before its journey
/// starts, so once journeys start past an hour, that hour's object is complete and is
/// closed; only the few hours a journey spans are open at a time. Late updates, which
/// arrive days later, wait as 32-byte notes and are rebuilt from the seed when due.
///
/// Inside an object, records follow the order journeys produced them, not strictly their
/// arrival order: Connect guarantees no order, so no reader may rely on one.
public final class ExportGenerator {
    private let options: GenerateOptions
    private let factory = JourneyFactory(center: ContactCenter())
    private var layout: FirehoseLayout
    private var writer = CTRJSONWriter()
    /// The object being filled for each UTC hour (epoch hours) that is still open.
    private var openObjects: [Int64: ExportObjectWriter] = [:]
    private var createdFolders: Set<String> = []
    private var summary = GenerateSummary()

    public init(options: GenerateOptions) throws {
        try options.validate()
        self.options = options
        self.layout = FirehoseLayout(layout: options.layout, seed: options.seed)
    }

    public func run() throws -> GenerateSummary {
        let clock = ContinuousClock.now
        try prepareOutputDirectory()
        let start = options.startMilliseconds!
        let planner = DeliveryPlanner(windowEnd: start + Int64(options.days) * 86_400_000)
        var curve = ArrivalCurve(startMilliseconds: start, days: options.days)
        var jitter = SplitMix64(seed: options.seed, stream: UInt64.max - 1)
        var deferred = DeferredDeliveries()
        var deliveries: [Delivery] = []

        for index in 0..<options.journeys {
            let journeyStart = curve.start(index: index, of: options.journeys, jitter: jitter.unit())
            while let due = deferred.popEarliest(before: journeyStart) {
                try writeDeferred(due, planner: planner, scratch: &deliveries)
            }
            try closeObjects(endingBy: journeyStart)

            var rng = SplitMix64(seed: options.seed, stream: UInt64(index))
            let journey = factory.make(start: journeyStart, rng: &rng)
            deliveries.removeAll(keepingCapacity: true)
            let missing = planner.plan(journey, &rng, into: &deliveries)
            summary.stats.count(journey, missing: missing)
            for (ordinal, delivery) in deliveries.enumerated() {
                if delivery.deferred {
                    deferred.push(DeferredDelivery(arrival: delivery.arrival, journey: index, start: journeyStart, ordinal: ordinal))
                } else {
                    try write(journey.legs[delivery.leg], delivery)
                }
            }
        }
        while let due = deferred.popEarliest(before: nil) {
            try writeDeferred(due, planner: planner, scratch: &deliveries)
        }
        try closeObjects(endingBy: nil)
        summary.journeys = options.journeys
        summary.seconds = (ContinuousClock.now - clock).seconds
        return summary
    }

    /// Rebuilds the journey of a late update from the seed and writes the one delivery.
    private func writeDeferred(_ due: DeferredDelivery, planner: DeliveryPlanner, scratch: inout [Delivery]) throws {
        var rng = SplitMix64(seed: options.seed, stream: UInt64(due.journey))
        let journey = factory.make(start: due.start, rng: &rng)
        scratch.removeAll(keepingCapacity: true)
        planner.plan(journey, &rng, into: &scratch)
        let delivery = scratch[due.ordinal]
        try write(journey.legs[delivery.leg], delivery)
    }

    private func write(_ leg: ContactLeg, _ delivery: Delivery) throws {
        let hour = floorDiv(delivery.arrival, 3_600_000)
        var object = openObjects[hour]
        if let full = object, full.uncompressedBytes >= options.rolloverBytes {
            try finish(full)
            object = nil
        }
        if object == nil {
            object = try openObject(arrival: delivery.arrival)
            openObjects[hour] = object
        }
        writer.write(leg, delivery.variant, pretty: object!.format.pretty)
        try object!.write(writer.bytes)
        summary.stats.count(delivery)
        summary.records += 1
    }

    private func openObject(arrival: Int64) throws -> ExportObjectWriter {
        let (relativePath, format) = layout.nextObject(arrival: arrival)
        let folder = FirehoseLayout.folder(arrival: arrival)
        if !createdFolders.contains(folder) {
            let path = options.outputDirectory + "/" + folder
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw GenerateError.cannotWrite(path: path, reason: error.localizedDescription)
            }
            createdFolders.insert(folder)
        }
        summary.files += 1
        return try ExportObjectWriter(path: options.outputDirectory + "/" + relativePath, format: format)
    }

    /// Closes the objects of every hour that ends by `time` (all of them when nil).
    private func closeObjects(endingBy time: Int64?) throws {
        for hour in openObjects.keys.sorted() where time.map({ (hour + 1) * 3_600_000 <= $0 }) ?? true {
            try finish(openObjects.removeValue(forKey: hour)!)
        }
    }

    private func finish(_ object: ExportObjectWriter) throws {
        try object.close()
        summary.uncompressedBytes += object.uncompressedBytes
        summary.fileBytes += object.fileBytes
    }

    private func prepareOutputDirectory() throws {
        let path = options.outputDirectory
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw GenerateError.cannotWrite(path: path, reason: "it is a file, not a folder") }
            let entries = (try? manager.contentsOfDirectory(atPath: path)) ?? []
            guard entries.isEmpty else { throw GenerateError.outputNotEmpty(path: path) }
        } else {
            do {
                try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw GenerateError.cannotWrite(path: path, reason: error.localizedDescription)
            }
        }
    }
}
