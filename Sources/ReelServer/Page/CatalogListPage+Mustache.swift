import Mustache

// The list page's values answer the template's names themselves: swift-mustache otherwise reflects (`Mirror`) a value
// at every name it looks up, and at 50 rows of a dozen names, each looked up through the row and its parents, that
// was most of a page's time (measured at 100 000 tasks: first page p50 42 ms, of which the JSON API needs 12).

extension CatalogListPage.View: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "signedIn": signedIn
        case "scrubbing": scrubbing
        case "totalText": totalText
        case "filtered": filtered
        case "q": q
        case "selects": selects
        case "pages": pages
        case "empty": empty
        case "emptyText": emptyText
        case "rows": rows
        default: nil
        }
    }
}

extension CatalogListPage.Row: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "taskId": taskId
        case "taskHref": taskHref
        case "kind": kind
        case "state": state
        case "poster": poster
        case "problem": problem
        case "badges": badges
        case "duration": duration
        case "archivedAt": archivedAt
        case "archivedText": archivedText
        default: nil
        }
    }
}

extension CatalogListPage.Poster: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "src": src
        case "width": width
        case "height": height
        default: nil
        }
    }
}

extension CatalogListPage.Badge: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "text": text
        case "cls": cls
        case "title": title
        default: nil
        }
    }
}

extension CatalogListPage.Select: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "name": self.name
        case "options": options
        default: nil
        }
    }
}

extension CatalogListPage.Option: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "value": value
        case "text": text
        case "selected": selected
        default: nil
        }
    }
}

extension CatalogListPage.PageLink: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "href": href
        case "current": current
        case "rel": rel
        default: nil
        }
    }
}
