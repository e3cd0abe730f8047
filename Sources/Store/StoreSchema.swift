import Foundation
import Templates
import XLSX

/// A value as the store keeps it: typed by its column. A blank or "no value" cell is nil.
public enum StoreValue: Hashable, Sendable, CustomStringConvertible {
    case text(String)
    case number(Double)
    case date(CalendarDate)

    /// How the change log and messages show it: `42000`, `2025-05-01`, the text.
    public var description: String {
        switch self {
        case .text(let s): s
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .date(let d): d.iso
        }
    }

    /// Equal as the store compares: numbers within rounding. Inlinable: the planner asks it of
    /// every cell of every row.
    @inlinable public static func same(_ a: StoreValue?, _ b: StoreValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (.number(let x)?, .number(let y)?): abs(x - y) <= 1e-9 * max(1, abs(x), abs(y))
        default: a == b
        }
    }
}

/// A row's values by template column key; a missing key is null. A row read from a sheet or
/// the store has its table's `keys`, in the table's column order.
public typealias RowValues = KeyedRow<StoreValue>

/// How a column is typed in SQL.
public enum ColumnKind: String, Sendable {
    case text, number, date
}

/// A synced column of a store table.
public struct StoreColumn: Sendable {
    public var key: String
    /// `planned_start` for `plannedStart`.
    public var sqlName: String
    public var kind: ColumnKind
    /// Percent points (80 for 80 %).
    public var isPercent: Bool
    /// Merged over a phase's rows in the workbook: cleared with care.
    public var mergeByPhase: Bool
}

/// A table of the store: the rows of one template sheet.
public struct StoreTable: Sendable {
    public var templateID: String
    public var sheetID: String
    public var name: String
    /// The sheet's columns the store keeps: every template column but the derived ones, which
    /// `recalc` computes in the workbook.
    public let columns: [StoreColumn]
    /// The columns' keys: a column's slot in a row's values is its index in `columns`.
    public let keys: ColumnKeys

    public init(templateID: String, sheetID: String, name: String, columns: [StoreColumn]) {
        self.templateID = templateID
        self.sheetID = sheetID
        self.name = name
        self.columns = columns
        keys = ColumnKeys(columns.map(\.key))
    }

    public func column(_ key: String) -> StoreColumn? { columns.first { $0.key == key } }

    /// A row of this table with no values yet.
    public func emptyRow() -> RowValues { RowValues(keys) }

    /// `row`'s value of each column, in the columns' order (by slot when the row has this table's keys).
    func values(of row: RowValues) -> [StoreValue?] {
        columns.indices.map { row.value(columns[$0].key, slot: $0, of: keys) }
    }
}

/// The store's tables, made from the shipped templates' sheets: one per sheet of rows a team
/// tracks (the overview's fields and the process card's header are not synced).
public enum StoreSchema {
    /// Each synced sheet's table: (template, sheet) → table. The names are the store's, fixed by
    /// its migrations; the templates do not know them.
    static let tableNames: [String: [String: String]] = [
        "marketing-plan": ["master": "master_tasks", "detail": "detail_rows", "effect": "effect_rows"],
        "multi-platform-promo": ["platformTasks": "promo_platform_tasks", "daily": "promo_daily",
                                 "monitoring": "promo_monitoring", "review": "promo_review"],
        "process-card": ["process": "process_card_tasks"],
    ]

    public static func tables(_ templates: [Template]) -> [StoreTable] {
        var out: [StoreTable] = []
        for t in templates {
            for s in t.sheets {
                guard let name = tableNames[t.id]?[s.id] else { continue }
                let columns = s.columns.filter { $0.derived == nil && $0.alternative != true }.map { c in
                    StoreColumn(key: c.key, sqlName: snakeCase(c.key), kind: kind(of: c.type), isPercent: c.type == .percent,
                                mergeByPhase: c.mergeByPhase == true)
                }
                out.append(StoreTable(templateID: t.id, sheetID: s.id, name: name, columns: columns))
            }
        }
        return out
    }

    /// The shipped templates' tables.
    public static let builtin: [StoreTable] = tables(Template.builtinIDs.compactMap { try? Template.builtin($0) })

    public static func table(template: String, sheet: String) -> StoreTable? {
        builtin.first { $0.templateID == template && $0.sheetID == sheet }
    }

    public static func table(named name: String) -> StoreTable? { builtin.first { $0.name == name } }

    /// Money, counts, percents and ratios are numbers; dates are dates; the rest — KPI
    /// expressions, quantities with their units (`22万`, `≥20万`), states, times — is text as typed.
    static func kind(of type: Template.ColumnType) -> ColumnKind {
        type.isNumber ? .number : type == .date ? .date : .text
    }

