/// A minimal XML writer for query-protocol responses.
struct XMLWriter {
    private(set) var text = ""

    /// `<name>escaped text</name>`.
    mutating func element(_ name: String, _ value: String) {
        text += "<\(name)>\(XMLWriter.escape(value))</\(name)>"
    }

    mutating func element(_ name: String, _ children: (inout XMLWriter) -> Void) {
        text += "<\(name)>"
        children(&self)
        text += "</\(name)>"
    }

    mutating func optional(_ name: String, _ value: String?) {
        if let value { element(name, value) }
    }

    mutating func raw(_ xml: String) { text += xml }

    /// A query-protocol success document, SQS's and SNS's alike: `<XResponse>` around the `<XResult>` wrapper
    /// (left out when `result` is nil) and `<ResponseMetadata><RequestId/>`.
    static func responseDocument(action: String, namespace: String, result: String?, requestId: String) -> String {
        var xml = XMLWriter()
        xml.raw("<?xml version=\"1.0\"?><\(action)Response xmlns=\"\(namespace)\">")
        if let result { xml.raw("<\(action)Result>\(result)</\(action)Result>") }
        xml.element("ResponseMetadata") { $0.element("RequestId", requestId) }
        xml.raw("</\(action)Response>")
        return xml.text
    }

    /// Escapes markup characters, and CR as `&#xD;` so an XML parser's line-end normalization
    /// (XML 1.0 §2.11) cannot turn a body's CR LF into LF and break MD5OfBody. Quotes are escaped
    /// too, as SQS itself does (moto PR #9386).
    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#xD;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
