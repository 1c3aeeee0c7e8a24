import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

/// The report queries on every store backend: counts of what was seeded, computed here from the seed.
@Suite("Report queries")
struct ReportStoreTests {
    @Test("Published materials by tags and visibility, contributions per school, LMS sources; nothing else counted", arguments: StoreMakers.all)
    func counts(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let a = try await store.createUser(NewUser(username: "gv.a", displayName: "A", roles: [.teacher], school: "THCS Lê Lợi", passwordHash: "x"))
            let b = try await store.createUser(NewUser(username: "gv.b", displayName: "B", roles: [.teacher], school: "THCS Nguyễn Du", passwordHash: "x"))
            func draft(_ kind: MaterialKind, _ visibility: Visibility, _ status: MaterialStatus, source: String? = nil) -> MaterialDraft {
                var metadata = MaterialMetadata(title: "Bài \(kind.rawValue)")
                metadata.subjects = ["TOAN"]
                metadata.grades = [6]
                metadata.knowledgeUnits = ["TOAN.6.SD.1"]
                return MaterialDraft(
                    kind: kind, format: "text/html", metadata: metadata, visibility: visibility, status: status,
                    provenance: source.map { Provenance(sourceSystem: $0, sourceIdentifier: UUID().uuidString) })
            }
            _ = try await store.createMaterials(
                [draft(.lesson, .public, .published), draft(.lesson, .public, .published, source: "moodle"), draft(.lesson, .public, .published),
                 draft(.document, .sector, .published), draft(.document, .public, .draft)], ownerID: a.id)
            _ = try await store.createMaterials([draft(.simulation, .public, .published), draft(.simulation, .private, .published)], ownerID: b.id)

            let publicTags = try await store.publishedMaterialTags(visibilities: [.public])
            #expect(publicTags.reduce(0) { $0 + $1.count } == 4)
            #expect(publicTags.filter { $0.kind == .lesson }.reduce(0) { $0 + $1.count } == 3)
            #expect(publicTags.allSatisfy { $0.subjects == ["TOAN"] && $0.grades == [6] && $0.knowledgeUnits == ["TOAN.6.SD.1"] })
            #expect(try await store.publishedMaterialTags(visibilities: [.public, .sector]).reduce(0) { $0 + $1.count } == 5)
            #expect(try await store.publishedMaterialTags(visibilities: []).isEmpty)

            let contributions = try await store.contributionCounts()
            let byOrganisation = Dictionary(uniqueKeysWithValues: contributions.map { ($0.organisationID, $0) })
            let organisationA = try #require(a.organisationID)
            let organisationB = try #require(b.organisationID)
            let ofA = try #require(byOrganisation[organisationA])
            let ofB = try #require(byOrganisation[organisationB])
            #expect(ofA.materialsByStatus == [.published: 4, .draft: 1] && ofA.contributors == 1 && ofA.questions == 0)
            #expect(ofB.materialsByStatus == [.published: 2] && ofB.contributors == 1)

            #expect(try await store.lmsActivityCounts().materialsBySourceSystem == ["moodle": 1])
            #expect(try await store.publishedQuestionTags().isEmpty)
            let activity = try await store.reviewActivity(from: nil, before: nil)
            #expect(activity.submissions.isEmpty && activity.reviewReasons.isEmpty)
        }
    }
}
