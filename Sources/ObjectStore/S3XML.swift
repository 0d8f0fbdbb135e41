import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The few values S3's XML answers carry that this client reads: every element's text by name, in document order.
final class S3XML: NSObject, XMLParserDelegate {
    private(set) var values: [(name: String, text: String)] = []
    private var text = ""
    private var path: [String] = []
    /// The `<Prefix>` of each `<CommonPrefixes>` of a delimited listing.
    private(set) var prefixes: [String] = []

    /// Parses `data`; `nil` if it is not XML.
    static func parse(_ data: Data) -> S3XML? {
        let parser = XMLParser(data: data)
        let collector = S3XML()
        parser.delegate = collector
        parser.shouldResolveExternalEntities = false
        return parser.parse() ? collector : nil
    }

    func first(_ name: String) -> String? { values.first { $0.name == name }?.text }
    func all(_ name: String) -> [String] { values.filter { $0.name == name }.map(\.text) }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        path.append(elementName)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "Prefix", path.dropLast().last == "CommonPrefixes" { prefixes.append(text) }
        path.removeLast()
        values.append((elementName, text))
        text = ""
    }
}
