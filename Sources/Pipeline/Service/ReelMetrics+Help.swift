import CoreMetrics
import Metrics

extension ReelMetrics {
    /// What each family measures: the `# HELP` line of `/metrics` (the README lists the same families).
    public static let help: [String: String] = [
        "reel_build_info": "Always 1; the labels say which reel (version) and which FFmpeg libraries (ffmpeg) run.",
        "reel_jobs": "Jobs in the queue by state.",
        "reel_queue_depth": "Jobs pending in the queue.",
        "reel_job_seconds": "Duration of finished jobs by outcome status.",
        "reel_jobs_finished_total": "Finished jobs by outcome status.",
        "reel_stage_seconds": "Time spent in each stage of a job (query, download, process, commit).",
        "reel_stage_active": "Work in a bounded stage now (download, media).",
        "reel_stage_waiting": "Work waiting for a bounded stage (download, media).",
        "reel_verifications_total": "Duration verifications by verdict.",
        "reel_bytes_downloaded_total": "Bytes of sources and covers downloaded.",
        "reel_upstream_errors_total": "TopView errors seen by the feeder and by jobs, by code.",
        "reel_callbacks_total": "Vendor callbacks received, by what became of them.",
        "reel_state_errors_total": "Failed reads or writes of the service's own state (watch list, queue, manifests).",
        "reel_leases_lost_total": "Runs cancelled because another process took their job (a lost lease).",
        "reel_fenced_writes_total": "Manifest writes an object store refused because another process took the task since (a 412 on a conditional write).",
    ]

    /// `text` (Prometheus exposition format) with a `# HELP` line before each family's `# TYPE` line.
    public static func withHelp(_ text: String) -> String {
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                lines.append("# HELP \(name) \(help[String(name)] ?? "ReelVault metric \(name).")")
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// `reel_build_info{version,ffmpeg} 1`.
    public func recordBuild(version: String, ffmpeg: String) {
        Gauge(label: "reel_build_info", dimensions: [("version", version), ("ffmpeg", ffmpeg)], factory: factory).record(1)
    }
}
