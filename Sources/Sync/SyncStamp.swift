import Foundation
import Store
import Templates
import Rules
import XLSX
import TracksheetBuildInfo

/// What a sync that wrote a workbook leaves in the workbook's zip comment — not a part, so no
/// spreadsheet shows it, and any program that saves the file again (Excel, WPS, LibreOffice, a
/// script) writes a zip of its own without it: the campaign and the version the store had once
/// the sync committed, the store, the template, a digest of the campaign's row ids and versions
/// then, the tracksheet build, and a digest of every part's name, size and CRC-32 as written.
///
/// The next sync of a workbook whose parts still have that digest, against a campaign still at
/// that version whose rows still have theirs, has nothing to merge: neither side changed since they were made the same. It
/// checks the workbook as `validate` does and reports what the full merge would — every sheet
/// unchanged — without reading the sync record, the store's rows, or planning
/// (`SyncRunner.unchanged`). Anything else, and the sync merges as always.
struct SyncStamp: Equatable {
    static let prefix = "tracksheet-sync 1"

    var campaign: String
    var campaignID: String
    var version: Int
    var store: String
    var template: String
    /// `RowVersions.digest` of the campaign's rows in the workbook's tables once the sync committed:
    /// a row changed in the store without the campaign's version (by hand, in SQL) still shows.
    var rows: String
    var build = SyncStamp.build
    /// `ZipArchive.entriesDigest` of the workbook as written.
    var parts = ""

    /// The build the stamp is made by: a stamp of another build (whose reading of a workbook may
    /// differ) is not trusted.
    static let build: String = {
        let commit = String(cString: tracksheet_build_commit())
        return commit.isEmpty ? "unknown" : commit
    }()

    /// One `key=value` per line; the campaign's name (any text) as hex, so the comment is ASCII.
    var text: String {
        [Self.prefix, "campaign=" + Self.hex(campaign), "id=\(campaignID)", "version=\(version)", "store=" + Self.hex(store),
         "template=\(template)", "rows=\(rows)", "build=\(build)", "parts=\(parts)"].joined(separator: "\n")
    }

    init(campaign: String, campaignID: String, version: Int, store: String, template: String, rows: String) {
        self.campaign = campaign; self.campaignID = campaignID; self.version = version; self.store = store; self.template = template
        self.rows = rows
    }

    /// Read from a zip comment; nil for any other comment.
    init?(comment: [UInt8]) {
        let lines = String(decoding: comment, as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.first == Self.prefix else { return nil }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let eq = line.firstIndex(of: "=") else { return nil }
            fields[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let campaign = fields["campaign"].flatMap(Self.unhex), let id = fields["id"], let version = fields["version"].flatMap({ Int($0) }),
              let store = fields["store"].flatMap(Self.unhex), let template = fields["template"], let rows = fields["rows"],
              let build = fields["build"], let parts = fields["parts"], !parts.isEmpty else { return nil }
        self.init(campaign: campaign, campaignID: id, version: version, store: store, template: template, rows: rows)
        self.build = build
        self.parts = parts
    }

    static func hex(_ s: String) -> String { s.utf8.map { String(format: "%02x", $0) }.joined() }

    static func unhex(_ s: String) -> String? {
        let digits = Array(s.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let b = UInt8(String(decoding: digits[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(b)
            i += 2
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Stamps the workbook at `path` (just written): its parts' digest, then the comment.
    func write(to path: String) throws {
        var stamp = self
        stamp.parts = try ZipArchive(path: path).entriesDigest
        try ZipArchive.setComment(stamp.text, ofArchiveAt: path)
    }

    /// The stamp of the workbook at `path` when its parts are still those it was written with.
    static func current(of path: String) -> SyncStamp? {
        guard let archive = try? ZipArchive(path: path), let comment = archive.comment, let stamp = SyncStamp(comment: comment),
              stamp.build == build, stamp.parts == archive.entriesDigest else { return nil }
        return stamp
    }
}
