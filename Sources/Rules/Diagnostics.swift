import XLSX

public enum Severity: String, Sendable, Comparable, CaseIterable {
    case error, warning, info
    var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// One problem, at one cell, in both languages.
public struct Diagnostic: Sendable, Equatable {
    public var rule: RuleID
    public var severity: Severity
    public var sheet: String
    /// The cell (`F7` when shown); nil for a problem of the whole sheet or workbook.
    public var cell: CellReference?
    /// What the cell held, as read.
    public var value: CellValue
    /// What is wrong, said in either language (the rules' catalogs).
    public var said: any Said
    /// The workbook's header over the cell, as written (责任人 where the template says 任务负责人);
    /// nil for a problem of a sheet or of a row's several cells.
    public var header: String?
    /// The cell's format (`cellXfs` index) as the check read it, 0 for a cell not there; nil when
    /// not known. Not part of what the diagnostic says (equality ignores it): `--annotate` derives
    /// its red and amber from it without reading the sheet again.
    public var styleIndex: Int?

    public init(rule: RuleID, severity: Severity, sheet: String, cell: CellReference?, value: CellValue, said: any Said, header: String? = nil) {
        self.rule = rule; self.severity = severity; self.sheet = sheet; self.cell = cell; self.value = value
        self.said = said; self.header = header
    }

    public var english: String { said.text(.en) }
    public var chinese: String { said.text(.zh) }

    public static func == (a: Diagnostic, b: Diagnostic) -> Bool {
        a.rule == b.rule && a.severity == b.severity && a.sheet == b.sheet && a.cell == b.cell && a.value == b.value
            && a.english == b.english && a.chinese == b.chinese && a.header == b.header
    }

    public func message(chinese zh: Bool) -> String { said.text(zh ? .zh : .en) }
    /// `主跟踪表!F7`.
    public var location: String { cell.map { "\(sheet)!\($0)" } ?? sheet }
}

/// The id of every rule, checked by the compiler: a diagnostic can name no rule the catalog lacks.
/// The raw value is the stable id users, the JSON output and the guide see (`date.order`).
public enum RuleID: String, Sendable, CaseIterable, CustomStringConvertible {
    case columnMissing = "column.missing"
    case columnExtra = "column.extra"
    case columnNearMiss = "column.nearMiss"
    case sheetUnchecked = "sheet.unchecked"
    case templateAmbiguous = "template.ambiguous"
    case periodPlaceholder = "period.placeholder"
    case required = "required"
    case valueAllowed = "value.allowed"
    case typeNumber = "type.number"
    case typeNegative = "type.negative"
    case typeQuantity = "type.quantity"
    case typeDate = "type.date"
    case typeTime = "type.time"
    case datePlaceholder = "date.placeholder"
    case dateOrder = "date.order"
    case dateOutsidePeriod = "date.outsidePeriod"
    case progressRange = "progress.range"
    case progressDoneWithoutEnd = "progress.doneWithoutEnd"
    case progressEndNotDone = "progress.endNotDone"
    case progressState = "progress.state"
    case budgetOverspend = "budget.overspend"
    case budgetCampaignOverspend = "budget.campaignOverspend"
    case budgetReserve = "budget.reserve"
    case kpiUnreadable = "kpi.unreadable"
    case kpiUnit = "kpi.unit"
    case kpiNotMet = "kpi.notMet"
    case kpiStatus = "kpi.status"
    case metricMismatch = "metric.mismatch"
    case formulaOwn = "formula.own"
    case metricRoiDefinition = "metric.roiDefinition"
    case metricFunnel = "metric.funnel"
    case statusOverdue = "status.overdue"
    case raciAccountable = "raci.accountable"
    case raciResponsible = "raci.responsible"
    case raciUnreadable = "raci.unreadable"
    case shareTotal = "share.total"
    case checkboxSeveral = "checkbox.several"
    case checkboxInvalid = "checkbox.invalid"
    case deadlineRule = "deadline.rule"
    case crossDetailOwner = "cross.detailOwner"
    case crossDetailDate = "cross.detailDate"
    case crossEffectChannel = "cross.effectChannel"
    case crossEffectCost = "cross.effectCost"

    /// The id as users see it, also where one is interpolated into a message.
    public var description: String { rawValue }
}

/// A rule: a stable id, its severity, and what it checks. The catalog is the list users and
/// tests rely on; every diagnostic names one of these.
public struct Rule: Sendable {
    public var id: RuleID
    public var severity: Severity
    public var english: String
    public var chinese: String

