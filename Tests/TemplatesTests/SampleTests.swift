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