    static func snakeCase(_ key: String) -> String {
        var out = ""
        for c in key {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }

    /// The schema's migrations, in order; each runs once, recorded in `schema_migrations`.
    /// The SQL is the same for both databases but for the types `types` names.
    static func migrations(_ d: SQLDialect) -> [(version: Int, statements: [String])] {
        var first = [
            """
            CREATE TABLE IF NOT EXISTS campaigns (
              id TEXT PRIMARY KEY,
              name TEXT NOT NULL UNIQUE,
              template TEXT NOT NULL,
              start_date \(d.dateType),
              end_date \(d.dateType),
              version \(d.intType) NOT NULL DEFAULT 1,
              created_at TEXT NOT NULL,
              updated_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS change_log (
              seq \(d.serialKey),
              at TEXT NOT NULL,
              who TEXT NOT NULL,
              workbook TEXT NOT NULL,
              campaign_id TEXT NOT NULL REFERENCES campaigns(id),
              table_name TEXT NOT NULL,
              row_id TEXT NOT NULL,
              action TEXT NOT NULL,
              column_name TEXT,
              cell TEXT,
              old_value TEXT,
              new_value TEXT
            )
            """,
            "CREATE INDEX IF NOT EXISTS change_log_campaign ON change_log (campaign_id, seq)",
            """
            CREATE TABLE IF NOT EXISTS row_versions (
              row_id TEXT NOT NULL,
              version \(d.intType) NOT NULL,
              campaign_id TEXT NOT NULL REFERENCES campaigns(id),
              table_name TEXT NOT NULL,
              data TEXT NOT NULL,
              PRIMARY KEY (row_id, version)
            )
            """,
        ]
        for t in builtin {
            let cols = t.columns.map { c in "  \(c.sqlName) \(c.kind == .number ? d.numberType : c.kind == .date ? d.dateType : "TEXT")" }
            first.append("""
            CREATE TABLE IF NOT EXISTS \(t.name) (
              id TEXT PRIMARY KEY,
              campaign_id TEXT NOT NULL REFERENCES campaigns(id),
              version \(d.intType) NOT NULL,
              position \(d.intType) NOT NULL,
            \(cols.joined(separator: ",\n")),
              updated_at TEXT NOT NULL,
              updated_by TEXT NOT NULL
            )
            """)
            first.append("CREATE INDEX IF NOT EXISTS \(t.name)_campaign ON \(t.name) (campaign_id, position)")
        }
        return [(1, first)]
    }
}

/// What differs between SQLite and PostgreSQL in the schema and the statements.
struct SQLDialect: Sendable {
    var numberType: String
    var dateType: String
    var intType: String
    var serialKey: String
    /// `?` or `$n`.
    var placeholder: @Sendable (Int) -> String
    /// Appended to a date parameter (`$3::date`).
    var dateCast: String
    /// Appended to the campaign's SELECT to lock it (SQLite's `BEGIN IMMEDIATE` already holds the write lock).
    var forUpdate: String
    /// Run first in the migration's transaction so two processes do not migrate at once.
    var migrationLock: String?

    static let sqlite = SQLDialect(numberType: "REAL", dateType: "TEXT", intType: "INTEGER", serialKey: "INTEGER PRIMARY KEY AUTOINCREMENT",
                                   placeholder: { _ in "?" }, dateCast: "", forUpdate: "", migrationLock: nil)
    static let postgres = SQLDialect(numberType: "DOUBLE PRECISION", dateType: "DATE", intType: "BIGINT", serialKey: "BIGSERIAL PRIMARY KEY",
                                     placeholder: { "$\($0)" }, dateCast: "::date", forUpdate: " FOR UPDATE",
                                     migrationLock: "SELECT pg_advisory_xact_lock(7403311)")
}

/// A row's values as the JSON kept in `row_versions.data` (numbers as numbers, dates and text as strings).
package enum RowJSON {
    /// Keys in byte order (JSONSerialization's `.sortedKeys` compares through ICU: a fifth of a
    /// first sync's time went there).
    package static func encode(_ values: RowValues) -> String {
        var out = "{"
        out.reserveCapacity(256)
        var first = true
        for slot in values.columns.slotsByKey {
            guard let v = values[slot: slot] else { continue }
            if !first { out += "," }
            first = false
            JSONValue.quote(values.columns.keys[slot], into: &out)
            out += ":"
            switch v {
            case .text(let s): JSONValue.quote(s, into: &out)
            case .number(let n): JSONValue.number(n).write(into: &out)
            case .date(let d): JSONValue.quote(d.iso, into: &out)
            }
        }
        out += "}"
        return out
    }

    package static func decode(_ text: String, table: StoreTable) -> RowValues {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return table.emptyRow() }
        var out = table.emptyRow()
        for (i, c) in table.columns.enumerated() {
            guard let v = object[c.key] else { continue }
            switch c.kind {
            case .number: if let n = (v as? NSNumber)?.doubleValue { out[slot: i] = .number(n) }
            case .date: if let s = v as? String, let d = CalendarDate(s) { out[slot: i] = .date(d) }
            case .text: if let s = v as? String { out[slot: i] = .text(s) }
            }
        }
        return out
    }
}
