import Foundation
import GRDB

/// One table of the lake: its folder, its Parquet schema, and the query that gives its rows.
///
/// The query returns `dt` (the partition, `YYYY-MM-DD` in UTC) first, then one column per
/// schema column, for the partitions in [:from, :to) (UTC text bounds), ordered by `dt` and
/// then by queue and disconnect time, the order rows have within a file.
struct LakeTable {
    let name: String
    let schema: ParquetSchema
    let sql: String

    /// A column and the SQL expression that gives it (timestamps: microseconds since the epoch).
    private struct Column {
        let column: ParquetColumn
        let expression: String
    }

    private static func selectList(_ columns: [Column]) -> String {
        columns.map { "\($0.expression) AS \($0.column.name)" }.joined(separator: ",\n       ")
    }

    private static func microseconds(_ expression: String) -> String {
        "unixepoch(\(expression)) * 1000000"
    }

    /// `legs/`: every contact column of SPEC section 3, plus `queue_s` and the whisper gaps, read
    /// from the reports' `legs` relation (`Queries/_leg.sql`, `_legs.sql`) so that the definitions
    /// stay in one place. Partitioned by disconnect_ts, else initiation_ts (the relation's
    /// `bucket_ts` with `:by = 'disconnect'`).
    static func legs(catalog: ReportCatalog) -> LakeTable {
        let text = ["instance_arn", "channel", "initiation_method"]
        let times1 = ["initiation_ts", "connected_to_system_ts", "disconnect_ts", "last_update_ts"]
        let text2 = ["disconnect_reason", "previous_contact_id", "next_contact_id", "initial_contact_id",
                     "related_contact_id", "queue_name", "queue_arn"]
        let times2 = ["enqueue_ts", "dequeue_ts"]
        var columns = [Column(column: .string("contact_id", optional: false), expression: "l.contact_id")]
        columns += text.map { Column(column: .string($0), expression: "l.\($0)") }
        columns += times1.map { Column(column: .timestamp($0), expression: microseconds("l.\($0)")) }
        columns += text2.map { Column(column: .string($0), expression: "l.\($0)") }
        columns += times2.map { Column(column: .timestamp($0), expression: microseconds("l.\($0)")) }
        columns += [Column(column: .int64("queue_duration_s"), expression: "l.queue_duration_s"),
                    Column(column: .string("agent_username"), expression: "l.agent_username"),
                    Column(column: .string("agent_arn"), expression: "l.agent_arn"),
                    Column(column: .timestamp("connected_to_agent_ts"), expression: microseconds("l.connected_to_agent_ts"))]
        columns += ["agent_interaction_s", "customer_hold_s", "number_of_holds", "longest_hold_s", "acw_s"]
            .map { Column(column: .int64($0), expression: "l.\($0)") }
        columns += ["routing_profile", "customer_address", "system_address"].map { Column(column: .string($0), expression: "l.\($0)") }
        columns += [Column(column: .timestamp("transfer_completed_ts"), expression: microseconds("l.transfer_completed_ts")),
                    Column(column: .string("chain_id"), expression: "l.chain_id"),
                    Column(column: .int64("chain_depth"), expression: "l.chain_depth"),
                    Column(column: .string("outcome"), expression: "l.outcome")]
        // derived in the leg relation (0/1 flags and seconds), and the flags the quality report reads
        columns += ["queued", "answered", "callback_leg", "queue_s", "agent_whisper_s", "outbound_whisper_s",
                    "missing_parent", "missing_next", "in_cycle", "conflicting_versions"]
            .map { Column(column: .int64($0), expression: "l.\($0)") }
        let body = """
            SELECT substr(l.bucket_ts, 1, 10) AS dt,
                   \(selectList(columns))
            FROM legs l
            ORDER BY dt, l.queue_name, l.disconnect_ts, l.contact_id
            """
        return LakeTable(name: "legs", schema: ParquetSchema(columns.map(\.column)), sql: catalog.compose(body))
    }

