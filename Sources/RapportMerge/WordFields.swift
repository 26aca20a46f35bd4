import Foundation

/// Finds the merge fields of one WordprocessingML part and returns it as pieces: simple fields
/// (`<w:fldSimple w:instr=" MERGEFIELD Name ">`), complex fields (`w:fldChar` begin, `w:instrText` — possibly
/// split over several runs —, separate, result runs, end) and `«Field»` markers of known fields, which Word
/// may split over several runs. Each field becomes one run (with the formatting of the field's first run)
/// whose text is the field's value. Other fields (PAGE, DATE …) and nested fields are left as they are.
enum WordFields {
    /// Marks a field name inside the XML while it is prepared; U+0000 cannot occur in an XML document.
    private static let mark: Character = "\u{0}"

    static func prepare(_ xml: String) -> [XMLPiece] {
        var text = Self.simpleFields(xml)
        text = Self.complexFields(text)
        text = Self.markers(text)
        let parts = text.split(separator: Self.mark, omittingEmptySubsequences: false)
        return parts.enumerated().compactMap { index, part in
            if index % 2 == 1 { return .field(String(part)) }
            return part.isEmpty ? nil : .literal(String(part))
        }
    }

    /// The run that carries a field's value.
    private static func valueRun(_ name: String, properties: Substring?) -> String {
        "<w:r>\(properties ?? "")<w:t xml:space=\"preserve\">\(Self.mark)\(name)\(Self.mark)</w:t></w:r>"
    }

    /// The field name of a `MERGEFIELD` instruction (`MERGEFIELD  Name \* MERGEFORMAT`,
    /// `MERGEFIELD "Name"`); nil for any other field.
    static func mergeFieldName(_ instruction: String) -> String? {
        let trimmed = instruction.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.uppercased().hasPrefix("MERGEFIELD") else { return nil }
        var rest = trimmed.dropFirst("MERGEFIELD".count)
        guard let first = rest.first, first.isWhitespace else { return nil }
        rest = rest.drop(while: \.isWhitespace)
        let name: Substring
        if rest.first == "\"" {
            name = rest.dropFirst().prefix { $0 != "\"" }
        } else {
            name = rest.prefix { !$0.isWhitespace && $0 != "\\" }
        }
        let cleaned = name.trimmingCharacters(in: .whitespaces)
        return cleaned.isEmpty || cleaned.contains(Self.mark) ? nil : cleaned
    }

    /// The first `<w:rPr>…</w:rPr>` within `range`.
    private static func runProperties(_ xml: String, in range: Range<String.Index>) -> Substring? {
        guard let open = xml.range(of: "<w:rPr>", range: range),
            let close = xml.range(of: "</w:rPr>", range: open.upperBound..<range.upperBound)
        else { return nil }
        return xml[open.lowerBound..<close.upperBound]
    }

    // MARK: simple fields

    private static func simpleFields(_ xml: String) -> String {
        guard xml.contains("<w:fldSimple") else { return xml }
        var out = ""
        var cursor = xml.startIndex
        while let open = xml.range(of: "<w:fldSimple", range: cursor..<xml.endIndex) {
            guard let tagEnd = xml.range(of: ">", range: open.upperBound..<xml.endIndex) else { break }
            let tag = xml[open.lowerBound..<tagEnd.upperBound]
            let selfClosing = tag.hasSuffix("/>")
            var elementEnd = tagEnd.upperBound
            var inner = tagEnd.upperBound..<tagEnd.upperBound
            if !selfClosing {
                guard let close = xml.range(of: "</w:fldSimple>", range: tagEnd.upperBound..<xml.endIndex) else {
                    break
                }
                inner = tagEnd.upperBound..<close.lowerBound
                elementEnd = close.upperBound
            }
            out += xml[cursor..<open.lowerBound]
            if let instruction = Self.attribute("w:instr", of: tag), let name = Self.mergeFieldName(instruction) {
                out += Self.valueRun(name, properties: Self.runProperties(xml, in: inner))
            } else {
                out += xml[open.lowerBound..<elementEnd]
            }
            cursor = elementEnd
        }
        out += xml[cursor...]
        return out
    }

