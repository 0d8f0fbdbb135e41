import Foundation
import GRDB

extension CatalogIndex {
    /// The tasks matching `filter`, in its order, read from the index only.
    func listNow(_ filter: TaskFilter) throws(CatalogError) -> [TaskSummary] {
        var (sql, arguments) = Self.selection(filter)
        sql = "SELECT taskId, kind, status, assetCount, archivedCount, failedCount, verdicts, states, scriptIds, updatedAt, archivedAt"
            + " FROM task" + sql
        switch filter.sort {
        case .updated: sql += " ORDER BY updatedAt DESC, taskId"
        case .archived: sql += " ORDER BY archivedAt IS NULL, archivedAt, taskId"
        case .archivedDescending: sql += " ORDER BY archivedAt IS NULL, archivedAt DESC, taskId"
        }
        sql += " LIMIT ? OFFSET ?"
        arguments += [filter.limit.map { max(0, $0) } ?? -1, max(0, filter.offset)]
        let (query, bound) = (sql, arguments)
        do {
            return try database.read { db in
                var summaries: [TaskSummary] = []
                let rows = try Row.fetchCursor(db, sql: query, arguments: bound)
                while let row = try rows.next() {
                    summaries.append(Self.summary(row))
                }
                return summaries
            }
        } catch {
            throw .index(path, error)
        }
    }

    /// How many tasks match `filter` (its limit and offset ignored).
    func countNow(_ filter: TaskFilter = .all) throws(CatalogError) -> Int {
        let (sql, arguments) = Self.selection(filter)
        do {
            return try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM task" + sql, arguments: arguments) ?? 0 }
        } catch {
            throw .index(path, error)
        }
    }

    /// The `WHERE` clause of `filter` (empty for every task) and its arguments. The task states partition the tasks:
    /// attention (a failed asset, or a `mismatch`/`undecodable` verdict), else archived (assets, none pending), else
    /// pending — the rule of ``TaskSummary/taskState``.
    static func selection(_ filter: TaskFilter) -> (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if filter.hasAssetCriteria {
            var asset: [String] = []
            if let scriptId = filter.scriptId {
                asset.append("scriptId = ?")
                arguments += [scriptId]
            }
            if let verdict = filter.verdict {
                asset.append("verdict = ?")
                arguments += [verdict]
            }
            if let state = filter.state {
                asset.append("state = ?")
                arguments += [state]
            }
            if let role = filter.role {
                asset.append("role = ?")
                arguments += [role.rawValue]
            }
            conditions.append("taskId IN (SELECT taskId FROM asset WHERE \(asset.joined(separator: " AND ")))")
        }
        if let kind = filter.kind {
            conditions.append("kind = ?")
            arguments += [kind]
        }
        if let prefix = filter.taskIdPrefix {
            // A range on the primary key (BINARY collation compares bytes): every id that starts with the prefix.
            conditions.append("taskId >= ? AND taskId < ?")
            arguments += [prefix, prefix + "\u{10FFFF}"]
        }
        if let state = filter.taskState {
            let attention = "(failedCount > 0 OR taskId IN (SELECT taskId FROM asset WHERE verdict IN ('mismatch', 'undecodable')))"
            let unsettled = "taskId IN (SELECT taskId FROM asset WHERE state = 'pending')"
            switch state {
            case .attention: conditions.append(attention)
            case .archived: conditions.append("assetCount > 0 AND NOT \(attention) AND NOT \(unsettled)")
            case .pending: conditions.append("NOT \(attention) AND (assetCount = 0 OR \(unsettled))")
            }
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    private static func summary(_ row: Row) -> TaskSummary {
        TaskSummary(
            taskId: row[0],
            kind: row[1],
            status: row[2],
            assetCount: row[3],
            archivedCount: row[4],
            failedCount: row[5],
            verdicts: split(row[6]),
            states: split(row[7]),
            scriptIds: split(row[8]).compactMap { Int($0) },
            updatedAt: Date(timeIntervalSince1970: row[9]),
            archivedAt: (row[10] as Double?).map { Date(timeIntervalSince1970: $0) }
        )
    }

    private static func split(_ joined: String) -> [String] {
        joined.isEmpty ? [] : joined.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}
