import GRDB

/// The chain stage (SPEC section 4): links legs into journeys, sets `chain_id`,
/// `chain_depth`, `outcome` and the broken-link flags.
///
/// Incremental: it starts from the legs in `pending_chain` (every leg whose current record
/// changed) and recomputes the whole connected group of each, so that a parent or child that
/// arrives on a later run updates legs loaded earlier. Memory holds one group at a time.
public enum ChainResolver {
    /// One leg as the chain stage sees it.
    struct Leg {
        var id: String
        var previous: String?
        var next: String?
        var initial: String?
        var method: String?
        var queued: Bool
        var answered: Bool
        /// `TransferCompletedTimestamp` is set: the leg was transferred out of its queue.
        var transferCompleted = false

        /// SPEC section 4: a callback leg's method starts with `CALLBACK` (agent-first `CALLBACK`,
        /// customer-first `CALLBACK_CUSTOMER_FIRST_QUEUED` and `CALLBACK_CUSTOMER_FIRST_DIALED`).
        /// (Byte by byte: Swift's `hasPrefix` would also take a Kelvin sign for the K.)
        var isCallbackLeg: Bool { method?.utf8.starts(with: "CALLBACK".utf8) == true }
    }

    /// What the stage computed for one leg.
    struct Resolution: Equatable {
        var chainId: String
        var depth: Int
        var outcome: Outcome?
        var missingParent: Bool
        var missingNext: Bool
        var inCycle: Bool
    }

    /// How many pending legs one step takes; their groups are loaded together.
    public static let seedsPerStep = 5_000

    /// Resolves every pending leg and its group (or `maxSteps` steps of `seeds` pending legs
    /// each, the ones that arrived first); returns how many legs were examined.
    ///
    /// Each step takes a slice of `pending_chain`, closes it over the links in both directions
    /// with one recursive query (so every leg whose chain or outcome can depend on a pending
    /// one is in), resolves that closed set in memory, and writes back only what changed.
    @discardableResult
    public static func resolvePending(_ db: Database, maxSteps: Int = .max, seeds: Int = seedsPerStep) throws -> Int {
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS chain_seeds (id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
            CREATE TEMP TABLE IF NOT EXISTS chain_group (id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
            CREATE TEMP TABLE IF NOT EXISTS chain_order (id TEXT NOT NULL);
            """)
        let update = try BoundStatement(db, """
            UPDATE contacts SET chain_id = ?1, chain_depth = ?2, outcome = ?3, missing_parent = ?4, missing_next = ?5, in_cycle = ?6
            WHERE rowid = ?7
            """)
        // The same, for a leg that stays in its chain: an UPDATE that sets chain_id rewrites the
        // leg's entry in contacts_chain, even to the same value (`IndexedColumns`).
        let updateInChain = try BoundStatement(db, """
            UPDATE contacts SET chain_depth = ?2, outcome = ?3, missing_parent = ?4, missing_next = ?5, in_cycle = ?6
            WHERE rowid = ?7
            """)
        let journeys = try JourneyRefresh(db)
        var examined = 0
        for _ in 0..<maxSteps {  // maxSteps: ingest commits each step apart, bounding the write-ahead log
            try db.execute(sql: "DELETE FROM chain_seeds; DELETE FROM chain_group")
            guard try takeSeeds(db, count: seeds) else { break }
            try db.execute(sql: """
                INSERT INTO chain_group
                WITH RECURSIVE linked(id) AS (
                    SELECT id FROM chain_seeds
                    UNION SELECT c.previous_contact_id FROM linked JOIN contacts c ON c.contact_id = linked.id WHERE c.previous_contact_id IS NOT NULL
                    UNION SELECT c.next_contact_id FROM linked JOIN contacts c ON c.contact_id = linked.id WHERE c.next_contact_id IS NOT NULL
                    UNION SELECT n.contact_id FROM linked JOIN contacts c ON c.contact_id = linked.id
                        JOIN leg_links l ON l.leg_id = c.rowid JOIN contacts n ON n.rowid = l.namer_id
                    UNION SELECT n.contact_id FROM linked JOIN awaited_links a ON a.contact_id = linked.id JOIN contacts n ON n.rowid = a.namer_id
                )
                SELECT id FROM linked
                """)
            var legs: [String: Leg] = [:]
            var current: [String: Resolution] = [:]
            var rowids: [String: Int64] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT c.contact_id, c.previous_contact_id, c.next_contact_id, c.initial_contact_id, c.initiation_method,
                       c.enqueue_ts IS NOT NULL, c.connected_to_agent_ts IS NOT NULL, c.transfer_completed_ts IS NOT NULL,
                       c.chain_id, c.chain_depth, c.outcome, c.missing_parent, c.missing_next, c.in_cycle, c.rowid
                FROM chain_group g JOIN contacts c ON c.contact_id = g.id
                """)
            while let row = try rows.next() {
                let id: String = row[0]
                rowids[id] = row[14]
                legs[id] = Leg(id: id, previous: row[1], next: row[2], initial: row[3], method: row[4], queued: row[5], answered: row[6],
                               transferCompleted: row[7])
                if let chainId: String = row[8] {
                    // An outcome text this build does not know (a database written by another version) reads as nil,
                    // so the leg is rewritten.
                    current[id] = Resolution(chainId: chainId, depth: row[9] ?? -1, outcome: (row[10] as String?).flatMap(Outcome.init(rawValue:)),
                                             missingParent: row[11], missingNext: row[12], inCycle: row[13])
                }
            }
            var touchedChains: Set<String> = []  // old and new chains: the journeys rows to rewrite
            for (id, resolution) in resolve(legs) where current[id] != resolution {
                let statement = current[id]?.chainId == resolution.chainId ? updateInChain : update
                statement.bind(resolution)
                statement.bind(rowids[id]!)
                try statement.run()
                touchedChains.insert(resolution.chainId)
                if let old = current[id]?.chainId { touchedChains.insert(old) }
            }
            try journeys.run(touchedChains)
            try db.execute(sql: "DELETE FROM pending_chain WHERE contact_id IN (SELECT id FROM chain_group)")
            examined += legs.count
        }
        return examined
    }

