import ArgumentParser

/// `--base-url`, `--uid` (the key only from `$TOPVIEW_API_KEY`, so it never shows in `ps`); read with their
/// variables by ``APIConfiguration``.
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("base-url"), help: "TopView API base URL: https://, or http:// to a loopback host (default $TOPVIEW_BASE_URL, else https://api.topview.ai).")
    var baseURL: String?
    @Option(name: .long, help: "TopView uid (default $TOPVIEW_UID).") var uid: String?
}
