import Foundation
import XLSX

/// A template family as its data file in `templates/` describes it: sheets, title patterns,
/// columns (Chinese and English headers, aliases, types, allowed values, derived formulas,
/// widths, number formats) and the default rows.
public struct Template: Codable, Sendable {
    public struct Text: Codable, Sendable, Hashable {
        public var zh: String
        public var en: String
        public func text(_ lang: Language) -> String { lang == .zh ? zh : en }
    }

    public struct Phase: Codable, Sendable {
        public var zh: String
        public var en: String
        /// Start and end week of the seed's 12-week plan (`[0, 2]` = weeks 1–2), scaled to the period.
        public var share: [Int]
        public var objective: Text
        public var tasks: [Text]
        public var name: Text { Text(zh: zh, en: en) }
    }

    /// A stage of the process card and its standard tasks, each due at a rule's date.
    public struct Stage: Codable, Sendable {
        public var zh: String
        public var en: String
        public var tasks: [StageTask]
        public var name: Text { Text(zh: zh, en: en) }
    }

    public struct StageTask: Codable, Sendable {
        public var zh: String
        public var en: String
        public var detail: Text
        /// `launch` or `end` (of the campaign).
        public var anchor: String
        /// Days from the anchor (negative: before).
        public var days: Int
        /// Count working days (Monday to Friday) instead of calendar days.
        public var workingDays: Bool?
        public var name: Text { Text(zh: zh, en: en) }

        /// `活动启动前15天`, `活动结束后3个工作日内` / `15 days before launch`, `3 working days after the end`.
        public func rule(_ lang: Language) -> String {
            let n = abs(days), work = workingDays == true
            if anchor == "end" {
                return lang == .zh ? (work ? "活动结束后\(n)个工作日内" : "活动结束后\(n)天")
                                   : (work ? "within \(n) working days after the end" : "\(n) days after the end")
            }
            if days == 0 { return lang == .zh ? "活动启动当天" : "on launch day" }
            if lang == .zh { return days < 0 ? "活动启动前\(n)天" : "活动启动后\(n)天" }
            return days < 0 ? "\(n) days before launch" : "\(n) days after launch"
        }

        /// The concrete date of the rule.
        public func date(launch: CalendarDate, end: CalendarDate) -> CalendarDate {
            let from = anchor == "end" ? end : launch
            return workingDays == true ? from.adding(workingDays: days) : from.adding(days: days)
        }
    }

    /// What a column holds, as the template file names it (`"type": "money"`). A type the code
    /// does not know is refused when the file is read, not treated as text.
    public enum ColumnType: String, Codable, Sendable, CaseIterable {
        case text, date, dateOrRange, time, timePoint, money, count, percent, ratio, quantity, kpi, status, checkboxes, raci, raciRole, deadlineRule
        /// Amounts, counts, percents and ratios: numbers to a formula and to the store.
        public var isNumber: Bool { self == .money || self == .count || self == .percent || self == .ratio }
    }

    public struct Column: Codable, Sendable {
        public var key: String
        public var zh: String
        public var en: String
        public var aliases: [String]?
        public var type: ColumnType
        public var required: Bool?
        public var allowed: [String]?
        /// The English of each `allowed` value, in the same order (Met for 达标): an English
        /// workbook writes them; either language is accepted anywhere.
        public var allowedEn: [String]?
        /// Values offered in the drop-down without limiting the column to them (platforms: any
        /// name is a value).
        public var suggested: [String]?
        /// A formula over other columns' keys (`{clicks}/{impressions}*100`), or `recalc` when
        /// `tracksheet recalc` computes it.
        public var derived: String?
        /// True where "-" or a blank means "no value" (an offline event has no clicks).
        public var noValue: Bool?
        public var width: Double?
        public var format: String?
        /// Merged vertically over a phase's task rows, as in the seed.
        public var mergeByPhase: Bool?
        /// A column of another layout teams use (RACI in four columns instead of one): read and
        /// checked in their workbooks, not written by `new`, not a store column.
        public var alternative: Bool?

        /// The allowed value a cell's text means, in Chinese: `Met` → `达标`, `策划阶段` → `策划`,
        /// `达标` → `达标`; nil when it is none of them.
        public func canonical(_ text: String) -> String? {
            guard let allowed else { return nil }
            if allowed.contains(text) { return text }
            let t = text.lowercased().trimmingCharacters(in: .whitespaces)
            if let en = allowedEn, let i = en.firstIndex(where: { $0.lowercased() == t }), i < allowed.count { return allowed[i] }
            // `策划阶段`, `筹备阶段`: a stage written with its suffix.
            for suffix in ["阶段", "期"] where text.hasSuffix(suffix) {
                let stem = String(text.dropLast(suffix.count))
                if allowed.contains(stem) { return stem }
                if let a = allowed.first(where: { $0.hasSuffix(suffix) == false && $0 + suffix == text }) { return a }
            }
            return nil
        }
    }

    /// An item of a key–value sheet (活动总览): its name, default value or formula, and a note.
    public struct Field: Codable, Sendable {
        public var key: String
        public var zh: String
        public var en: String
        /// Other names teams give the item (天猫 for 天猫占比(%)).
        public var aliases: [String]?
        /// A default, with `{campaign}`, `{start}`, `{end}` filled in; a number stays a number.
        public var value: String?
        public var format: String?
        /// A formula over other fields' keys, e.g. `SUM({tmallShare}:{privateShare})`.
        public var derived: String?
        public var remark: Text?
        public var name: Text { Text(zh: zh, en: en) }
    }

