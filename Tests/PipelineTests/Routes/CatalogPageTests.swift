import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import Pipeline
@testable import ReelServer
import Testing
import TopView

/// The catalog pages in process over a real catalog on disk: the list's search, filters, sort and numbered pages, its
/// 400 page, the task page, the security headers and the browser sign-in.
@Suite struct CatalogPageTests {
    static let html: HTTPFields = [.accept: "text/html"]

    /// `count` more tasks `page-NN` (NN from 00) beside the fixture's: every third mismatched, every fifth failed.
    static func addTasks(_ count: Int, to fixture: ServedCatalogFixture) async throws {
        let catalog = try Catalog(root: fixture.root)
        for n in 0..<count {
            let id = try TaskID(validating: String(format: "page-%02d", n))
            let state: AssetState = n % 5 == 0 ? .failed : .archived
            let verdict = state == .failed ? nil : (n % 3 == 0 ? "mismatch" : "match")
            var manifest = TaskManifest(taskId: id, kind: "m2v", status: "success", assets: [
                AssetRecord(scriptId: 0, role: .preview, state: state, reportedDurationUs: 2_000_000,
                            verification: verdict.map { VerificationRecord(verdict: $0, measuredDurationUs: 2_000_000, toleranceUs: 100_000) }),
            ])
            manifest.errorMsg = n == 1 ? "<script>alert(1)</script> & \"quoted\"" : nil
            try await catalog.save(manifest)
        }
    }

    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func searchFiltersAndNumberedPages() async throws {
        try await AdminRouteTests.withRoutes { fixture, client in
            try await Self.addTasks(30, to: fixture)
            let first = try await client.execute(uri: "/?per_page=10", method: .get)
            let page = Self.body(first)
            #expect(first.status == .ok)
            #expect(page.contains("31 tasks"), "the total")
            #expect(page.components(separatedBy: "class=\"task-id\"").count - 1 == 10)
            #expect(page.components(separatedBy: "<nav class=\"pager\"").count - 1 == 2, "pages at the top and the bottom")
            #expect(page.contains("href=\"/?per_page=10&amp;page=4\">4</a>") && page.contains("rel=\"next\""), "\(page)")
            let fourth = Self.body(try await client.execute(uri: "/?per_page=10&page=4", method: .get))
            #expect(fourth.components(separatedBy: "class=\"task-id\"").count - 1 == 1 && fourth.contains("aria-current=\"page\">4<"))
            #expect(Self.body(try await client.execute(uri: "/?offset=30&per_page=10", method: .get)).contains("aria-current=\"page\">4<"),
                    "?offset= keeps working")

            let search = Self.body(try await client.execute(uri: "/?q=page-2", method: .get))
            #expect(search.contains("10 tasks") && search.contains("page-29") && !search.contains(">page-19<"))
            let mismatched = Self.body(try await client.execute(uri: "/?verdict=mismatch", method: .get))
            #expect(mismatched.contains("8 tasks"), "3, 6, 9, 12, 18, 21, 24, 27 (0, 15 failed)")
            let attention = Self.body(try await client.execute(uri: "/?state=attention&per_page=200", method: .get))
            #expect(attention.contains("14 tasks"), "8 mismatched + 6 failed")
            #expect(Self.body(try await client.execute(uri: "/?state=archived", method: .get)).contains("17 tasks"), "16 + the fixture's")
            let sorted = Self.body(try await client.execute(uri: "/?sort=-archived&kind=m2v&per_page=5", method: .get))
            #expect(sorted.contains("31 tasks") && sorted.contains("selected>recently archived"))

            for (query, value, allowed) in [("verdict=great", "great", "match, mismatch"), ("state=failed", "failed", "archived, attention, pending"),
                                            ("kind=avatar", "avatar", "m2v"), ("sort=newest", "newest", "-archived"),
                                            ("page=0", "0", "from 1"), ("per_page=500", "500", "1 to 200"),
                                            ("q=" + String(repeating: "a", count: 129), "aaaa", "at most 128")] {
                let bad = try await client.execute(uri: "/?\(query)", method: .get)
                let text = Self.body(bad)
                #expect(bad.status == .badRequest && text.contains(value) && text.contains(allowed), "\(query): \(text)")
                #expect(bad.headers[.contentType]?.hasPrefix("text/html") == true)
            }
            let api = try JSONValue.parse(Array(buffer: try await client.execute(uri: "/api/tasks?q=page-1&per_page=3&page=2&sort=archived",
                                                                                  method: .get).body))
            #expect(api["total"]?.doubleValue == 10 && api["page"]?.doubleValue == 2 && api["tasks"]?.arrayValue?.count == 3)
            #expect(try await client.execute(uri: "/api/tasks?per_page=0", method: .get).status == .badRequest)
        }
    }

    @Test func pagesAreEscapedAndLockedDown() async throws {
        try await AdminRouteTests.withRoutes { fixture, client in
            try await Self.addTasks(2, to: fixture)
            for target in ["/", "/tasks/page-01", "/tasks/\(fixture.taskId)", "/?verdict=bogus"] {
                let response = try await client.execute(uri: target, method: .get)
                let text = Self.body(response)
                #expect(response.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'self'") == true, "\(target)")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(!text.contains("<script>") && !text.contains("style=") && !text.contains("<style"), "nothing inline: \(target)")
                #expect(!text.contains("http://") && !text.contains("https://"), "no other origin: \(target)")
            }
            let task = Self.body(try await client.execute(uri: "/tasks/page-01", method: .get))
            #expect(task.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;"), "upstream text escaped")
            let css = try await client.execute(uri: "/static/reel.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
            let script = try await client.execute(uri: "/static/storyboard.js", method: .get)
            #expect(script.status == .ok && Self.body(script).contains("#xywh="))
            #expect(try await client.execute(uri: "/static/..%2Fmanifest.json", method: .get).status == .notFound)
            for target in ["/tasks/..%2F..%2Fetc", "/tasks/.hidden", "/tasks/a%00b"] {
                let status = try await client.execute(uri: target, method: .get).status
                #expect([.badRequest, .notFound].contains(status), "\(target): \(status)")
            }
            #expect(try await client.execute(uri: "/tasks/missing-1", method: .get).status == .notFound)
        }
    }

    @Test func theTaskPageShowsPlayersStillsFilesAndMissingFiles() async throws {
        try await AdminRouteTests.withRoutes { fixture, client in
            let page = Self.body(try await client.execute(uri: "/tasks/\(fixture.taskId)", method: .get))
            let asset = "/files/\(fixture.taskPath)/0/preview"
            #expect(page.contains("<video id=\"player-0\"") && page.contains("src=\"\(asset)/renditions/240p.mp4\""), "the smallest rendition plays")
            #expect(page.contains("aria-label=\"storyboard timeline\"") && page.contains("data-vtt=\"\(asset)/storyboard/storyboard.vtt\""))
            #expect(page.contains("<script src=\"/static/storyboard.js\""))
            #expect(page.contains("href=\"/api/tasks/\(fixture.taskId)\">JSON</a>"))
            #expect(page.contains("240p</a> 426×240, 0.05 MiB"))
            #expect(page.contains("loading=\"lazy\"") && page.contains("width=\"16\" height=\"16\""))
            #expect(page.contains("Fixity: not checked yet"))
            // The still that is a link out of the root is not served: it shows as a fixity problem, not a broken image.
            try FileManager.default.removeItem(at: fixture.root.appendingPathComponent("\(fixture.taskPath)/0/preview/thumbs/001.jpg"))
            let after = Self.body(try await client.execute(uri: "/tasks/\(fixture.taskId)", method: .get))
            #expect(after.contains("a still is missing from the store") && !after.contains("thumbs/001.jpg\" width"))
        }
    }

    @Test func browsersSignInWithACookie() async throws {
        let token = "admin-token-\(UUID().uuidString)"
        try await AdminRouteTests.withRoutes(adminToken: token) { fixture, client in
            let redirect = try await client.execute(uri: "/?verdict=match", method: .get, headers: Self.html)
            #expect(redirect.status == .seeOther && redirect.headers[.location] == "/login?next=%2F%3Fverdict%3Dmatch")
            #expect(try await client.execute(uri: "/", method: .get).status == .unauthorized, "an API client gets 401")
            let form = try await client.execute(uri: "/login?next=/tasks/x", method: .get)
            #expect(form.status == .ok && Self.body(form).contains("type=\"password\" name=\"token\""))
            #expect(try await client.execute(uri: "/static/reel.css", method: .get).status == .ok, "the form's stylesheet needs no sign-in")

            let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let wrong = try await client.execute(uri: "/login", method: .post, headers: formType, body: ByteBuffer(string: "token=nope&next=%2F"))
            #expect(wrong.status == .unauthorized && wrong.headers[.setCookie] == nil)
            let right = try await client.execute(uri: "/login", method: .post, headers: formType,
                                                 body: ByteBuffer(string: "token=\(token)&next=%2F%3Fverdict%3Dmatch"))
            #expect(right.status == .seeOther && right.headers[.location] == "/?verdict=match")
            let cookie = try #require(right.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains(token), "\(cookie)")
            let session = String(cookie.prefix { $0 != ";" })
            let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: session])
            #expect(page.status == .ok && Self.body(page).contains(fixture.taskId) && Self.body(page).contains("Sign out"))
            let file = try await client.execute(uri: "/files/\(fixture.sourcePath)", method: .get, headers: [.cookie: session])
            #expect(file.status == .ok, "images and videos load with the cookie")
            let forged = String(session.dropLast()) + (session.hasSuffix("0") ? "1" : "0")
            #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: forged]).status == .unauthorized)
            let away = try await client.execute(uri: "/login", method: .post, headers: formType, body: ByteBuffer(string: "token=\(token)&next=%2F%2Fevil.example"))
            #expect(away.headers[.location] == "/", "never sent to another site")
            let out = try await client.execute(uri: "/logout", method: .post, headers: [.cookie: session])
            #expect(out.status == .seeOther && out.headers[.setCookie]?.contains("Max-Age=0") == true)
        }
    }
}