    private static func attribute(_ name: String, of tag: Substring) -> String? {
        guard let start = tag.range(of: name + "=\"") else { return nil }
        guard let end = tag[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return XMLText.unescape(tag[start.upperBound..<end])
    }

    /// The next start tag of exactly `name` (`<w:r` matches `<w:r>` and `<w:r …>`, not `<w:rPr>`) from
    /// `cursor`: one forward scan.
    private static func nextElement(_ name: String, in xml: String, from cursor: String.Index)
        -> Range<String.Index>?
    {
        var from = cursor
        while let found = xml.range(of: name, range: from..<xml.endIndex) {
            if found.upperBound < xml.endIndex {
                let next = xml[found.upperBound]
                if next == ">" || next == " " {
                    return found.lowerBound..<xml.index(after: found.upperBound)
                }
            }
            from = found.upperBound
        }
        return nil
    }

    // MARK: complex fields

    private static func runs(_ xml: String) -> [Range<String.Index>] {
        var runs: [Range<String.Index>] = []
        var cursor = xml.startIndex
        while cursor < xml.endIndex {
            guard let open = Self.nextElement("<w:r", in: xml, from: cursor) else { break }
            guard let close = xml.range(of: "</w:r>", range: open.upperBound..<xml.endIndex) else { break }
            runs.append(open.lowerBound..<close.upperBound)
            cursor = close.upperBound
        }
        return runs
    }

    private static func fieldCharacters(_ run: Substring) -> [String] {
        var kinds: [String] = []
        var rest = run[...]
        while let found = rest.range(of: "w:fldCharType=\"") {
            let value = rest[found.upperBound...].prefix { $0 != "\"" }
            kinds.append(String(value))
            rest = rest[found.upperBound...]
        }
        return kinds
    }

    private static func instructionText(_ run: Substring) -> String {
        var text = ""
        var rest = run[...]
        while let open = rest.range(of: "<w:instrText") {
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { break }
            if rest[rest.index(before: tagEnd)] == "/" {
                rest = rest[rest.index(after: tagEnd)...]
                continue
            }
            guard let close = rest.range(of: "</w:instrText>", range: tagEnd..<rest.endIndex) else { break }
            text += XMLText.unescape(rest[rest.index(after: tagEnd)..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return text
    }

    private static func complexFields(_ xml: String) -> String {
        guard xml.contains("w:fldChar") else { return xml }
        let runs = Self.runs(xml)
        var replacements: [(Range<String.Index>, String)] = []
        var depth = 0
        var start = 0
        var instruction = ""
        var readingInstruction = false
        var nested = false
        for (index, range) in runs.enumerated() {
            let run = xml[range]
            let kinds = Self.fieldCharacters(run)
            if kinds.contains("begin") {
                if depth == 0 {
                    start = index
                    instruction = ""
                    readingInstruction = true
                    nested = false
                } else {
                    nested = true
                }
                depth += 1
            }
            if depth == 1 && readingInstruction { instruction += Self.instructionText(run) }
            if depth == 1 && kinds.contains("separate") { readingInstruction = false }
            if kinds.contains("end") && depth > 0 {
                depth -= 1
                if depth == 0 {
                    readingInstruction = false
                    if !nested, let name = Self.mergeFieldName(instruction) {
                        let first = runs[start]
                        replacements.append(
                            (
                                first.lowerBound..<range.upperBound,
                                Self.valueRun(name, properties: Self.runProperties(xml, in: first))
                            )
                        )
                    }
                }
            }
        }
        guard !replacements.isEmpty else { return xml }
        var out = ""
        var cursor = xml.startIndex
        for (range, text) in replacements {
            out += xml[cursor..<range.lowerBound]
            out += text
            cursor = range.upperBound
        }
        out += xml[cursor...]
        return out
    }

    // MARK: «Field» markers

    private struct TextNode {
        var tag: Range<String.Index>
        var content: Range<String.Index>
        var text: [Character]
    }

    private static func textNodes(_ xml: String) -> [TextNode] {
        var nodes: [TextNode] = []
        var cursor = xml.startIndex
        while cursor < xml.endIndex {
            guard let open = Self.nextElement("<w:t", in: xml, from: cursor) else { break }
            guard let tagEnd = xml.range(of: ">", range: open.lowerBound..<xml.endIndex) else { break }
            if xml[xml.index(before: tagEnd.lowerBound)] == "/" {
                cursor = tagEnd.upperBound
                continue
            }
            guard let close = xml.range(of: "</w:t>", range: tagEnd.upperBound..<xml.endIndex) else { break }
            let content = tagEnd.upperBound..<close.lowerBound
            nodes.append(
                TextNode(
                    tag: open.lowerBound..<tagEnd.upperBound,
                    content: content,
                    text: Array(XMLText.unescape(xml[content]))
                )
            )
            cursor = close.upperBound
        }
        return nodes
    }

    private static func markers(_ xml: String) -> String {
        guard xml.contains("«") || xml.contains("&#171;") || xml.contains("&#xAB;") || xml.contains("&#xab;") else {
            return xml
        }
        let nodes = Self.textNodes(xml)
        // Every character of the part's text with the node it belongs to.
        var characters: [Character] = []
        var owner: [Int] = []
        for (index, node) in nodes.enumerated() {
            characters += node.text
            owner += Array(repeating: index, count: node.text.count)
        }
        var deleted = [Bool](repeating: false, count: characters.count)
        var insertions: [Int: String] = [:]
        var position = 0
        while position < characters.count {
            guard characters[position] == "«" else {
                position += 1
                continue
            }
            var end = position + 1
            while end < characters.count, end - position <= 64,
                characters[end].isLetter || characters[end].isNumber || characters[end] == "_"
            {
                end += 1
            }
            if end < characters.count, characters[end] == "»",
                let name = MergeFields.Name(lenient: String(characters[(position + 1)..<end]))
            {
                for index in position...end { deleted[index] = true }
                insertions[position] = "\(Self.mark)\(name.rawValue)\(Self.mark)"
                position = end + 1
            } else {
                position += 1
            }
        }
        guard !insertions.isEmpty else { return xml }
        var rewritten = [String?](repeating: nil, count: nodes.count)
        for index in characters.indices {
            let node = owner[index]
            if deleted[index] || insertions[index] != nil {
                rewritten[node] = rewritten[node] ?? ""
            }
        }
        // Rebuild the text of the nodes that change.
        var texts = [String](repeating: "", count: nodes.count)
        for (index, character) in characters.enumerated() where rewritten[owner[index]] != nil {
            if let insertion = insertions[index] { texts[owner[index]] += insertion }
            if !deleted[index] { texts[owner[index]] += XMLText.escape(String(character)) }
        }
        var out = ""
        var cursor = xml.startIndex
        for (index, node) in nodes.enumerated() where rewritten[index] != nil {
            out += xml[cursor..<node.tag.lowerBound]
            out += "<w:t xml:space=\"preserve\">"
            out += texts[index]
            cursor = node.content.upperBound
        }
        out += xml[cursor...]
        return out
    }
}
