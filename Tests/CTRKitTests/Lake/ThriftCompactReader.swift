/// A small Thrift compact-protocol decoder, for the tests only: it reads footers and page
/// headers (ctrdb's and pyarrow's) into a tree the tests compare.
indirect enum ThriftValue: Equatable, CustomStringConvertible {
    case bool(Bool)
    case int(Int64)
    case binary([UInt8])
    case list([ThriftValue])
    case structure([Int16: ThriftValue])

    subscript(_ id: Int16) -> ThriftValue? {
        if case let .structure(fields) = self { return fields[id] }
        return nil
    }

    var int: Int64? { if case let .int(v) = self { return v }; return nil }
    var bool: Bool? { if case let .bool(v) = self { return v }; return nil }
    var bytes: [UInt8]? { if case let .binary(v) = self { return v }; return nil }
    var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
    var list: [ThriftValue]? { if case let .list(v) = self { return v }; return nil }
    var fieldIDs: [Int16] { if case let .structure(fields) = self { return fields.keys.sorted() }; return [] }

    var description: String {
        switch self {
        case let .bool(v): return "\(v)"
        case let .int(v): return "\(v)"
        case let .binary(v): return "b\(v)"
        case let .list(v): return "\(v)"
        case let .structure(fields): return "{" + fields.keys.sorted().map { "\($0): \(fields[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}

struct ThriftCompactReader {
    enum Failure: Error { case truncated, unknownType(UInt8) }

    let bytes: [UInt8]
    private(set) var position: Int

    init(_ bytes: [UInt8], at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// A struct's fields up to its stop byte.
    mutating func readStruct() throws -> ThriftValue {
        var fields: [Int16: ThriftValue] = [:]
        var last: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return .structure(fields) }
            let type = header & 0x0F
            let delta = header >> 4
            let id: Int16 = delta == 0 ? Int16(try zigzag()) : last + Int16(delta)
            last = id
            fields[id] = try value(type)
        }
    }

    private mutating func value(_ type: UInt8) throws -> ThriftValue {
        switch type {
        case 1: return .bool(true)
        case 2: return .bool(false)
        case 3: return .int(Int64(Int8(bitPattern: try byte())))
        case 4, 5, 6: return .int(try zigzag())
        case 8:
            let count = Int(try varint())
            guard position + count <= bytes.count else { throw Failure.truncated }
            defer { position += count }
            return .binary(Array(bytes[position..<position + count]))
        case 9:
            let header = try byte()
            var count = Int(header >> 4)
            if count == 15 { count = Int(try varint()) }
            let elementType = header & 0x0F
            var elements: [ThriftValue] = []
            for _ in 0..<count {
                // a bool inside a list is a byte: 1 true, otherwise false
                elements.append(elementType == 1 || elementType == 2 ? .bool(try byte() == 1) : try value(elementType))
            }
            return .list(elements)
        case 12: return try readStruct()
        default: throw Failure.unknownType(type)
        }
    }

    mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw Failure.truncated }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func zigzag() throws -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }
}

/// The footer of a Parquet file: checks the magic at both ends and decodes FileMetaData.
func parquetFooter(_ file: [UInt8]) throws -> ThriftValue {
    let magic = Array("PAR1".utf8)
    guard file.count >= 12, Array(file.prefix(4)) == magic, Array(file.suffix(4)) == magic else { throw ThriftCompactReader.Failure.truncated }
    let lengthBytes = file[file.count - 8..<file.count - 4]
    let length = lengthBytes.reversed().reduce(0) { $0 << 8 | Int($1) }
    var reader = ThriftCompactReader(file, at: file.count - 8 - length)
    let footer = try reader.readStruct()
    guard reader.position == file.count - 8 else { throw ThriftCompactReader.Failure.truncated }
    return footer
}

/// Decodes an RLE / bit-packed hybrid stream of `count` values (the tests' reference reader).
func decodeRLEHybrid(_ bytes: [UInt8], bitWidth: Int, count: Int) throws -> [UInt8] {
    var reader = ThriftCompactReader(bytes)
    var values: [UInt8] = []
    while values.count < count {
        let header = try reader.varint()
        if header & 1 == 0 {
            let run = Int(header >> 1)
            let value = bytes[reader.position]
            for _ in 0..<(bitWidth + 7) / 8 { _ = try reader.byte() }
            values.append(contentsOf: repeatElement(value, count: run))
        } else {
            let groups = Int(header >> 1)
            let start = reader.position
            for index in 0..<groups * 8 {
                var value: UInt8 = 0
                for bit in 0..<bitWidth {
                    let offset = index * bitWidth + bit
                    if bytes[start + offset / 8] >> (offset % 8) & 1 == 1 { value |= 1 << bit }
                }
                values.append(value)
            }
            reader.skip(groups * bitWidth)
        }
    }
    return Array(values.prefix(count))
}

extension ThriftCompactReader {
    mutating func skip(_ count: Int) { position += count }
}