    /// Fills `chain_seeds` with the next pending legs in the order they arrived; false when none
    /// is pending.
    ///
    /// Legs that arrived together mostly link to each other and lie on neighbouring pages of
    /// `contacts`, so a step in that order reads a few runs of pages. Taken in `pending_chain`'s
    /// order (random ids), each step read pages all over the table: after a 7-day first load,
    /// the stage over its 51,863 linked legs took 3.75 s that way against 2.58 s in arrival order.
    ///
    /// The order is a temporary table of the pending ids by rowid, made when it runs out and
    /// consumed from the front; `pending_chain` alone says what is pending, so the order only
    /// decides which pending legs a step takes first.
    private static func takeSeeds(_ db: Database, count: Int) throws -> Bool {
        let pending = "EXISTS (SELECT 1 FROM pending_chain p WHERE p.contact_id = o.id)"
        for _ in 0..<2 {
            let last = try Int64.fetchOne(db, sql: "SELECT rowid FROM temp.chain_order o WHERE \(pending) ORDER BY rowid LIMIT 1 OFFSET ?",
                                          arguments: [count - 1]) ?? .max
            try db.execute(sql: "INSERT INTO chain_seeds SELECT id FROM temp.chain_order o WHERE rowid <= ? AND \(pending)", arguments: [last])
            let taken = db.changesCount
            try db.execute(sql: "DELETE FROM temp.chain_order WHERE rowid <= ?", arguments: [last])
            if taken > 0 { return true }
            // (A pending id that is no leg, a neighbour not loaded, comes first.)
            try db.execute(sql: """
                INSERT INTO temp.chain_order (id)
                SELECT p.contact_id FROM pending_chain p LEFT JOIN contacts c ON c.contact_id = p.contact_id ORDER BY c.rowid
                """)
            if db.changesCount == 0 { return false }
        }
        return false
    }

    /// The chain values of a leg with no links at all, as `resolve` gives them for a group of
    /// one: its own journey, at depth 0, nothing missing, no cycle. (Called for most loaded
    /// legs, so without building the group.)
    static func resolveStandalone(_ record: ContactRecord) -> Resolution {
        let leg = Leg(id: record.contactId, previous: nil, next: nil, initial: nil, method: record.initiationMethod,
                      queued: record.enqueue != nil, answered: record.connectedToAgent != nil,
                      transferCompleted: record.transferCompleted != nil)
        return Resolution(chainId: leg.id, depth: 0, outcome: outcome(of: leg, legs: [:], children: []),
                          missingParent: false, missingNext: false, inCycle: false)
    }

