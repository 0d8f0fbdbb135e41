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

    @Test func storeCommitsStagedFilesIntoPlace() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("store")
            let store = catalog.store
            let staged = try store.stagingFile(for: id, name: "cover.jpg.part")
            #expect(staged.deletingLastPathComponent() == catalog.layout.stagingDirectory(id))
            try Data("jpeg".utf8).write(to: staged)
            let path = try catalog.layout.assetPath(id, scriptId: 1, role: .preview, .cover)
            #expect(!store.fileExists(relativePath: path))
            try store.commit(staged: staged, to: path)
            #expect(store.fileExists(relativePath: path))
            #expect(store.size(relativePath: path) == 4)
            #expect(!FileManager.default.fileExists(atPath: staged.path))
            // Replacing an existing file.
            let again = try store.stagingFile(for: id, name: "cover.jpg.part")
            try Data("jpeg2".utf8).write(to: again)
            try store.commit(staged: again, to: path)
            #expect(store.size(relativePath: path) == 5)
            try store.remove(relativePath: path)
            try store.remove(relativePath: path)
            #expect(!store.fileExists(relativePath: path))
            #expect(store.size(relativePath: path) == nil)
            #expect(throws: CatalogError.unsafePath) { try store.stagingFile(for: id, name: "../x") }
            let escape = try store.stagingFile(for: id, name: "escape")
            try Data("x".utf8).write(to: escape)
            #expect(throws: CatalogError.unsafePath) { try store.commit(staged: escape, to: "../escape") }
            #expect(throws: CatalogError.io) { try store.commit(staged: staged, to: path) }
        }
    }
}
