import Mustache
import ReelBasics

/// The catalog's HTML, as Mustache templates: every value is escaped by the engine (`{{…}}`; the templates use no
/// triple braces), every `href`/`src` is built by ``PageLinks`` from catalog paths, and nothing is inline — styles and
/// the storyboard script are files under `/static/` (``PageStatic``), so the pages keep `Content-Security-Policy:
/// default-src 'self'`.
enum PageTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("head", head), ("foot", foot), ("pager", pager), ("list", list), ("task", task),
                             ("problem", problem), ("login", login)] {
            // The templates are constants of this file: one that does not parse is a programming error.
            do { try library.register(text, named: name) } catch { preconditionFailure("template \(name): \(error)") }
        }
        return library
    }()

    static func render(_ name: String, _ object: Any) -> String {
        library.render(object, withTemplate: name) ?? ""
    }

    /// Renders on the blocking pool: a page of rows is milliseconds of CPU that must not hold one of the few threads
    /// that serve every connection.
    static func renderOffPool(_ name: String, _ object: some Sendable) async -> String {
        await BlockingPool.reads.run { render(name, object) }
    }

    static let head = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>{{title}} · ReelVault</title>
        <meta name="viewport" content="width=device-width,initial-scale=1">
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/static/reel.css"></head>
        <body><header class="top"><a class="brand" href="/">ReelVault</a>{{#signedIn}}
        <form class="signout" method="post" action="/logout"><button type="submit">Sign out</button></form>{{/signedIn}}</header>
        <main>

        """

    static let foot = """
        </main>{{#scrubbing}}<script src="/static/storyboard.js" defer></script>{{/scrubbing}}</body></html>

        """

    static let pager = """
        <nav class="pager" aria-label="pages">{{#pages}}{{#href}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}{{#rel}} rel="{{rel}}"{{/rel}}>{{label}}</a>{{/href}}{{^href}}<span class="gap">{{label}}</span>{{/href}} {{/pages}}</nav>

        """

    static let list = """
        {{> head}}<h1><span class="count">{{totalText}}</span>{{#filtered}} <small>matching the filters</small>{{/filtered}}</h1>
        <form class="filters" method="get" action="/">
        <label>Task id <input type="search" name="q" value="{{q}}" maxlength="128" placeholder="starts with…"></label>
        {{#selects}}<label>{{label}} <select name="{{name}}">{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{text}}</option>{{/options}}</select></label>
        {{/selects}}<button type="submit">Apply</button> <a href="/">Clear</a>
        </form>
        {{> pager}}{{#empty}}<p class="empty">{{emptyText}}</p>{{/empty}}{{^empty}}
        <table class="tasks"><thead><tr><th>Poster</th><th>Task</th><th>Kind</th><th>Assets</th><th>Duration</th><th>Archived</th><th>State</th></tr></thead>
        <tbody>
        {{#rows}}<tr class="state-{{state}}"><td class="poster">{{#poster}}<a href="{{taskHref}}"><img src="{{src}}" width="{{width}}" height="{{height}}" loading="lazy" alt="poster of {{taskId}}"></a>{{/poster}}{{#problem}}<span class="fixity-problem">{{problem}}</span>{{/problem}}</td>
        <td><a class="task-id" href="{{taskHref}}">{{taskId}}</a></td><td>{{kind}}</td>
        <td>{{#badges}}<span class="badge {{cls}}" title="{{title}}">{{text}}</span> {{/badges}}</td>
        <td>{{duration}}</td><td>{{#archivedAt}}<time datetime="{{archivedAt}}">{{archivedText}}</time>{{/archivedAt}}{{^archivedAt}}—{{/archivedAt}}</td>
        <td><span class="state {{state}}">{{state}}</span></td></tr>
        {{/rows}}</tbody></table>
        {{> pager}}{{/empty}}{{> foot}}
        """

    static let task = """
        {{> head}}<h1>{{taskId}} <small>{{kind}} · upstream {{status}} · <span class="state {{state}}">{{state}}</span></small></h1>
        <p class="links"><a href="{{jsonHref}}">JSON</a> · <a href="/">all tasks</a></p>
        {{#errorMsg}}<p class="err">{{errorMsg}}</p>{{/errorMsg}}
        {{#fixity}}<p class="fixity {{cls}}">Fixity: {{result}}, checked <time datetime="{{checkedAt}}">{{checkedAt}}</time>{{#repair}}; repair: {{repair}}{{/repair}}</p>{{/fixity}}
        {{^fixity}}<p class="fixity">Fixity: not checked yet (<code>reel verify {{taskId}}</code> records it).</p>{{/fixity}}
        {{#assets}}<section class="asset state-{{state}}"><h2>{{label}} <small>{{state}}</small></h2>
        {{#verdict}}<p class="verdict {{verdict}}"><b>{{verdict}}</b> — reported {{reported}}, measured {{measured}}{{#delta}}, delta {{delta}}{{/delta}}, {{frames}} frames, {{decodeErrors}} decode errors</p>{{/verdict}}
        {{#warning}}<p class="warn">warning: {{warning}}</p>{{/warning}}
        {{#error}}<p class="err">{{error}}</p>{{/error}}
        {{#note}}<p class="note">{{note}}</p>{{/note}}
        {{#video}}<figure class="player"><video id="{{playerId}}" controls preload="metadata"{{#posterSrc}} poster="{{posterSrc}}"{{/posterSrc}} src="{{src}}"></video>
        {{#storyboard}}<div class="storyboard" role="slider" tabindex="0" aria-label="storyboard timeline" aria-valuemin="0" aria-valuemax="{{durationSeconds}}" aria-valuenow="0" data-vtt="{{vtt}}" data-player="{{playerId}}" data-duration="{{durationSeconds}}"><div class="tile" hidden></div></div>{{/storyboard}}
        <figcaption>{{caption}}</figcaption></figure>{{/video}}
        {{#audio}}<audio controls preload="none" src="{{audio}}"></audio>{{/audio}}
        {{#image}}<a href="{{src}}"><img class="picture" src="{{src}}" loading="lazy"{{#width}} width="{{width}}"{{/width}}{{#height}} height="{{height}}"{{/height}} alt="{{alt}}"></a>{{/image}}
        {{#hasStills}}<div class="stills">{{#stills}}<figure><a href="{{src}}"><img src="{{src}}" width="{{width}}" height="{{height}}" loading="lazy" alt="{{alt}}"></a><figcaption>{{caption}}</figcaption></figure>{{/stills}}</div>{{/hasStills}}
        {{#problems}}<p class="fixity-problem">{{.}}</p>{{/problems}}
        <ul class="files">{{#files}}<li><a href="{{href}}">{{name}}</a> {{detail}}</li>{{/files}}{{#skipped}}<li class="skipped">{{.}}</li>{{/skipped}}</ul>
        </section>
        {{/assets}}{{> foot}}
        """

    static let problem = """
        {{> head}}<h1>{{heading}}</h1>
        <p class="err">{{message}}</p>
        {{#allowed}}<p>Allowed: {{allowed}}</p>{{/allowed}}
        <p><a href="/">Back to the catalog</a></p>
        {{> foot}}
        """

    static let login = """
        {{> head}}<h1>Sign in</h1>
        {{#failed}}<p class="err">That token is not the admin token.</p>{{/failed}}
        <form class="login" method="post" action="/login">
        <label>Admin token <input type="password" name="token" autocomplete="current-password" required maxlength="1024"></label>
        <input type="hidden" name="next" value="{{next}}">
        <button type="submit">Sign in</button></form>
        <p class="note">The token is the service's <code>REEL_ADMIN_TOKEN</code>. Signing in sets a session cookie for this browser only.</p>
        {{> foot}}
        """
}
