import Foundation

/// One storyboard cue.
struct Cue {
    var start: Double, end: Double
    var file: String
    var x: Int, y: Int, w: Int, h: Int
}

/// Parses a storyboard WebVTT: `WEBVTT`, then cues of `start --> end` and `file#xywh=x,y,w,h`.
func parseVTT(_ text: String) throws -> [Cue] {
    struct Malformed: Error { let line: String }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard lines.first == "WEBVTT" else { throw Malformed(line: lines.first ?? "") }
    func seconds(_ s: Substring) throws -> Double {
        let parts = s.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 3, let h = Double(parts[0]), let m = Double(parts[1]), let sec = Double(parts[2]) else {
            throw Malformed(line: String(s))
        }
        return h * 3600 + m * 60 + sec
    }
    var cues: [Cue] = []
    var i = 1
    while i < lines.count {
        let line = lines[i]
        i += 1
        guard let arrow = line.range(of: " --> ") else {
            if !line.isEmpty { throw Malformed(line: line) }
            continue
        }
        let start = try seconds(line[..<arrow.lowerBound]), end = try seconds(line[arrow.upperBound...])
        guard i < lines.count, let hash = lines[i].range(of: "#xywh=") else { throw Malformed(line: lines[min(i, lines.count - 1)]) }
        let numbers = lines[i][hash.upperBound...].split(separator: ",").compactMap { Int($0) }
        guard numbers.count == 4 else { throw Malformed(line: lines[i]) }
        cues.append(Cue(start: start, end: end, file: String(lines[i][..<hash.lowerBound]),
                        x: numbers[0], y: numbers[1], w: numbers[2], h: numbers[3]))
        i += 1
    }
    return cues
}
