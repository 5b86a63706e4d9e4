/// Thrift's compact protocol, the encoding of Parquet's footer and page headers, written by hand
/// for the handful of shapes Parquet's metadata needs: structs, lists, i16/i32/i64, bool, binary.
///
/// A field is a header byte (the id's delta from the previous field of the same struct in the
/// high nibble, its type in the low nibble; a delta outside 1...15 is written as a zigzag varint
/// after the type), then its value. Integers are zigzag varints, binary is a varint length and
/// the bytes, a bool is carried by the header's type itself, and a struct ends with a zero byte.
struct ThriftCompactWriter {
    /// The compact protocol's type ids (low nibble of a field header or list header).
    enum FieldType: UInt8 {
        case booleanTrue = 1, booleanFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
        case binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    private(set) var bytes: [UInt8] = []
    /// The id of the last field written in each struct being written, innermost last.
    private var lastFieldIDs: [Int16] = [0]

    init() {}

    /// A whole struct written at the top level (a footer or a page header): its fields, then the stop byte.
    static func encode(_ body: (inout ThriftCompactWriter) -> Void) -> [UInt8] {
        var writer = ThriftCompactWriter()
        body(&writer)
        writer.bytes.append(0)
        return writer.bytes
    }

    // MARK: Fields

    mutating func field(_ id: Int16, i16 value: Int16) {
        fieldHeader(id, .i16)
        varint(zigzag(Int64(value)))
    }

    mutating func field(_ id: Int16, i32 value: Int32) {
        fieldHeader(id, .i32)
        varint(zigzag(Int64(value)))
    }

    mutating func field(_ id: Int16, i64 value: Int64) {
        fieldHeader(id, .i64)
        varint(zigzag(value))
    }

    mutating func field(_ id: Int16, bool value: Bool) {
        fieldHeader(id, value ? .booleanTrue : .booleanFalse)
    }

    mutating func field(_ id: Int16, binary value: [UInt8]) {
        fieldHeader(id, .binary)
        binary(value)
    }

    mutating func field(_ id: Int16, string value: String) {
        field(id, binary: Array(value.utf8))
    }

    /// A nested struct: `body` writes its fields.
    mutating func field(_ id: Int16, struct body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .structure)
        structure(body)
    }

    mutating func field(_ id: Int16, i32List values: [Int32]) {
        fieldHeader(id, .list)
        listHeader(count: values.count, elementType: .i32)
        for value in values { varint(zigzag(Int64(value))) }
    }

    mutating func field(_ id: Int16, stringList values: [String]) {
        fieldHeader(id, .list)
        listHeader(count: values.count, elementType: .binary)
        for value in values { binary(Array(value.utf8)) }
    }

    /// A list of structs, one `body` call per element.
    mutating func field<Element>(_ id: Int16, structList elements: [Element], _ body: (inout ThriftCompactWriter, Element) -> Void) {
        fieldHeader(id, .list)
        listHeader(count: elements.count, elementType: .structure)
        for element in elements { structure { body(&$0, element) } }
    }

    // MARK: Encoding

    private mutating func structure(_ body: (inout ThriftCompactWriter) -> Void) {
        lastFieldIDs.append(0)
        body(&self)
        bytes.append(0)
        lastFieldIDs.removeLast()
    }

    private mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let delta = Int(id) - Int(lastFieldIDs[lastFieldIDs.count - 1])
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(zigzag(Int64(id)))
        }
        lastFieldIDs[lastFieldIDs.count - 1] = id
    }

    private mutating func listHeader(count: Int, elementType: FieldType) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            varint(UInt64(count))
        }
    }

    private mutating func binary(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Unsigned LEB128: seven bits per byte, least significant first, high bit set on all but the last.
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Zigzag maps signed to unsigned so that small magnitudes stay short: 0, -1, 1, -2 -> 0, 1, 2, 3.
    func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }
}
