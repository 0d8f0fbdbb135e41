extension SafeText {
    /// A last pass over text bound for one log line: control and invisible characters escaped as ``escape(_:limit:)``
    /// does, but backslashes left alone, so text already escaped at its source is not escaped twice (the pass is
    /// idempotent), and cut at `limit` characters with `…`. One forged line can never pass for two.
    public static func neutralize(_ text: some StringProtocol, limit: Int = defaultLimit) -> String {
        escape(text, limit: limit, backslashes: false)
    }
}
