/// Reads `xl/sharedStrings.xml`: each `<si>` becomes one string, its rich-text runs joined and its
/// phonetic runs (`<rPh>`, furigana) left out.
final class SharedStringsHandler: XMLContentHandler {
    var strings: [String] = []
    private var text: RichText
    private var inItem = false
    private let limits: Limits
    private let part: String

    init(limits: Limits, part: String) {
        self.limits = limits
        self.part = part
        self.text = RichText(limit: limits.maxStringBytes)
    }

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        guard name.namespace == .spreadsheetML else { return }
        if inItem, text.start(name, attributes) { return }
        if name.is("si") {
            inItem = true
            text.reset()
        } else if name.is("sst"), let count = attributes["uniqueCount"].flatMap({ Int($0) }) {
            // The declared count is only a hint; never reserve more than a sane amount on its word.
            strings.reserveCapacity(min(max(count, 0), 1 << 20))
        }
    }

    func endElement(_ name: XMLName) throws {
        guard name.namespace == .spreadsheetML else { return }
        if inItem, text.end(name) { return }
        if name.is("si") {
            if strings.count >= limits.maxSharedStrings {
                throw XLSXError(.tooManyCells, .tooManySharedStrings, ["limit": "\(limits.maxSharedStrings)"], part: part)
            }
            strings.append(text.string)
            inItem = false
        }
    }

    func characters(_ chunk: UnsafeRawBufferPointer) throws {
        if inItem { try text.characters(chunk, part: part) }
    }
}

/// Reads a legacy comments part (`xl/comments1.xml`): notes with their author and text.
final class CommentsHandler: XMLContentHandler {
    var comments: [Comment] = []
    private var authors: [String] = []
    private var author: TextBuffer
    private var text: RichText
    private var inAuthor = false
    private var current: (ref: CellReference, author: Int)?
    private let part: String

    init(limits: Limits, part: String) {
        self.part = part
        author = TextBuffer(limit: limits.maxStringBytes)
        text = RichText(limit: limits.maxStringBytes)
    }

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) throws {
        guard name.namespace == .spreadsheetML else { return }
        if current != nil, text.start(name, attributes) { return }
        if name.is("author") {
            inAuthor = true
            author.clear()
        } else if name.is("comment") {
            text.reset()
            current = attributes["ref"].flatMap { CellReference($0) }.map { ($0, attributes["authorId"].flatMap { Int($0) } ?? -1) }
        }
    }

    func endElement(_ name: XMLName) throws {
        guard name.namespace == .spreadsheetML else { return }
        if current != nil, text.end(name) { return }
        if name.is("author") {
            authors.append(author.unescapedString)
            inAuthor = false
        } else if name.is("comment"), let c = current {
            let who = c.author >= 0 && c.author < authors.count ? authors[c.author] : ""
            comments.append(Comment(cell: c.ref, author: who, text: text.string))
            current = nil
        }
    }

    func characters(_ chunk: UnsafeRawBufferPointer) throws {
        if inAuthor { try author.append(chunk, part: part) }
        else if current != nil { try text.characters(chunk, part: part) }
    }
}

/// A note on a cell.
public struct Comment: Sendable, Equatable {
    public var cell: CellReference
    public var author: String
    public var text: String
}