    public static let catalog: [Rule] = [
        Rule(id: .columnMissing, severity: .error, english: "a required column is missing", chinese: "缺少必填列"),
        Rule(id: .columnExtra, severity: .info, english: "a column the template does not have (kept as it is)", chinese: "模板之外的列(原样保留)"),
        Rule(id: .columnNearMiss, severity: .warning, english: "a header one small edit from a column's name, or fitting two columns (did you mean …)", chinese: "表头与某列名称仅差一两个字,或可对应多列(是否想写……)"),
        Rule(id: .sheetUnchecked, severity: .info, english: "a sheet that matches no sheet of the template (not checked)", chinese: "与模板任何工作表都不相符的工作表(未检查)"),
        Rule(id: .templateAmbiguous, severity: .error, english: "a sheet that fits two templates about equally (choose one with --template)", chinese: "工作表与两个模板吻合程度相当(请用 --template 指定)"),
        Rule(id: .periodPlaceholder, severity: .error, english: "the campaign period still reads 202X", chinese: "推广周期仍是占位的 202X"),
        Rule(id: .required, severity: .error, english: "a required cell is empty", chinese: "必填单元格为空"),
        Rule(id: .valueAllowed, severity: .error, english: "a value that is not one of the column's choices", chinese: "取值不在该列的可选范围内"),
        Rule(id: .typeNumber, severity: .error, english: "not a number (money, count or percent)", chinese: "不是数字(金额、数量或百分比)"),
        Rule(id: .typeNegative, severity: .error, english: "a negative amount or count", chinese: "金额或数量为负数"),
        Rule(id: .typeQuantity, severity: .warning, english: "an achieved value that is not a number with a unit", chinese: "当前达成值不是带单位的数字"),
        Rule(id: .typeDate, severity: .error, english: "not a date", chinese: "不是日期"),
        Rule(id: .typeTime, severity: .error, english: "not a time", chinese: "不是时间"),
        Rule(id: .datePlaceholder, severity: .error, english: "a 202X placeholder date: the template was not filled in", chinese: "日期仍是占位的 202X:模板未填写"),
        Rule(id: .dateOrder, severity: .error, english: "an end before its start", chinese: "结束早于开始"),
        Rule(id: .dateOutsidePeriod, severity: .warning, english: "a planned date outside the campaign period", chinese: "计划日期不在推广周期内"),
        Rule(id: .progressRange, severity: .error, english: "progress outside 0–100", chinese: "执行进度不在 0–100 之间"),
        Rule(id: .progressDoneWithoutEnd, severity: .error, english: "progress is 100 but there is no actual end", chinese: "执行进度为 100 但没有实际结束时间"),
        Rule(id: .progressEndNotDone, severity: .warning, english: "an actual end while progress is below 100", chinese: "已有实际结束时间但执行进度不足 100"),
        Rule(id: .progressState, severity: .warning, english: "progress and state disagree", chinese: "执行进度与状态不一致"),
        Rule(id: .budgetOverspend, severity: .warning, english: "spend over budget", chinese: "实际支出超过预算(超支)"),
        Rule(id: .budgetCampaignOverspend, severity: .warning, english: "the campaign's total spend is over its total budget", chinese: "活动总支出超过总预算"),
        Rule(id: .budgetReserve, severity: .warning, english: "task budgets leave less than the 10% reserve of the total", chinese: "任务预算之和未留出总预算 10% 的应急预留"),
        Rule(id: .kpiUnreadable, severity: .warning, english: "a KPI without a readable target", chinese: "核心KPI指标读不出目标值"),
        Rule(id: .kpiUnit, severity: .warning, english: "achieved value and KPI target in different units", chinese: "当前达成值与KPI目标的单位不一致"),
        Rule(id: .kpiNotMet, severity: .warning, english: "a finished task that did not reach its KPI", chinese: "任务已完成但未达到KPI"),
        Rule(id: .kpiStatus, severity: .warning, english: "an achievement rate or KPI status that disagrees with the KPI and the achieved value", chinese: "达成率或达标情况与KPI及当前达成值不符"),
        Rule(id: .metricMismatch, severity: .error, english: "an entered CTR, CVR, cost per acquisition, ROI or rate that disagrees with its inputs", chinese: "填写的点击率、转化率、获客成本、ROI 或达成率与其输入不符"),
        Rule(id: .formulaOwn, severity: .info, english: "formulas of the team's own in a derived column (recalc and sync keep them)", chinese: "派生列中的自定义公式(recalc 和 sync 会保留)"),
        Rule(id: .metricRoiDefinition, severity: .info, english: "the ROI values follow the other ROI definition", chinese: "ROI 按另一种口径填写"),
        Rule(id: .metricFunnel, severity: .error, english: "more at a later funnel step than at the one before (conversions over clicks)", chinese: "漏斗后一步多于前一步(转化量多于点击量)"),
        Rule(id: .statusOverdue, severity: .warning, english: "the planned time has passed and the task is not done (delayed)", chinese: "已过计划时间仍未完成(延期)"),
        Rule(id: .raciAccountable, severity: .error, english: "RACI without exactly one A", chinese: "RACI 中负责人 A 不是恰好一个"),
        Rule(id: .raciResponsible, severity: .error, english: "RACI without an R", chinese: "RACI 中没有执行者 R"),
        Rule(id: .raciUnreadable, severity: .error, english: "RACI that names no R/A/C/I", chinese: "RACI 未写明 R/A/C/I"),
        Rule(id: .shareTotal, severity: .error, english: "platform shares do not sum to 100%", chinese: "各平台占比合计不是 100%"),
        Rule(id: .checkboxSeveral, severity: .error, english: "more than one state box marked", chinese: "完成状态勾选了多个"),
        Rule(id: .checkboxInvalid, severity: .error, english: "a state that is not one of the card's boxes (not started, in progress, done)", chinese: "完成状态不是流程卡的 □未开始□进行中□已完成"),
        Rule(id: .deadlineRule, severity: .warning, english: "a deadline that does not match its timing rule", chinese: "截止日期与时间节点规则不符"),
        Rule(id: .crossDetailOwner, severity: .warning, english: "a detail row's owner who has no task in the master plan", chinese: "明细表负责人在主跟踪表中没有任务"),
        Rule(id: .crossDetailDate, severity: .warning, english: "a detail row dated outside its phase or the campaign", chinese: "明细表日期不在所属阶段或推广周期内"),
        Rule(id: .crossEffectChannel, severity: .info, english: "an effect channel that no master-plan task names", chinese: "效果分析表的渠道在主跟踪表中没有对应任务"),
        Rule(id: .crossEffectCost, severity: .warning, english: "effect costs over the master plan's total budget", chinese: "效果分析表成本合计超过主跟踪表预算合计"),
    ]

    /// Every rule by id (the catalog lists each once: `RuleTableTests`).
    static let byID: [RuleID: Rule] = Dictionary(catalog.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

    public static func severity(of id: RuleID) -> Severity {
        byID[id]!.severity
    }
}
