import Foundation
import GRDB

extension CatalogIndex {
    /// The tasks matching `filter`, in its order, read from the index only: first the page's ids from the index of its
    /// order (which covers every filter of the catalog page, so however deep the page, no row is read to be skipped),
    /// then those rows.
    func listNow(_ filter: TaskFilter) throws(CatalogError) -> [TaskSummary] {
        var (sql, arguments) = Self.selection(filter)
        sql = "SELECT taskId FROM task" + sql
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
                let ids = try String.fetchAll(db, sql: query, arguments: bound)
                var byId: [String: TaskSummary] = [:]
                byId.reserveCapacity(ids.count)
                var start = 0
                while start < ids.count { // at most 500 bound values per statement
                    let chunk = Array(ids[start..<min(ids.count, start + 500)])
                    let rows = try Row.fetchCursor(db, sql: "SELECT \(Self.columns) FROM task WHERE taskId IN ("
                        + Array(repeating: "?", count: chunk.count).joined(separator: ",") + ")", arguments: StatementArguments(chunk))
                    while let row = try rows.next() {
                        let summary = Self.summary(row)
                        byId[summary.taskId] = summary
                    }
                    start += chunk.count
                }
                return ids.compactMap { byId[$0] }
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

    /// The `WHERE` clause of `filter` (empty for every task) and its arguments. The task state and the verdict are
    /// columns of the task's row (``TaskSummary/taskState``, ``VerdictMask``); other asset criteria, or several
    /// together, look at the task's asset rows. The id prefix is checked on the entries of a secondary index (each
    /// holds the id), never as a range of the table itself: `+taskId` keeps the planner off the primary key, whose
    /// range would be sorted for a list and whose rows (cards and all) are ten times the size of an index entry for
    /// a count — measured at 100 000 tasks: a search's first page 69 ms that way.
    static func selection(_ filter: TaskFilter) -> (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let verdict = filter.verdict, filter.scriptId == nil, filter.state == nil, filter.role == nil,
           VerdictMask.names.contains(verdict) {
            conditions.append("verdictMask & ? != 0")
            arguments += [VerdictMask(verdict: verdict).rawValue]
        } else if filter.hasAssetCriteria {
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
            // A range of ids (BINARY collation compares bytes): every id that starts with the prefix.
            conditions.append("+taskId >= ? AND +taskId < ?")
            arguments += [prefix, prefix + "\u{10FFFF}"]
        }
        if let state = filter.taskState {
            conditions.append("taskState = ?")
            arguments += [state.rawValue]
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    static let columns = "taskId, kind, status, assetCount, archivedCount, failedCount, verdicts, states, scriptIds, updatedAt, archivedAt, card"

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
            archivedAt: (row[10] as Double?).map { Date(timeIntervalSince1970: $0) },
            card: TaskCard(stored: row[11])
        )
    }

    private static func split(_ joined: String) -> [String] {
        joined.isEmpty ? [] : joined.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}
