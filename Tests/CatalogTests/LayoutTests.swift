import Foundation
import Testing
@testable import Catalog

struct LayoutTests {
    @Test(arguments: [
        "../x", "/etc/passwd", "a/../../x", "", "a//b", "a/", "./a", "a/./b", ".staging/x", "tasks/ab/t/.lock",
        "a\\..\\b", "a\u{0}b", "a\nb", "..",
    ])
    func absoluteURLRefusesEscapes(_ path: String) {
        let layout = CatalogLayout(root: URL(fileURLWithPath: "/srv/storage"))
        #expect(throws: CatalogError.unsafePath) { try layout.absoluteURL(relative: path) }
    }

    @Test func absoluteURLAndRelativePathAreInverse() throws {
        let layout = CatalogLayout(root: URL(fileURLWithPath: "/srv/storage/"))
        let id = taskID("abc")
        let path = try layout.assetPath(id, scriptId: 4, role: .export, .thumbnail(7))
        #expect(path == "tasks/ba/abc/4/export/thumbs/007.jpg")
        let url = try layout.absoluteURL(relative: path)
        #expect(url.path == "/srv/storage/tasks/ba/abc/4/export/thumbs/007.jpg")
        #expect(layout.relativePath(of: url) == path)
        #expect(layout.relativePath(of: URL(fileURLWithPath: "/etc/passwd")) == "/etc/passwd")
        #expect(try layout.assetPath(id, scriptId: 4, role: .export, .rendition(preset: "480p")) == "tasks/ba/abc/4/export/renditions/480p.mp4")
        #expect(throws: CatalogError.unsafePath) { try layout.assetPath(id, scriptId: 4, role: .export, .rendition(preset: "../x")) }
    }

    @Test func absoluteURLRefusesASymlinkOutOfTheRoot() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            try FileManager.default.createSymbolicLink(at: catalog.root.appendingPathComponent("out"),
                                                       withDestinationURL: URL(fileURLWithPath: "/etc"))
            #expect(throws: CatalogError.unsafePath) { try catalog.layout.absoluteURL(relative: "out/passwd") }
            #expect(throws: CatalogError.unsafePath) { try catalog.layout.absoluteURL(relative: "out/nothing/here") }
        }
    }
}
