import Foundation
import Store
import XLSX

/// What the values fuzz target runs on text and numbers as a store may hold them (a row's JSON
/// in `row_versions`, a stored number read as a version or position, a value written into a
/// cell): nothing may crash, and a row read back writes back the same.
public enum StoreValueProbe {
    public static func run(_ text: String, number: Double) {
        for table in StoreSchema.builtin {
            let row = RowJSON.decode(text, table: table)
            let again = RowJSON.decode(RowJSON.encode(row), table: table)
            if RowJSON.encode(again) != RowJSON.encode(row) { fatalError("property broken: a stored row does not read back: \(text.prefix(200))") }
            for c in table.columns {
                for v in [StoreValue.text(text), .number(number)] {
                    _ = WorkbookSync.cellValue(v, c, style: nil, styles: StyleSheet(), factor: number.isFinite && number != 0 ? number : 1)
                }
            }
        }
        _ = SQLValue.int(number)
        _ = SQLValue.number(number).int
        _ = SQLValue.text(text).int
    }
}
