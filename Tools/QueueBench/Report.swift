import ArgumentParser
import Foundation

/// `report FILE`: the Markdown tables of `queue-results.md` from the JSON lines the other modes printed (in run order).
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Markdown tables from the modes' JSON lines.")

    @Argument(help: "JSON lines, one per mode run") var file: String

    /// The fields the tables need, from any throughput line (reel or pgbench side).
    struct ThroughputLine: Codable {
        var side: String
        var backlogDone: Int
        var jobs: Int
        var connections: Int
        var jobsPerSecond: Double
        var enqueuePerSecond: Double?
        var claimMs: Percentiles?
        var completeMs: Percentiles?
        var cpuMsPerJob: Double?
        var enqueueCpuMsPerJob: Double?
        var serverCpuMsPerJob: Double?
        var latencyAverageMs: Double?
        var claimPlanBefore: String?
        var claimPlanAfter: String?
    }

    private struct Mode: Codable { var mode: String }

    func run() throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let decoder = JSONDecoder()
        var throughput: [ThroughputLine] = []
        var latency: Latency.Result?
        var rescue: Rescue.Result?
        for line in text.split(separator: "\n") where line.hasPrefix("{") {
            let data = Data(line.utf8)
            switch try decoder.decode(Mode.self, from: data).mode {
            case "throughput": throughput.append(try decoder.decode(ThroughputLine.self, from: data))
            case "latency": latency = try decoder.decode(Latency.Result.self, from: data)
            case "rescue": rescue = try decoder.decode(Rescue.Result.self, from: data)
            default: continue
            }
        }
        print(Self.markdown(throughput: throughput, latency: latency, rescue: rescue))
    }

    static func markdown(throughput: [ThroughputLine], latency: Latency.Result?, rescue: Rescue.Result?) -> String {
        var out: [String] = []
        func median(_ values: [Double]) -> Double? {
            let s = values.sorted()
            guard !s.isEmpty else { return nil }
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        func f(_ v: Double?, _ digits: Int = 1) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "—" }
        func met(_ ok: Bool?) -> String { ok.map { $0 ? "met" : "**missed**" } ?? "—" }

        let plain = throughput.filter { $0.backlogDone == 0 }, backlog = throughput.filter { $0.backlogDone > 0 }
        let reel = median(plain.filter { $0.side == "reel" }.map(\.jobsPerSecond))
        let bench = median(plain.filter { $0.side == "pgbench" }.map(\.jobsPerSecond))
        let reelBacklog = median(backlog.filter { $0.side == "reel" }.map(\.jobsPerSecond))
        let benchBacklog = median(backlog.filter { $0.side == "pgbench" }.map(\.jobsPerSecond))
        let backlogSize = backlog.first?.backlogDone ?? 0
        let connections = throughput.first?.connections ?? 4
        let ratio = { (a: Double?, b: Double?) -> String in
            guard let a, let b, b > 0 else { return "—" }
            return String(format: "%.2f", a / b)
        }

        out.append("## Targets")
        out.append("")
        out.append("| measure | ReelVault | pgbench, same SQL | reel ÷ pgbench | target | |")
        out.append("|---|---|---|---|---|---|")
        out.append("| claim+complete per second, \(connections) connections (median) | \(f(reel)) | \(f(bench)) | \(ratio(reel, bench)) | ≥ 1000/s | \(met(reel.map { $0 >= 1000 })) |")
        if !backlog.isEmpty {
            out.append("| same, after \(backlogSize) done jobs | \(f(reelBacklog)) | \(f(benchBacklog)) | \(ratio(reelBacklog, benchBacklog)) | ≥ 1000/s | \(met(reelBacklog.map { $0 >= 1000 })) |")
        }
        if let latency {
            out.append("| enqueue → claim across processes, p95 (\(latency.jobs) jobs) | \(f(latency.latencyMs.p95)) ms | | | < 100 ms | \(met(latency.latencyMs.p95 < 100)) |")
        }
        if let rescue {
            out.append("| dead worker → job pending, slowest of \(rescue.runs.count) (lease \(f(rescue.leaseSeconds)) s) | \(f(rescue.maxSeconds, 2)) s | | | ≤ lease + 5 s = \(f(rescue.targetSeconds)) s | \(met(rescue.maxSeconds <= rescue.targetSeconds)) |")
        }
        let reelRuns = throughput.filter { $0.side == "reel" }
        if let cpu = median(reelRuns.compactMap(\.cpuMsPerJob)), let enqueue = median(reelRuns.compactMap(\.enqueueCpuMsPerJob)) {
            out.append("| CPU per job outside media work (this process: enqueue + claim + complete, median) | \(f(enqueue + cpu, 3)) ms | | | reported | |")
        }

        out.append("")
        out.append("## Throughput runs, in the order they ran")
        out.append("")
        out.append("| # | side | done backlog | jobs | jobs/s | claim p50 / p99 ms | complete p50 / p99 ms | pgbench avg latency ms | enqueue/s | client CPU ms/job (enqueue; claim+complete) | server CPU ms/job (claim+complete) |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for (i, t) in throughput.enumerated() {
            let claim = t.claimMs.map { "\(f($0.p50, 2)) / \(f($0.p99, 2))" } ?? "—"
            let complete = t.completeMs.map { "\(f($0.p50, 2)) / \(f($0.p99, 2))" } ?? "—"
            let cpu = t.cpuMsPerJob.map { "\(f(t.enqueueCpuMsPerJob, 3)); \(f($0, 3))" } ?? "—"
            out.append("| \(i + 1) | \(t.side) | \(t.backlogDone) | \(t.jobs) | \(f(t.jobsPerSecond)) | \(claim) | \(complete) | \(f(t.latencyAverageMs, 3)) | \(f(t.enqueuePerSecond)) | \(cpu) | \(f(t.serverCpuMsPerJob, 3)) |")
        }

        if let latency {
            out.append("")
            out.append("## Enqueue → claim")
            out.append("")
            out.append("| jobs | gap between enqueues | p50 | p95 | p99 | max | claims after the \(f(latency.pollSeconds)) s poll instead of a wake-up |")
            out.append("|---|---|---|---|---|---|---|")
            let l = latency.latencyMs
            out.append("| \(latency.jobs) | \(latency.enqueueGapMs) ms | \(f(l.p50, 2)) ms | \(f(l.p95, 2)) ms | \(f(l.p99, 2)) ms | \(f(l.max, 2)) ms | \(latency.claimsAfterPoll) |")
        }
        if let rescue {
            out.append("")
            out.append("## Dead worker → pending")
            out.append("")
            out.append("| run | kill → pending (db clock) | lease left at the kill | lease expiry → rescue | seen by polling | interruptions |")
            out.append("|---|---|---|---|---|---|")
            for (i, r) in rescue.runs.enumerated() {
                out.append("| \(i + 1) | \(f(r.killToPendingSeconds, 3)) s | \(f(r.leaseLeftAtKillSeconds, 3)) s | \(f(r.expiryToRescueSeconds, 3)) s | \(f(r.observedSeconds, 3)) s | \(r.interruptions) |")
            }
        }

        let plans = reelRuns.filter { $0.claimPlanBefore != nil }
        if !plans.isEmpty {
            out.append("")
            out.append("## The claim's plan (EXPLAIN ANALYZE, BUFFERS), before and after each ReelVault run")
            out.append("")
            for t in plans {
                out.append("- backlog \(t.backlogDone), queue full: `\(t.claimPlanBefore ?? "")`")
                out.append("- backlog \(t.backlogDone), queue drained: `\(t.claimPlanAfter ?? "")`")
            }
        }
        return out.joined(separator: "\n")
    }
}