    public struct Sheet: Codable, Sendable {
        public var id: String
        public var name: Text
        public var title: Text
        /// `phaseTasks`: one row per standard task, grouped by phase; `stageTasks`: the process
        /// card's stages; `fields`: a key–value sheet; `blank`: empty rows to fill.
        public var rows: String
        public var columns: [Column]
        public var fields: [Field]?
        /// Rows written before the blank ones, column key → text.
        public var defaultRows: [[String: Text]]?
    }

    /// The template's two languages: tracksheet's own.
    public typealias Language = XLSX.Language

    public var id: String
    public var version: Int
    public var name: Text
    public var roi: String?
    public var phases: [Phase]?
    public var stages: [Stage]?
    public var sheets: [Sheet]

    /// The templates shipped with tracksheet.
    public static let builtinIDs = ["marketing-plan", "multi-platform-promo", "process-card"]

    /// A shipped template by id.
    public static func builtin(_ id: String) throws -> Template {
        guard builtinIDs.contains(id) else {
            throw TemplateError(.noSuchTemplate, ["id": "\(id)", "ids": .list(builtinIDs)])
        }
        let folder = try TemplateFolder.shipped()
        let url = folder.appendingPathComponent(id + ".json")
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw TemplateError(.shippedTemplateMissing, ["id": "\(id)", "folder": "\(folder.path)"])
        }
        return try load(url)
    }

    /// Every shipped template, or the error that says which one cannot be read.
    public static func builtins() throws -> [Template] { try builtinIDs.map(builtin) }

    /// A team's own template file.
    public static func load(_ url: URL) throws -> Template {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TemplateError(.templateUnreadable, ["path": "\(url.path)"])
        }
        do { return try JSONDecoder().decode(Template.self, from: data) } catch {
            throw TemplateError(.templateInvalid, ["path": "\(url.path)", "why": .message(explain(error))])
        }
    }

    /// Where a template file is wrong and how, as its author can fix it:
    /// `sheets[0].columns[8].type: "moneyy" is not a column type (text, date, …)`.
    static func explain(_ error: any Error) -> TemplateMessage {
        guard let e = error as? DecodingError else { return TemplateMessage(.decodingDetail, ["detail": "\(error)"]) }
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch e {
        case .dataCorrupted(let c) where c.codingPath.last?.stringValue == "type":
            let value = c.debugDescription.components(separatedBy: "value ").last ?? ""
            let types = ColumnType.allCases.map(\.rawValue).joined(separator: ", ")
            return TemplateMessage(.notAColumnType, ["at": "\(path(c))", "value": "\(value)", "types": "\(types)"])
        case .dataCorrupted(let c):
            return c.codingPath.isEmpty ? TemplateMessage(.notJSON) : TemplateMessage(.decodingDetail, ["detail": "\(path(c)): \(c.debugDescription)"])
        case .keyNotFound(let key, let c):
            let at = path(c)
            return TemplateMessage(.lacksKey, ["at": "\(at.isEmpty ? "" : at + " ")", "key": "\(key.stringValue)"])
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return TemplateMessage(.decodingDetail, ["detail": "\(path(c)): \(c.debugDescription)"])
        @unknown default:
            return TemplateMessage(.decodingDetail, ["detail": "\(error)"])
        }
    }
}

/// A template that cannot be found or read, or a workbook that cannot be made or read against
/// one: a message of the templates' catalogs (or of the layer above that throws it).
public struct TemplateError: Error, CustomStringConvertible, Sendable {
    public let said: any Said
    /// Whether the workbook the error is about has Chinese headers; nil when it was not read.
    /// The message is said in the workbook's language, as every command's answer is.
    public var workbookIsChinese: Bool?

    public init(_ said: any Said, workbookIsChinese: Bool? = nil) {
        self.said = said; self.workbookIsChinese = workbookIsChinese
    }

    init(_ key: TemplateMessageKey, _ values: [String: TemplateMessage.Value] = [:]) {
        self.init(TemplateMessage(key, values))
    }

    public var english: String { said.text(.en) }
    public var chinese: String { said.text(.zh) }
    public var description: String { english }
}

/// Where the shipped template files are. Looked for, in order: the folder `TRACKSHEET_TEMPLATES`
/// names; `share/tracksheet/templates` beside the binary's `bin/` (what `make install` and the
/// `make dist` tarball lay out); for a binary inside the checkout it was built from (its build
/// folders: `swift build`, `swift test`, `make demo`), that checkout's `templates/`. The files are
/// not SwiftPM resources: those must sit inside a target's folder, and the templates are the
/// package's top-level data, read by people and by `make install` alike.
public enum TemplateFolder {
    public static let environmentKey = "TRACKSHEET_TEMPLATES"

    public static func shipped() throws -> URL {
        let places = candidates()
        if let found = places.first(where: holdsTemplates) { return found }
        let looked = places.map(\.path).joined(separator: ", ")
        throw TemplateError(.templateFolderMissing, ["looked": "\(looked)", "variable": "\(environmentKey)"])
    }

    /// The folders looked in, in order. A folder named by the environment is the only one looked
    /// in: a wrong setting is said, not hidden by a fallback.
    static func candidates() -> [URL] {
        if let named = ProcessInfo.processInfo.environment[environmentKey], !named.isEmpty {
            return [URL(fileURLWithPath: named, isDirectory: true)]
        }
        guard let binary = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return [] }
        let bin = binary.deletingLastPathComponent()
        var places = [bin.deletingLastPathComponent().appendingPathComponent("share/tracksheet/templates", isDirectory: true)]
        // Only from inside the checkout: a binary copied or installed elsewhere never reaches back into it.
        if binary.path.hasPrefix(checkout.path + "/") { places.append(checkout.appendingPathComponent("templates", isDirectory: true)) }
        return places
    }

    /// The checkout this file was compiled from (`Sources/Templates/` lies two folders below it).
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func holdsTemplates(_ folder: URL) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) && isFolder.boolValue
    }
}
