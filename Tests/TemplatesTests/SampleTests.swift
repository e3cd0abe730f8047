import Foundation
import Testing
@testable import Templates
import XLSX

/// The samples in `samples/` are the seed documents' example rows, written from the template
/// files. `TRACKSHEET_WRITE_SAMPLES=1 swift test --filter SampleTests` rewrites them; otherwise
/// the test checks the committed files still hold exactly what the templates and rows give.
@Suite struct SampleTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples")

    static func d(_ iso: String) -> CellValue { .date(ExcelDateTime(serial: CalendarDate(iso)!.serial)) }
    static func s(_ text: String) -> CellValue { .string(text) }
    static func n(_ x: Double) -> CellValue { .number(x) }

    /// Seed 000's example (202X read as 2025): 6 master tasks, 4 detail rows, 5 effect rows.
    static var marketingPlan: CampaignWorkbook.Options {
        var o = CampaignWorkbook.Options(campaign: "母婴新品奶粉上市推广", start: CalendarDate("2025-05-01")!, end: CalendarDate("2025-06-20")!)
        o.blankRows = 10
        o.data["master"] = [
            ["phase": s("筹备期"), "objective": s("完成推广前期准备"), "task": s("KOL名单筛选与签约"), "owner": s("内容专员"),
             "plannedStart": d("2025-05-01"), "plannedEnd": d("2025-05-07"), "actualStart": d("2025-05-01"), "actualEnd": d("2025-05-06"),
             "budget": n(50_000), "spend": n(48_000), "progress": n(100), "kpi": s("签约KOL数量≥10人"), "achieved": s("10人"),
             "issues": s("无"), "solution": s("无"), "notes": s("涵盖头部、腰部、尾部KOL")],
            ["task": s("推广素材制作(图文+视频)"), "owner": s("设计专员"), "plannedStart": d("2025-05-03"), "plannedEnd": d("2025-05-10"),
             "actualStart": d("2025-05-03"), "actualEnd": d("2025-05-09"), "budget": n(30_000), "spend": n(28_000), "progress": n(100),
             "kpi": s("素材通过率100%"), "achieved": s("100%"), "issues": s("无"), "solution": s("无"), "notes": s("含3版A/B测试素材")],
            ["phase": s("启动期"), "objective": s("实现初步声量积累"), "task": s("小红书KOL笔记发布(5篇)"), "owner": s("内容专员"),
             "plannedStart": d("2025-05-11"), "plannedEnd": d("2025-05-15"), "actualStart": d("2025-05-11"), "actualEnd": d("2025-05-14"),
             "budget": n(25_000), "spend": n(24_500), "progress": n(100), "kpi": s("笔记总阅读量≥20万"), "achieved": s("22万"),
             "issues": s("1篇笔记互动率低"), "solution": s("增加“用户证言”内容,优化标题"), "notes": s("已重新发布优化版")],
            ["task": s("抖音信息流广告上线"), "owner": s("推广专员"), "plannedStart": d("2025-05-12"), "plannedEnd": d("2025-06-20"),
             "actualStart": d("2025-05-12"), "actualEnd": s("-"), "budget": n(150_000), "spend": n(80_000), "progress": n(50),
             "kpi": s("点击率≥2%"), "achieved": s("2.1%"), "issues": s("无"), "solution": s("无"), "notes": s("日均消耗1.5万")],
            ["phase": s("爆发期"), "objective": s("驱动转化量增长"), "task": s("直播带货专场(6月10日)"), "owner": s("渠道经理"),
             "plannedStart": d("2025-06-01"), "plannedEnd": d("2025-06-10"), "actualStart": d("2025-06-01"), "actualEnd": d("2025-06-10"),
             "budget": n(80_000), "spend": n(78_000), "progress": n(100), "kpi": s("观看人数≥20万"), "achieved": s("25万"),
             "issues": s("销售额未达预期"), "solution": s("增加限时秒杀环节,引导用户下单"), "notes": s("实际销售额45万,目标50万")],
            ["phase": s("收尾期"), "objective": s("沉淀推广经验"), "task": s("用户反馈整理与分析"), "owner": s("数据专员"),
             "plannedStart": d("2025-06-15"), "plannedEnd": d("2025-06-20"), "actualStart": d("2025-06-15"), "actualEnd": d("2025-06-18"),
             "budget": n(10_000), "spend": n(9_500), "progress": n(100), "kpi": s("有效反馈≥500条"), "achieved": s("520条"),
             "issues": s("无"), "solution": s("无"), "notes": s("形成《用户反馈分析报告》")],
        ]
        o.data["detail"] = [
            ["date": s("6.1"), "task": s("直播选品与价格谈判"), "steps": s("筛选10款引流款(9.9元)、5款利润款(99元),与供应商谈判确认供货价与库存"),
             "owner": s("渠道经理"), "plannedDone": s("17:00"), "actualDone": s("16:30"), "state": s("已完成"),
             "resources": s("采购部配合库存确认"), "feedback": s("供应商A库存不足,已更换为供应商B")],
            ["date": s("6.2-6.5"), "task": s("直播脚本与流程设计"), "steps": s("设计开场(5分钟)、产品讲解(60分钟)、互动抽奖(15分钟)、逼单促单(20分钟)"),
             "owner": s("内容专员"), "plannedDone": s("6.5 18:00"), "actualDone": s("6.5 19:00"), "state": s("已完成(延期1小时)"),
             "resources": s("无"), "feedback": s("主播对产品卖点不熟悉,已增加产品培训环节")],
            ["date": s("6.6-6.9"), "task": s("直播预热素材投放"), "steps": s("制作短视频3条(突出“直播专属折扣”“限时秒杀”),投放抖音信息流,定向25-32岁女性"),
             "owner": s("推广专员"), "plannedDone": s("6.9 12:00"), "actualDone": s("6.9 12:00"), "state": s("进行中(截至6.9 10:00,消耗2万,点击率2.3%)"),
             "resources": s("预算充足"), "feedback": s("素材完播率65%,高于行业均值(60%)")],
            ["date": s("6.10"), "task": s("直播带货执行"), "steps": s("14:00-18:00直播,监控实时观看人数、互动率、转化率,调整讲解重点"),
             "owner": s("渠道经理"), "plannedDone": s("18:00"), "actualDone": s("18:00"), "state": s("已完成"),
             "resources": s("技术部保障直播间流畅"), "feedback": s("直播中途卡顿2分钟,已切换备用网络")],
        ]
        func effect(_ ch: String, _ content: String, _ e: Double, _ c: CellValue, _ ctr: CellValue, _ v: Double, _ cvr: CellValue,
                    _ cost: Double, _ cpa: Double, _ sales: Double, _ roi: Double, _ status: String, _ advice: String) -> [String: CellValue] {
            ["channel": s(ch), "content": s(content), "impressions": n(e), "clicks": c, "ctr": ctr, "conversions": n(v), "cvr": cvr,
             "cost": n(cost), "cpa": n(cpa), "sales": n(sales), "roi": n(roi), "status": s(status), "advice": s(advice)]
        }
        o.data["effect"] = [
            effect("小红书KOL", "头部KOL(1篇)", 150_000, n(15_000), n(10.0), 225, n(1.5), 30_000, 133.33, 90_000, 3.0, "达标", "增加腰部KOL投放,覆盖更多细分人群"),
            effect("小红书KOL", "腰部KOL(5篇)", 650_000, n(52_000), n(8.0), 780, n(1.5), 120_000, 153.85, 312_000, 2.6, "达标", "优化笔记发布时间(晚8-10点用户活跃度高)"),
            effect("抖音信息流", "短视频素材A", 2_000_000, n(60_000), n(3.0), 900, n(1.5), 90_000, 100.00, 360_000, 4.0, "达标", "增加素材A投放预算,占比提升至60%"),
            effect("抖音信息流", "短视频素材B", 1_500_000, n(30_000), n(2.0), 450, n(1.5), 45_000, 100.00, 180_000, 4.0, "达标", "逐步减少素材B投放,点击率低于均值"),
            effect("线下体验", "5场活动", 500_000, s("-"), s("-"), 300, s("-"), 50_000, 166.67, 120_000, 2.4, "未达标", "增加线上报名渠道,提前3天短信提醒用户"),
        ]
        return o
    }

    /// Seed 001's example: the 618 split 天猫 60 / 抖音 30 / 私域 10, RACI, the 17:00 daily report,
    /// the four monitoring time points, and the review (520万 against 500万 → 104 %).
    static var multiPlatform: CampaignWorkbook.Options {
        var o = CampaignWorkbook.Options(campaign: "618年中大促", start: CalendarDate("2025-05-20")!, end: CalendarDate("2025-06-20")!)
        o.blankRows = 10
        o.data["overview"] = [["owner": s("运营总监"), "salesTarget": n(5_000_000), "newCustomers": n(20_000), "newCustomerRate": n(3.5),
                               "exposureTarget": n(30_000_000), "engagementTarget": n(5.0)]]
        o.data["platformTasks"] = [
            ["platform": s("天猫"), "task": s("大促会场报名与页面搭建"), "deliverable": s("会场页面"), "acceptance": s("审核通过,5月25日前上线"),
             "raci": s("R:店铺运营 A:天猫负责人 C:设计 I:客服"), "start": d("2025-05-20"), "finish": d("2025-05-25"), "milestone": s("5月25日上线"),
             "progress": n(100), "state": s("已完成")],
            ["platform": s("抖音"), "task": s("达人直播排期"), "deliverable": s("直播排期表"), "acceptance": s("10场直播确认"),
             "raci": s("R:直播运营 A:抖音负责人 C:商务 I:仓储"), "start": d("2025-05-20"), "finish": d("2025-06-01"), "milestone": s("6月1日开播"),
             "progress": n(60), "state": s("进行中")],
            ["platform": s("私域"), "task": s("社群预热与优惠券发放"), "deliverable": s("社群SOP"), "acceptance": s("触达率≥80%"),
             "raci": s("R:社群运营 A:私域负责人 I:客服"), "start": d("2025-06-01"), "finish": d("2025-06-18"), "milestone": s("6月18日"),
             "progress": n(0), "state": s("未开始")],
        ]
        o.data["daily"] = [
            ["date": d("2025-06-01"), "platform": s("抖音"), "done": s("首场直播完成"), "inProgress": s("达人排期(60%)"),
             "notStarted": s("私域社群预热(等待优惠券审批)"), "issues": s("直播间卡顿2分钟"), "actions": s("切换备用网络"), "owner": s("直播运营")],
        ]
        o.data["monitoring"] = [
            ["date": d("2025-06-18"), "time": s("12:00"), "platform": s("天猫"), "impressions": n(3_200_000), "clicks": n(96_000), "uv": n(80_000),
             "carts": n(12_000), "orders": n(4_000), "paid": n(1_600_000), "cvr": n(5.0), "newCustomers": n(1_200), "newShare": n(30.0),
             "repeatRate": n(18.0), "aov": n(400)],
            ["date": d("2025-06-18"), "time": s("21:00"), "platform": s("抖音"), "impressions": n(5_000_000), "clicks": n(150_000), "uv": n(120_000),
             "carts": n(15_000), "orders": n(3_600), "paid": n(1_080_000), "cvr": n(3.0), "newCustomers": n(2_160), "newShare": n(60.0),
             "repeatRate": n(8.0), "aov": n(300)],
        ]
        o.data["review"] = [
            ["metric": s("销售额(元)"), "target": n(5_000_000), "actual": n(5_200_000), "rate": n(104), "causes": s("天猫会场流量超预期"), "improvements": s("提前锁定会场资源")],
            ["metric": s("新客数(人)"), "target": n(20_000), "actual": n(18_500), "rate": n(92.5), "causes": s("私域拉新不足"), "improvements": s("增加老带新奖励")],
        ]
        return o
    }

    /// Seed 002's card for a spring campaign launched 16 May, owners filled and states marked.
    static func processCard(_ t: Template) -> CampaignWorkbook.Options {
        var o = CampaignWorkbook.Options(campaign: "春季焕新季", start: CalendarDate("2025-05-16")!, end: CalendarDate("2025-05-31")!)
        o.launch = CalendarDate("2025-05-16")
        o.blankRows = 5
        var rows: [[String: CellValue]] = []
        for stage in t.stages ?? [] {
            for (k, task) in stage.tasks.enumerated() {
                let due = task.date(launch: o.launch!, end: o.end)
                let state = due < CalendarDate("2025-05-16")! ? "□未开始□进行中■已完成" : due == CalendarDate("2025-05-16")! ? "□未开始■进行中□已完成" : "■未开始□进行中□已完成"
                rows.append(["stage": k == 0 ? s(stage.zh) : .empty, "task": s(task.zh), "detail": s(task.detail.zh),
                             "owner": s(stage.zh == "策划" || stage.zh == "审批" ? "小明" : "组长"), "deadlineRule": s(task.rule(.zh)),
                             "deadline": d(due.iso), "state": s(state)])
            }
        }
        o.data["process"] = rows
        return o
    }

    /// Typical mistakes planted in the seed plan; each listed in samples/with-errors/manifest.json
    /// with its sheet!cell, so the validator's test can assert exactly these.
    static var withErrors: (CampaignWorkbook.Options, [[String: String]]) {
        var o = marketingPlan
        var planted: [[String: String]] = []
        func plant(_ sheet: String, _ key: String, _ row: Int, _ value: CellValue, _ cell: String, _ problem: String) {
            o.data[sheet]![row][key] = value
            planted.append(["sheet": sheet == "master" ? "主跟踪表" : sheet == "detail" ? "阶段执行明细表" : "效果分析表", "cell": cell, "problem": problem])
        }
        plant("master", "phase", 0, s("预热期"), "A3", "a phase that is not one of 筹备期/启动期/爆发期/收尾期")
        plant("master", "plannedEnd", 1, d("2025-05-02"), "F4", "planned end before planned start")
        plant("master", "spend", 2, n(26_000), "J5", "spend over budget (warning)")
        plant("master", "actualEnd", 4, s("-"), "H7", "progress is 100 but there is no actual end")
        plant("master", "owner", 5, .empty, "D8", "required owner missing")
        plant("master", "plannedStart", 5, s("202X-06-15"), "E8", "placeholder year 202X: the template was not filled in")
        plant("detail", "state", 0, s("完成了"), "G3", "a state that is not 未开始/进行中/已完成/延期")
        plant("effect", "ctr", 1, n(9.0), "E4", "CTR 9.0 disagrees with 52,000/650,000 = 8.0")
        plant("effect", "conversions", 3, n(45_000), "F6", "conversions (45,000) over clicks (30,000)")
        return (o, planted)
    }

    static func cells(_ path: String) throws -> [String: [String: CellValue]] {
        let book = try Workbook(path: path)
        var out: [String: [String: CellValue]] = [:]
        for sheet in book.sheets {
            var cells: [String: CellValue] = [:]
            try book.readSheet(sheet) { row in for c in row.cells where !c.value.isEmpty { cells["\(CellReference.columnName(c.column))\(row.index)"] = c.value } }
            out[sheet.name] = cells
        }
        return out
    }

    /// Every sample: its file, template and options.
    static var all: [(file: String, template: String, options: CampaignWorkbook.Options)] {
        get throws {
            [("marketing-plan-seed.xlsx", "marketing-plan", marketingPlan),
             ("multi-platform-618.xlsx", "multi-platform-promo", multiPlatform),
             ("process-card-spring.xlsx", "process-card", processCard(try Template.builtin("process-card"))),
             ("with-errors/marketing-plan-errors.xlsx", "marketing-plan", withErrors.0)]
        }
    }

    @Test func everySampleIsUpToDate() throws {
        for sample in try Self.all {
            let template = try Template.builtin(sample.template)
            let committed = Self.samples.appendingPathComponent(sample.file).path
            if ProcessInfo.processInfo.environment["TRACKSHEET_WRITE_SAMPLES"] == "1" {
                try FileManager.default.createDirectory(atPath: (committed as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try CampaignWorkbook.generate(template, sample.options, to: committed)
                if sample.file.hasPrefix("with-errors/") {
                    let manifest = try JSONSerialization.data(withJSONObject: ["marketing-plan-errors.xlsx": Self.withErrors.1], options: [.prettyPrinted, .sortedKeys])
                    try manifest.write(to: Self.samples.appendingPathComponent("with-errors/manifest.json"))
                }
            }
            let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("sample-\(UUID().uuidString).xlsx").path
            defer { try? FileManager.default.removeItem(atPath: fresh) }
            try CampaignWorkbook.generate(template, sample.options, to: fresh)
            #expect(try Self.cells(committed) == Self.cells(fresh), "samples/\(sample.file) is stale: TRACKSHEET_WRITE_SAMPLES=1 swift test --filter SampleTests")
            let detected = try HeaderMatcher.detect(in: try Workbook(path: committed), templates: Template.builtinIDs.map { try Template.builtin($0) })
            #expect(Set(detected.map(\.templateID)) == [sample.template], "samples/\(sample.file)")
        }
        let manifest = try JSONDecoder().decode([String: [[String: String]]].self,
                                                from: Data(contentsOf: Self.samples.appendingPathComponent("with-errors/manifest.json")))
        #expect(manifest["marketing-plan-errors.xlsx"] == Self.withErrors.1)
    }

    @Test func theSeedSampleIsUpToDate() throws {
        let template = try Template.builtin("marketing-plan")
        let committed = Self.samples.appendingPathComponent("marketing-plan-seed.xlsx").path
        if ProcessInfo.processInfo.environment["TRACKSHEET_WRITE_SAMPLES"] == "1" {
            try CampaignWorkbook.generate(template, Self.marketingPlan, to: committed)
        }
        let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: fresh) }
        try CampaignWorkbook.generate(template, Self.marketingPlan, to: fresh)
        let want = try Self.cells(fresh), got = try Self.cells(committed)
        #expect(got == want, "samples/marketing-plan-seed.xlsx is stale: TRACKSHEET_WRITE_SAMPLES=1 swift test --filter SampleTests")
        // The seed's effect rows are consistent: 15,000/150,000 = 10.0 %, 225/15,000 = 1.5 %, 30,000/225 = 133.33, 90,000/30,000 = 3.0.
        #expect(got["效果分析表"]?["E3"] == .number(10) && got["效果分析表"]?["I3"] == .number(133.33) && got["效果分析表"]?["K3"] == .number(3))
        #expect(got["主跟踪表"]?["C8"] == .string("用户反馈整理与分析") && got["阶段执行明细表"]?["G4"] == .string("已完成(延期1小时)"))
    }
}
