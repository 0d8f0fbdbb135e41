/// Everything `reel` takes from its flags and the environment, read once at start and handed down: to the commands,
/// from them to the archiver, the API client, the downloader and the service.
///
/// Every part is a `Sendable` struct whose fields all have defaults (what an unset setting means); each part's
/// `init(reader:flags:)` documents its keys and checks them, and throws a ``ConfigurationError`` in one style (the
/// setting's name, then what it takes). A new setting is one field and one line in its part's reader init (plus its
/// flag in the part's option group, when it has one).
struct ReelConfiguration: Sendable {
    var logging: LoggingConfiguration
    var storage: StorageConfiguration
    var api: APIConfiguration
    var archive: ArchiveConfiguration
    var serve: ServeConfiguration
    /// `REEL_DATABASE_URL`, `REEL_LEASE`: shared state in PostgreSQL, or the embedded files.
    var database: DatabaseConfiguration
    /// `REEL_FAILPOINT`: points armed at start (``Failpoint``), each with the hit on which it fires.
    var failpoints: [String: Int]

    init(logging: LoggingConfiguration = .init(), storage: StorageConfiguration = .init(), api: APIConfiguration = .init(),
         archive: ArchiveConfiguration = .init(), serve: ServeConfiguration = .init(), database: DatabaseConfiguration = .init(),
         failpoints: [String: Int] = [:]) {
        self.logging = logging
        self.storage = storage
        self.api = api
        self.archive = archive
        self.serve = serve
        self.database = database
        self.failpoints = failpoints
    }

    /// Reads the configuration: logging, failpoints and the storage root for every command; the API, the ladder, the
    /// service and the database only for a command that has their flags (`flags`), so `reel ls` needs no API key. The
    /// first setting that does not fit stops the read.
    init(reader: ConfigurationReader, flags: ConfigurationFlags = ConfigurationFlags()) throws(ConfigurationError) {
        self.init(logging: try LoggingConfiguration(reader: reader),
                  storage: StorageConfiguration(reader: reader, flags: flags.storage),
                  failpoints: reader.failpoints())
        if let database = flags.database {
            self.database = try DatabaseConfiguration(reader: reader, flags: database, leaseFlag: flags.serve?.lease)
            storage.store = try StoreConfiguration(reader: reader, flags: flags.store)
            if let root = storage.store.fileRoot { storage.root = root }
            if storage.store.isRemote, self.database.settings == nil {
                throw .refused("REEL_STORE_URL", "s3://… needs REEL_DATABASE_URL: with several machines the catalog's index, jobs and locks live in PostgreSQL")
            }
        }
        if let serve = flags.serve { self.serve = try ServeConfiguration(reader: reader, flags: serve) }
        if let api = flags.api { self.api = try APIConfiguration(reader: reader, flags: api) }
        if let ladder = flags.ladder { self.archive = try ArchiveConfiguration(reader: reader, flags: ladder) }
    }
}

/// The option groups of one command, as its flags override variables. A nil group is a part of the configuration the
/// command does not use (and does not read).
struct ConfigurationFlags {
    var storage: StorageOptions?
    var api: APIOptions?
    var ladder: LadderOptions?
    var serve: ServeOptions?
    var database: DatabaseOptions?
    /// `reel serve`'s store flags; other commands read the store's variables with the database's.
    var store: StoreOptions?

    init(storage: StorageOptions? = nil, api: APIOptions? = nil, ladder: LadderOptions? = nil, serve: ServeOptions? = nil,
         database: DatabaseOptions? = nil, store: StoreOptions? = nil) {
        self.store = store
        self.storage = storage
        self.api = api
        self.ladder = ladder
        self.serve = serve
        self.database = database
    }
}
