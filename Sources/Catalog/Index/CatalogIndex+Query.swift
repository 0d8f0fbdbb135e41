import Foundation
import GRDB

extension CatalogIndex {
    /// The tasks matching `filter`, most recently updated first, read from the index only.
    func listNow(_ filter: TaskFilter) throws(CatalogError) -> [TaskSummary] {
        var sql = """
            SELECT taskId, kind, status, assetCount, archivedCount, failedCount, verdicts, states, scriptIds, updatedAt, archivedAt
            FROM task
            """
        var arguments = StatementArguments()
        if filter.hasAssetCriteria {
            var conditions: [String] = []
            if let scriptId = filter.scriptId {
                conditions.append("scriptId = ?")
                arguments += [scriptId]
            }
            if let verdict = filter.verdict {
                conditions.append("verdict = ?")
                arguments += [verdict]
            }
            if let state = filter.state {
                conditions.append("state = ?")
                arguments += [state]
            }
            if let role = filter.role {
                conditions.append("role = ?")
                arguments += [role.rawValue]
            }
            sql += " WHERE taskId IN (SELECT taskId FROM asset WHERE \(conditions.joined(separator: " AND ")))"
        }
        if let kind = filter.kind {
            sql += filter.hasAssetCriteria ? " AND kind = ?" : " WHERE kind = ?"
            arguments += [kind]
        }
        sql += " ORDER BY updatedAt DESC, taskId LIMIT ? OFFSET ?"
        arguments += [filter.limit.map { max(0, $0) } ?? -1, max(0, filter.offset)]
        let query = sql
        let bound = arguments
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

    /// How many tasks the index holds.
    func countNow() throws(CatalogError) -> Int {
        do {
            return try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM task") ?? 0 }
        } catch {
            throw .index(path, error)
        }
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
