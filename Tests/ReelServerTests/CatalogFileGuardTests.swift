import Catalog
import Foundation
import Testing
@testable import ReelServer

/// The guard in front of the admin listener's `/files/…`: only regular catalog files under `tasks/`, reached
/// without `..`, hidden components or a symbolic link out of the root. Real files and links in a temporary root.
@Suite struct CatalogFileGuardTests {
    /// A root with one task's files, hidden files, links out of and inside the root.
    static func withRoot(_ body: (URL, CatalogFileGuard) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reel-guard-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let fm = FileManager.default
        let asset = root.appendingPathComponent("tasks/ab/ready-1/0/preview")
        try fm.createDirectory(at: asset.appendingPathComponent("renditions"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("tasks/ab/ready-1/.staging/0-preview"), withIntermediateDirectories: true)
        for file in ["tasks/ab/ready-1/0/preview/source.mp4", "tasks/ab/ready-1/0/preview/renditions/240p.mp4",
                     "tasks/ab/ready-1/0/preview/a b%.jpg", "tasks/ab/ready-1/manifest.json", "tasks/ab/ready-1/.lock",
                     "tasks/ab/ready-1/.staging/0-preview/source.mp4", "index.sqlite", "watch.json"] {
            try Data("x".utf8).write(to: root.appendingPathComponent(file))
        }
        let outside = root.deletingLastPathComponent().appendingPathComponent("reel-guard-outside-\(UUID().uuidString)")
        try Data("secret".utf8).write(to: outside)
        defer { try? fm.removeItem(at: outside) }
        try fm.createSymbolicLink(atPath: asset.appendingPathComponent("out.txt").path, withDestinationPath: outside.path)
        try fm.createSymbolicLink(atPath: asset.appendingPathComponent("etc").path, withDestinationPath: "/etc")
        try fm.createSymbolicLink(atPath: asset.appendingPathComponent("same.mp4").path, withDestinationPath: "source.mp4")
        try body(root, CatalogFileGuard(layout: CatalogLayout(root: root)))
    }

    @Test func servesCatalogFiles() throws {
        try Self.withRoot { root, guarded in
            for (path, file) in [
                ("/files/tasks/ab/ready-1/0/preview/source.mp4", "tasks/ab/ready-1/0/preview/source.mp4"),
                ("/files/tasks/ab/ready-1/0/preview/renditions/240p.mp4", "tasks/ab/ready-1/0/preview/renditions/240p.mp4"),
                ("/files/tasks/ab/ready-1/0/preview/a%20b%25.jpg", "tasks/ab/ready-1/0/preview/a b%.jpg"),
                ("/files/tasks/ab/ready-1/manifest.json", "tasks/ab/ready-1/manifest.json"),
                ("/files/tasks/ab/ready-1/0/preview/same.mp4", "tasks/ab/ready-1/0/preview/same.mp4"),
            ] {
                #expect(guarded.file(forRequestPath: path)?.path == root.appendingPathComponent(file).path, "\(path)")
            }
        }
    }

    @Test(arguments: [
        "/files", "/files/", "/files/tasks", "/files/tasks/", "/files/tasks/ab/ready-1/0/preview",
        "/files/tasks/ab/ready-1/0/preview/", "/files/tasks/ab/ready-1/0/preview/missing.mp4",
        "/files/../etc/passwd", "/files/tasks/../../etc/passwd", "/files/tasks/ab/ready-1/0/preview/../../../../../etc/passwd",
        "/files/%2e%2e/%2e%2e/etc/passwd", "/files/tasks/%2E%2E/index.sqlite", "/files/tasks%2f..%2findex.sqlite",
        "/files/tasks/ab/ready-1/0/preview/%2e%2e/preview/source.mp4", "/files/tasks/ab/ready-1/0/./preview/source.mp4",
        "/files/tasks/ab/ready-1/0//preview/source.mp4", "/files//etc/passwd", "/files/%2fetc%2fpasswd",
        "/files/tasks/ab/ready-1/0/preview/..%5c..%5cmanifest.json", "/files/tasks/ab/ready-1/0/preview/source.mp4%00",
        "/files/tasks/ab/ready-1/0/preview/%zz", "/files/tasks/ab/ready-1/.lock", "/files/tasks/ab/ready-1/%2elock",
        "/files/tasks/ab/ready-1/.staging/0-preview/source.mp4", "/files/index.sqlite", "/files/watch.json",
        "/files/tasks/ab/ready-1/0/preview/out.txt", "/files/tasks/ab/ready-1/0/preview/etc/passwd",
        "/files/tasks/ab/ready-1/0/preview/etc/hostname", "/filesx/tasks/ab/ready-1/manifest.json",
    ])
    func refuses(_ path: String) throws {
        try Self.withRoot { _, guarded in
            #expect(guarded.file(forRequestPath: path) == nil, "\(path)")
        }
    }

    @Test func refusesAbsolutePathsToRealFiles() throws {
        try Self.withRoot { root, guarded in
            let absolute = root.appendingPathComponent("tasks/ab/ready-1/0/preview/source.mp4").path
            #expect(guarded.file(forRequestPath: "/files/" + absolute) == nil)
            #expect(guarded.file(forRequestPath: "/files/" + absolute.replacingOccurrences(of: "/", with: "%2f")) == nil)
        }
    }
}
