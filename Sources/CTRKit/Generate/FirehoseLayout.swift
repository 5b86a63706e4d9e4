/// How the export's objects are written.
public enum ExportLayout: String, CaseIterable, Sendable {
    /// As Firehose writes them: gzip, records concatenated with no delimiter.
    case firehose
    /// Firehose objects mixed with what other pipelines and tools produce.
    case mixed
}

/// The shape of one object.
enum ObjectFormat: CaseIterable {
    /// `{...}{...}`, gzip, `.gz`: Firehose's default.
    case concatenatedGzip
    /// One record per line, gzip, `.gz`: Firehose with a newline processor.
    case ndjsonGzip
    /// `[{...},{...}]`, plain text, `.json`.
    case jsonArray
    /// `{...}{...}`, uncompressed, no extension: Firehose with compression off.
    case plainConcatenated
    /// Records pretty-printed with two-space indents, gzip, `.gz`.
    case prettyGzip
    /// Concatenated, gzip, but no extension: readers must sniff the magic bytes.
    case gzipNoExtension
    /// Two gzip members back to back, `.gz`, as after `cat a.gz b.gz`.
    case multiMemberGzip

    var compressed: Bool {
        switch self {
        case .jsonArray, .plainConcatenated: return false
        default: return true
        }
    }

    var fileExtension: String {
        switch self {
        case .concatenatedGzip, .ndjsonGzip, .prettyGzip, .multiMemberGzip: return ".gz"
        case .jsonArray: return ".json"
        case .plainConcatenated, .gzipNoExtension: return ""
        }
    }

    var pretty: Bool { self == .prettyGzip }

    /// Share of objects in the `mixed` layout: mostly gzip, a few large plain ones.
    var mixedWeight: Double {
        switch self {
        case .concatenatedGzip: return 0.36
        case .ndjsonGzip: return 0.16
        case .jsonArray: return 0.06
        case .plainConcatenated: return 0.06
        case .prettyGzip: return 0.10
        case .gzipNoExtension: return 0.14
        case .multiMemberGzip: return 0.12
        }
    }
}

/// Names objects as Firehose does: `YYYY/MM/DD/HH/` by UTC arrival hour, then
/// `<stream>-<version>-YYYY-MM-DD-HH-mm-ss-<uuid>`. The uuid comes from the run's own
/// generator, so names are the same on every run with the same seed.
struct FirehoseLayout {
    static let streamName = "ctrdb-demo-ctr-stream"
    static let streamVersion = 1

    let layout: ExportLayout
    private var rng: SplitMix64
    private let weights = ObjectFormat.allCases.map(\.mixedWeight)

    init(layout: ExportLayout, seed: UInt64) {
        self.layout = layout
        self.rng = SplitMix64(seed: seed, stream: UInt64.max)
    }

    /// The folder of an arrival time, relative to the export root: `YYYY/MM/DD/HH`.
    static func folder(arrival: Int64) -> String {
        let t = CivilTime(arrival)
        var e = JSONEmitter(capacity: 16)
        e.pad(t.year, 4); e.appendRaw("/"); e.pad(t.month, 2); e.appendRaw("/"); e.pad(t.day, 2); e.appendRaw("/"); e.pad(t.hour, 2)
        return String(decoding: e.bytes, as: UTF8.self)
    }

    /// The next object's path relative to the export root, and its format.
    mutating func nextObject(arrival: Int64) -> (path: String, format: ObjectFormat) {
        let format = layout == .firehose ? ObjectFormat.concatenatedGzip : ObjectFormat.allCases[rng.weighted(weights)]
        let t = CivilTime(arrival)
        var e = JSONEmitter(capacity: 96)
        e.appendRaw("\(FirehoseLayout.streamName)-\(FirehoseLayout.streamVersion)-")
        e.pad(t.year, 4); e.appendRaw("-"); e.pad(t.month, 2); e.appendRaw("-"); e.pad(t.day, 2); e.appendRaw("-")
        e.pad(t.hour, 2); e.appendRaw("-"); e.pad(t.minute, 2); e.appendRaw("-"); e.pad(t.second, 2); e.appendRaw("-")
        e.appendRaw(rng.uuid())
        e.appendRaw(format.fileExtension)
        return (Self.folder(arrival: arrival) + "/" + String(decoding: e.bytes, as: UTF8.self), format)
    }
}