    /// The chain values a linked leg is stored with until the chain stage resolves it: the chain
    /// it most likely joins (its `InitialContactId`, else itself), its outcome as if it were
    /// alone, and no depth (`chain_depth` NULL, read back as -1, so the stage always rewrites
    /// the leg and its journeys). Values of about the final size keep the row from growing when
    /// the stage fills them in: a row that grows on a full page splits it. With NULLs here, a
    /// 7-day load left 14.9% of `contacts`' pages unused, against 6.8% with these.
    static func placeholder(for record: ContactRecord) -> Resolution {
        var resolution = resolveStandalone(record)
        resolution.chainId = record.initialContactId ?? record.contactId
        resolution.depth = -1
        return resolution
    }

    /// Pure chain logic over one connected group of loaded legs.
    static func resolve(_ legs: [String: Leg]) -> [String: Resolution] {
        // 1. Cycles of previous-links: cut each at its smallest id, deterministically.
        var cut: Set<String> = []
        var inCycle: Set<String> = []
        var settled: Set<String> = []
        for start in legs.keys.sorted() where !settled.contains(start) {
            var path: [String] = []
            var position: [String: Int] = [:]
            var current: String? = start
            while let id = current, let leg = legs[id], !settled.contains(id) {
                if let at = position[id] {
                    let cycle = path[at...]
                    inCycle.formUnion(cycle)
                    cut.insert(cycle.min()!)
                    break
                }
                position[id] = path.count
                path.append(id)
                current = cut.contains(id) ? nil : leg.previous
            }
            settled.formUnion(path)
        }

        // 2. Children of each leg, for outcomes.
        var children: [String: [String]] = [:]
        for leg in legs.values {
            if let parent = leg.previous, !cut.contains(leg.id) { children[parent, default: []].append(leg.id) }
        }

        var result: [String: Resolution] = [:]
        for leg in legs.values {
            // Walk up: depth counts hops; the chain id is the first InitialContactId met, else the top.
            var depth = 0
            var chainId = leg.initial
            var current = leg
            var top = leg.id
            while !cut.contains(current.id), let parent = current.previous {
                depth += 1
                guard let parentLeg = legs[parent] else {
                    top = parent
                    break
                }
                if chainId == nil { chainId = parentLeg.initial }
                current = parentLeg
                top = parentLeg.id
            }
            let missingParent = leg.previous.map { legs[$0] == nil } ?? false
            let missingNext = leg.next.map { legs[$0] == nil } ?? false
            result[leg.id] = Resolution(chainId: chainId ?? top, depth: depth, outcome: outcome(of: leg, legs: legs, children: children[leg.id] ?? []),
                                        missingParent: missingParent, missingNext: missingNext, inCycle: inCycle.contains(leg.id))
        }
        return result
    }

    /// SPEC section 4: the first that holds of answered, callback, callback_retry, transfer,
    /// unresolved, abandoned; nil for a leg that was not queued.
    static func outcome(of leg: Leg, legs: [String: Leg], children: [String]) -> Outcome? {
        guard leg.queued else { return nil }
        if leg.answered { return .answered }
        // next legs: the children by previous_contact_id, else the leg named by next_contact_id
        var nextLegs = children.compactMap { legs[$0] }
        if nextLegs.isEmpty, let next = leg.next, let nextLeg = legs[next] { nextLegs = [nextLeg] }
        if nextLegs.contains(where: \.isCallbackLeg) { return leg.isCallbackLeg ? .callbackRetry : .callback }
        if !nextLegs.isEmpty || leg.transferCompleted { return .transfer }
        if leg.next != nil { return .unresolved }
        return .abandoned
    }
}

extension BoundStatement {
    /// The six chain columns in table order (chain_id, chain_depth, outcome, missing_parent,
    /// missing_next, in_cycle): nulls and zero flags when there is no resolution yet, and a
    /// NULL depth for a placeholder's (below 0).
    func bind(_ chain: ChainResolver.Resolution?) {
        bind(chain?.chainId)
        bind(chain.flatMap { $0.depth < 0 ? nil : Int64($0.depth) })
        bind(chain?.outcome?.rawValue)
        bind(chain?.missingParent == true ? Int64(1) : 0)
        bind(chain?.missingNext == true ? Int64(1) : 0)
        bind(chain?.inCycle == true ? Int64(1) : 0)
    }
}
