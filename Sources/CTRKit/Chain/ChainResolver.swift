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
    }

    /// What the stage computed for one leg.
    struct Resolution: Equatable {
        var chainId: String
        var depth: Int
        var outcome: String?
        var missingParent: Bool
        var missingNext: Bool
        var inCycle: Bool
    }

    /// Resolves every pending leg and its group; returns how many legs were examined.
    @discardableResult
    public static func resolvePending(_ db: Database) throws -> Int {
        let fetchLeg = try db.makeStatement(sql: """
            SELECT contact_id, previous_contact_id, next_contact_id, initial_contact_id, initiation_method,
                   enqueue_ts IS NOT NULL, connected_to_agent_ts IS NOT NULL
            FROM contacts WHERE contact_id = ?
            """)
        let fetchChildren = try db.makeStatement(sql: "SELECT contact_id FROM contacts WHERE previous_contact_id = ?")
        let fetchPointers = try db.makeStatement(sql: "SELECT contact_id FROM contacts WHERE next_contact_id = ?")
        let update = try db.makeStatement(sql: """
            UPDATE contacts SET chain_id = ?1, chain_depth = ?2, outcome = ?3, missing_parent = ?4, missing_next = ?5, in_cycle = ?6
            WHERE contact_id = ?7 AND (chain_id IS NOT ?1 OR chain_depth IS NOT ?2 OR outcome IS NOT ?3
                OR missing_parent != ?4 OR missing_next != ?5 OR in_cycle != ?6)
            """)
        let unmark = try db.makeStatement(sql: "DELETE FROM pending_chain WHERE contact_id = ?")
        var examined = 0
        while true {
            let seeds = try String.fetchAll(db, sql: "SELECT contact_id FROM pending_chain LIMIT 500")
            if seeds.isEmpty { break }
            for seed in seeds {
                var legs: [String: Leg] = [:]
                var ids: Set<String> = [seed]
                var queue = [seed]
                while let id = queue.popLast() {
                    var neighbours: [String] = []
                    if let row = try Row.fetchOne(fetchLeg, arguments: [id]) {
                        let leg = Leg(id: row[0], previous: row[1], next: row[2], initial: row[3], method: row[4], queued: row[5], answered: row[6])
                        legs[id] = leg
                        neighbours += [leg.previous, leg.next].compactMap { $0 }
                    }
                    neighbours += try String.fetchAll(fetchChildren, arguments: [id])
                    neighbours += try String.fetchAll(fetchPointers, arguments: [id])
                    for n in neighbours where ids.insert(n).inserted { queue.append(n) }
                }
                for (id, resolution) in resolve(legs) {
                    try update.execute(arguments: [resolution.chainId, resolution.depth, resolution.outcome,
                                                   resolution.missingParent, resolution.missingNext, resolution.inCycle, id])
                }
                for id in ids { try unmark.execute(arguments: [id]) }
                examined += legs.count
            }
        }
        return examined
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

    /// SPEC section 4: the first that holds of answered, callback, transfer, unresolved, abandoned.
    static func outcome(of leg: Leg, legs: [String: Leg], children: [String]) -> String? {
        guard leg.queued else { return nil }
        if leg.answered { return "answered" }
        var nextLegs = children.compactMap { legs[$0] }
        if nextLegs.isEmpty, let next = leg.next, let nextLeg = legs[next] { nextLegs = [nextLeg] }
        if nextLegs.contains(where: { $0.method?.hasPrefix("CALLBACK") == true }) { return "callback" }
        if !nextLegs.isEmpty { return "transfer" }
        if leg.next != nil { return "unresolved" }
        return "abandoned"
    }
}