    /// `journeys/`: the `journeys` relation, partitioned by `first_initiation_ts`.
    static let journeys: LakeTable = {
        let columns = [
            Column(column: .string("chain_id", optional: false), expression: "j.chain_id"),
            Column(column: .int64("legs"), expression: "j.legs"),
            Column(column: .timestamp("first_initiation_ts"), expression: microseconds("j.first_initiation_ts")),
            Column(column: .timestamp("last_disconnect_ts"), expression: microseconds("j.last_disconnect_ts")),
            Column(column: .string("queues"), expression: "j.queues"),
            Column(column: .int64("answered"), expression: "j.answered"),
            Column(column: .int64("had_callback"), expression: "j.had_callback"),
            Column(column: .int64("broken"), expression: "j.broken"),
        ]
        // A range on first_initiation_ts alone: it costs what a day of `journeys` costs (SPEC
        // section 3 wants that in proportion to the day; a chain_id IN (...) filter would stop
        // SQLite from pushing anything into the view and scan contacts besides).
        let sql = """
            SELECT substr(j.first_initiation_ts, 1, 10) AS dt,
                   \(selectList(columns))
            FROM journeys j
            WHERE j.first_initiation_ts >= :from AND j.first_initiation_ts < :to
            ORDER BY dt, j.queues, j.last_disconnect_ts, j.chain_id
            """
        return LakeTable(name: "journeys", schema: ParquetSchema(columns.map(\.column)), sql: sql)
    }()

    /// `callback_requests/`: the reports' `callback_requests` relation (`Queries/_callback_requests.sql`):
    /// one row per leg whose outcome is `callback`, with what its callback legs came to.
    /// Partitioned like the request leg in `legs/`.
    static func callbackRequests(catalog: ReportCatalog) -> LakeTable {
        let columns = [
            Column(column: .string("contact_id", optional: false), expression: "r.contact_id"),
            Column(column: .string("chain_id"), expression: "r.chain_id"),
            Column(column: .string("queue_name"), expression: "r.queue_name"),
            Column(column: .timestamp("initiation_ts"), expression: microseconds("r.initiation_ts")),
            Column(column: .timestamp("enqueue_ts"), expression: microseconds("r.enqueue_ts")),
            Column(column: .timestamp("dequeue_ts"), expression: microseconds("r.dequeue_ts")),
            Column(column: .timestamp("disconnect_ts"), expression: microseconds("r.disconnect_ts")),
            Column(column: .int64("answered", optional: false), expression: "COALESCE(r.answered, 0)"),
            Column(column: .timestamp("first_agent_ts"), expression: microseconds("r.first_agent_ts")),
            Column(column: .int64("time_to_agent_s"), expression: "r.time_to_agent_s"),
            Column(column: .int64("attempts", optional: false), expression: "COALESCE(r.attempts, 0)"),
        ]
        let body = """
            SELECT substr(r.bucket_ts, 1, 10) AS dt,
                   \(selectList(columns))
            FROM callback_requests r
            ORDER BY dt, r.queue_name, r.disconnect_ts, r.contact_id
            """
        return LakeTable(name: "callback_requests", schema: ParquetSchema(columns.map(\.column)), sql: catalog.compose(body))
    }

    /// The arguments of the `legs` relation that select the legs of [from, to) by partition date.
    static func arguments(from: String, to: String) -> StatementArguments {
        ["by": "disconnect", "from": from, "to": to, "queues": nil]
    }
}

extension ParquetValue {
    /// A database value as a column of this kind holds it; text that is not a number in an
    /// integer column is a null rather than an abort (ad hoc databases may hold anything).
    init(_ value: DatabaseValue, kind: ParquetColumn.Kind) {
        switch (value.storage, kind) {
        case (.null, _): self = .null
        case let (.int64(v), .string): self = .string(String(v))
        case let (.int64(v), _): self = .int64(v)
        case let (.double(v), .string): self = .string(String(v))
        case let (.double(v), _): self = Int64(exactly: v.rounded()).map(ParquetValue.int64) ?? .null
        case let (.string(s), .string): self = .string(s)
        case let (.string(s), _): self = Int64(s).map(ParquetValue.int64) ?? .null
        case let (.blob(data), .string): self = String(data: data, encoding: .utf8).map(ParquetValue.string) ?? .null
        case (.blob, _): self = .null
        }
    }
}
