import Catalog
import Foundation
import Hummingbird
import TopView

/// `/`: the catalog as a compact table — poster, task id, kind, a badge per asset, duration, archived at, state — with
/// the total, a task id search, filters, a sort and numbered pages at the top and bottom. Every control is a link or
/// a GET form, so each page is shareable and works without JavaScript. A bad parameter is a 400 page naming it.
struct CatalogListPage: Sendable {
    let catalog: Catalog
    let pageSize: Int
    let signedIn: Bool

    func render(_ request: Request) async throws -> Response {
        let query: TaskListQuery
        do throws(TaskListQuery.Invalid) {
            query = try TaskListQuery(request.uri.queryParameters, defaultLimit: pageSize, audience: .page)
        } catch {
            return PageResponse.problem(.badRequest, heading: "Bad request", message: error.message, allowed: error.allowed, signedIn: signedIn)
        }
        async let listed = catalog.list(filter: query.filter(extra: 0))
        async let counted = catalog.count(filter: query.filter())
        let (summaries, total) = try await (listed, counted)
        // Rows come from the index; each checks its poster is there (a stat): concurrently, kept in the list's order.
        let rows = await withTaskGroup(of: (Int, Row).self) { group in
            for (n, summary) in summaries.enumerated() { group.addTask { (n, await row(summary)) } }
            var rows = [Row?](repeating: nil, count: summaries.count)
            for await (n, row) in group { rows[n] = row }
            return rows.compactMap { $0 }
        }
        let filtered = query.q != nil || query.verdict != nil || query.taskState != nil || query.kind != nil
        let view = View(
            title: "Catalog", signedIn: signedIn, scrubbing: false,
            totalText: "\(total) task\(total == 1 ? "" : "s")", filtered: filtered, q: query.q ?? "",
            selects: selects(query),
            pages: pages(query, total: total),
            empty: rows.isEmpty,
            emptyText: total == 0 && !filtered ? "No task archived yet. Try reel archive TASK." : (rows.isEmpty && total > 0
                ? "No task on this page: there are \(total) in all." : "No task matches these filters."),
            rows: rows)
        return PageResponse.html(await PageTemplates.renderOffPool("list", view))
    }

    struct View {
        let title: String
        let signedIn: Bool
        let scrubbing: Bool
        let totalText: String
        let filtered: Bool
        let q: String
        let selects: [Select]
        let pages: [PageLink]
        let empty: Bool
        let emptyText: String
        let rows: [Row]
    }

    struct Select { let label: String; let name: String; let options: [Option] }
    struct Option { let value: String; let text: String; let selected: Bool }
    struct PageLink { let label: String; let href: String?; let current: Bool; let rel: String? }
    struct Poster { let src: String; let width: Int; let height: Int }
    struct Badge { let text: String; let cls: String; let title: String }
    struct Row {
        let taskId: String
        let taskHref: String
        let kind: String
        let state: String
        let poster: Poster?
        let problem: String?
        let badges: [Badge]
        let duration: String
        let archivedAt: String?
        let archivedText: String
    }

    private func selects(_ q: TaskListQuery) -> [Select] {
        func options(_ values: [(String, String)], _ chosen: String?) -> [Option] {
            values.map { Option(value: $0.0, text: $0.1, selected: $0.0 == (chosen ?? "")) }
        }
        let any = [("", "any")]
        return [
            Select(label: "Verdict", name: "verdict", options: options(any + TaskListQuery.verdicts.map { ($0, $0) }, q.verdict)),
            Select(label: "State", name: "state", options: options(any + TaskState.allCases.map { ($0.rawValue, $0.rawValue) }, q.taskState?.rawValue)),
            Select(label: "Kind", name: "kind", options: options(any + TaskKinds.names.map { ($0, $0) }, q.kind)),
            Select(label: "Sort", name: "sort", options: options([("updated", "recently updated"), ("-archived", "recently archived"),
                                                                  ("archived", "first archived")], q.sort.rawValue)),
            Select(label: "Per page", name: "per_page", options: options([20, 50, 100, 200].map { ("\($0)", "\($0)") } + (
                [20, 50, 100, 200].contains(q.limit) ? [] : [("\(q.limit)", "\(q.limit)")]), "\(q.limit)")),
        ]
    }

    /// Numbered links: the first, the last, two either side of the current one, with gaps between; previous and next.
    private func pages(_ q: TaskListQuery, total: Int) -> [PageLink] {
        let count = max(1, (total + q.limit - 1) / q.limit)
        let current = q.page
        func href(_ page: Int) -> String {
            PageLinks.list([("q", q.q), ("verdict", q.verdict), ("state", q.taskState?.rawValue), ("kind", q.kind),
                            ("sort", q.sort == .updated ? nil : q.sort.rawValue), ("per_page", q.limit == pageSize ? nil : "\(q.limit)"),
                            ("page", page == 1 ? nil : "\(page)")])
        }
        var links: [PageLink] = []
        if current > 1 { links.append(PageLink(label: "‹ previous", href: href(min(current - 1, count)), current: false, rel: "prev")) }
        var last = 0
        for page in 1...count where page == 1 || page == count || abs(page - current) <= 2 {
            if page > last + 1 { links.append(PageLink(label: "…", href: nil, current: false, rel: nil)) }
            links.append(PageLink(label: "\(page)", href: href(page), current: page == current, rel: nil))
            last = page
        }
        if current < count { links.append(PageLink(label: "next ›", href: href(current + 1), current: false, rel: "next")) }
        return links
    }

    /// A row from the index alone (the task's card); a stat per poster on a local store, so that a missing file shows
    /// as a fixity problem. An index row written before cards were kept reads the task's manifest instead.
    private func row(_ s: TaskSummary) async -> Row {
        var problem: String?
        var card = s.card
        let id = try? TaskID(validating: s.taskId)
        if card == nil, let id {
            do {
                card = try await catalog.manifest(for: id).map(TaskCard.init)
            } catch {
                problem = "manifest not readable (reel verify \(s.taskId) tells more)"
            }
        }
        let badges = (card?.assets ?? []).map { a in
            let label = a.verdict ?? a.state
            return Badge(text: label, cls: label,
                         title: "\(a.role == .preview || a.role == .export ? "script" : "output") \(a.scriptId) \(a.role.rawValue)")
        }
        var poster: Poster?
        if let p = card?.poster, let id {
            if await PageResponse.isMissing(p.path, in: catalog, task: id) {
                problem = "poster missing (fixity: run reel verify \(s.taskId))"
            } else {
                poster = Poster(src: PageLinks.file(p.path), width: p.width, height: p.height)
            }
        }
        let duration = card?.durationUs.map { String(format: "%.1f s", Double($0) / 1e6) } ?? "—"
        return Row(taskId: s.taskId, taskHref: PageLinks.task(s.taskId), kind: s.kind, state: s.taskState.rawValue, poster: poster,
                   problem: problem, badges: badges, duration: duration, archivedAt: s.archivedAt.map(PageResponse.iso),
                   archivedText: s.archivedAt.map(PageResponse.shortDate) ?? "")
    }
}
