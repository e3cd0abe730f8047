/// Reads `xl/sharedStrings.xml`: each `<si>` becomes one string, its rich-text runs joined and its
/// phonetic runs (`<rPh>`, furigana) left out.
final class SharedStringsHandler: XMLContentHandler {
    var strings: [String] = []
    private var text: TextBuffer
    private var inItem = false, inText = false, phoneticDepth = 0, preserve = false
    private let limits: Limits
    private let part: String

    init(limits: Limits, part: String) {
        self.limits = limits
        self.part = part
        self.text = TextBuffer(limit: limits.maxStringBytes)
    }

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        guard name.namespace == .spreadsheetML else { return }
        if name.is("si") {
            inItem = true
            text.clear()
        } else if name.is("t") {
            inText = inItem && phoneticDepth == 0
            preserve = attributes.preservesSpace
            text.beginSegment()
        } else if name.is("rPh") {
            phoneticDepth += 1
        } else if name.is("sst"), let count = attributes["uniqueCount"].flatMap({ Int($0) }) {
            // The declared count is only a hint; never reserve more than a sane amount on its word.
            strings.reserveCapacity(min(max(count, 0), 1 << 20))
        }
    }

    func endElement(_ name: XMLName) throws {
        guard name.namespace == .spreadsheetML else { return }
        if name.is("t") {
            if inText && !preserve { text.trimSegment() }
            inText = false
        }
        else if name.is("rPh") { phoneticDepth -= 1 }
        else if name.is("si") {
            if strings.count >= limits.maxSharedStrings {
                throw XLSXError(.tooManyCells, part: part,
                    english: "The shared-string table has more than \(limits.maxSharedStrings) entries",
                    chinese: "共享字符串表超过 \(limits.maxSharedStrings) 项")
            }
            strings.append(text.unescapedString)
            inItem = false
        }
    }

    func characters(_ chunk: UnsafeRawBufferPointer) throws {
        if inText { try text.append(chunk, part: part) }
    }
}

/// Reads a legacy comments part (`xl/comments1.xml`): notes with their author and text.
final class CommentsHandler: XMLContentHandler {
    var comments: [Comment] = []
    private var authors: [String] = []
    private var text: TextBuffer
    private var inAuthor = false, inComment = false, inText = false, phoneticDepth = 0, preserve = false
    private var current: (ref: CellReference, author: Int)?
    private let part: String

    init(limits: Limits, part: String) {
        self.part = part
        text = TextBuffer(limit: limits.maxStringBytes)
    }

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        guard name.namespace == .spreadsheetML else { return }
        if name.is("author") { inAuthor = true; text.clear() }
        else if name.is("comment") {
            inComment = true
            text.clear()
            current = attributes["ref"].flatMap { CellReference($0) }.map { ($0, attributes["authorId"].flatMap { Int($0) } ?? -1) }
        } else if name.is("t") {
            inText = (inComment && phoneticDepth == 0) || inAuthor
            preserve = attributes.preservesSpace
            text.beginSegment()
        }
        else if name.is("rPh") { phoneticDepth += 1 }
    }

    func endElement(_ name: XMLName) throws {
        guard name.namespace == .spreadsheetML else { return }
        if name.is("author") { authors.append(text.unescapedString); inAuthor = false }
        else if name.is("t") {
            if inText && !preserve { text.trimSegment() }
            inText = false
        }
        else if name.is("rPh") { phoneticDepth -= 1 }
        else if name.is("comment") {
            if let current {
                let author = current.author >= 0 && current.author < authors.count ? authors[current.author] : ""
                comments.append(Comment(cell: current.ref, author: author, text: text.unescapedString))
            }
            inComment = false
        }
    }

    func characters(_ chunk: UnsafeRawBufferPointer) throws {
        if inText || inAuthor { try text.append(chunk, part: part) }
    }
}

/// A note on a cell.
public struct Comment: Sendable, Equatable {
    public var cell: CellReference
    public var author: String
    public var text: String
}
