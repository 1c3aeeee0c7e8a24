import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

@Suite("Store conformance: users, materials, versions, search")
struct StoreConformanceTests {
    func teacher(_ store: any Store, _ name: String = "gv.an", school: String? = nil) async throws -> User {
        try await store.createUser(NewUser(username: name, displayName: name, roles: [.teacher], school: school, passwordHash: "x"))
    }

    func draft(_ title: String, description: String = "", subjects: [String] = ["TOAN"], grades: [Int] = [6],
               units: [String] = [], status: MaterialStatus = .published, visibility: Visibility = .public) -> MaterialDraft {
        MaterialDraft(
            kind: .document, format: "application/pdf",
            metadata: MaterialMetadata(title: title, description: description, subjects: subjects, grades: grades, knowledgeUnits: units),
            visibility: visibility, status: status)
    }

    @Test("Materials get fresh identifiers and survive a round trip", arguments: StoreMakers.all)
    func createAndRead(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let a = try await store.createMaterial(draft("Phân số"), ownerID: user.id, firstVersion: nil)
            let b = try await store.createMaterial(draft("Số thập phân"), ownerID: user.id, firstVersion: nil)
            #expect(a.pid != b.pid)
            #expect(b.pid.serial == a.pid.serial + 1)
            let read = try #require(try await store.material(a.pid))
            #expect(read.metadata.title == "Phân số")
            #expect(read.status == .published)
        }
    }

    @Test("Usernames are unique", arguments: StoreMakers.all)
    func uniqueUsers(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            _ = try await teacher(store)
            await #expect(throws: StoreError.conflict("username gv.an")) { try await teacher(store) }
            #expect(try await store.userCount() == 1)
        }
    }

    @Test("Folded queries find marked titles; exact matches rank first", arguments: StoreMakers.all)
    func vietnameseSearch(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let fraction = try await store.createMaterial(draft("Phân số và phép chia"), ownerID: user.id, firstVersion: nil)
            let circle = try await store.createMaterial(draft("Đường tròn"), ownerID: user.id, firstVersion: nil)
            // Newer, so it would come first by recency alone.
            let positive = try await store.createMaterial(draft("Số dương và số âm"), ownerID: user.id, firstVersion: nil)

            let fractions = try await store.search(SearchRequest(text: "phan so"))
            #expect(fractions.items.count == 1 && fractions.items[0].contains(fraction.pid.rawValue))
            let circles = try await store.search(SearchRequest(text: "duong tron"))
            #expect(circles.items.count == 1 && circles.items[0].contains(circle.pid.rawValue))

            let duong = try await store.search(SearchRequest(text: "Đường"))
            #expect(duong.items.count == 2)
            #expect(duong.items[0].contains(circle.pid.rawValue), "the exact 'Đường' ranks above 'dương'")
            #expect(duong.items[1].contains(positive.pid.rawValue))
        }
    }

    @Test("Title matches rank above description matches", arguments: StoreMakers.all)
    func titleFirst(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let inTitle = try await store.createMaterial(draft("Hình học phẳng"), ownerID: user.id, firstVersion: nil)
            let inBody = try await store.createMaterial(draft("Bài tập", description: "Ôn tập hình học"), ownerID: user.id, firstVersion: nil)
            let page = try await store.search(SearchRequest(text: "hinh hoc"))
            #expect(page.items.count == 2)
            #expect(page.items[0].contains(inTitle.pid.rawValue))
            #expect(page.items[1].contains(inBody.pid.rawValue))
        }
    }

    @Test("Keyset pages cover every match exactly once", arguments: StoreMakers.all)
    func pagination(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            var drafts: [MaterialDraft] = []
            for i in 0..<57 { drafts.append(draft(i % 3 == 0 ? "Đường số \(i)" : "Bài \(i)", description: "dương đường \(i)")) }
            #expect(try await store.createMaterials(drafts, ownerID: user.id) == 57)
            var seen: [String] = []
            var cursor: SearchCursor? = nil
            repeat {
                let page = try await store.search(SearchRequest(text: "đường", limit: 10, cursor: cursor))
                seen += page.items
                cursor = page.next
                if cursor != nil { #expect(page.items.count == 10) }
            } while cursor != nil
            #expect(seen.count == 57)
            #expect(Set(seen).count == 57)
            #expect(seen[0].contains("Đường số 54"), "title matches first, newest first")
        }
    }

    @Test("Past the ranking window: every match once, all exact matches before folded-only ones", arguments: StoreMakers.all)
    func beyondTheWindow(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let drafts = (0..<2500).map { i in draft(i % 2 == 0 ? "Đường số \(i)" : "Dương số \(i)") }
            #expect(try await store.createMaterials(drafts, ownerID: user.id) == 2500)
            var titles: [String] = []
            var cursor: SearchCursor? = nil
            var first: SearchPage? = nil
            repeat {
                let page = try await store.search(SearchRequest(text: "đường", limit: 100, cursor: cursor))
                if first == nil { first = page }
                titles += page.items.map { item in
                    let object = try? JSONSerialization.jsonObject(with: Data(item.utf8)) as? [String: Any]
                    return ((object?["metadata"] as? [String: Any])?["title"] as? String) ?? ""
                }
                cursor = page.next
            } while cursor != nil
            #expect(first?.total == 200 && first?.totalIsLowerBound == true, "counted up to the ranking window")
            let counted = try await store.search(SearchRequest(text: "duong", facets: [.subject]))
            #expect(counted.total == SearchPage.countLimit && counted.totalIsLowerBound, "counted further when facets are asked for")
            #expect(counted.facetCounts[.subject]?.first?.count == SearchPage.countLimit)
            #expect(titles.count == 2500)
            #expect(Set(titles).count == 2500)
            #expect(titles.prefix(1250).allSatisfy { $0.hasPrefix("Đường") })
            #expect(titles.suffix(1250).allSatisfy { $0.hasPrefix("Dương") })
            #expect(titles.first == "Đường số 2498", "newest exact match first")
        }
    }

    @Test("Words found in most documents are checked on candidates, extracted text included", arguments: StoreMakers.all)
    func commonWords(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let drafts = (0..<300).map { i in
                var d = draft(i % 10 != 0 ? "Bài \(i) và ôn tập" : "Bài \(i) ôn tập")
                if i % 20 == 0 { d.extractedText = "có và ở đây" }
                return d
            }
            #expect(try await store.createMaterials(drafts, ownerID: user.id) == 300)
            let expected = (0..<300).filter { $0 % 10 != 0 || $0 % 20 == 0 }.count
            let counted = try await store.search(SearchRequest(text: "và ôn", facets: [.kind]))
            #expect(counted.total == expected)
            let folded = try await store.search(SearchRequest(text: "va on", facets: [.kind]))
            #expect(folded.total == expected)
            var all: [String] = []
            var cursor: SearchCursor? = nil
            repeat {
                let page = try await store.search(SearchRequest(text: "và", limit: 50, cursor: cursor))
                all += page.items
                cursor = page.next
            } while cursor != nil
            #expect(all.count == expected && Set(all).count == expected)
        }
    }

    @Test("Facet filters, unit descendants and visibility", arguments: StoreMakers.all)
    func facetsAndVisibility(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let other = try await teacher(store, "gv.binh")
            _ = try await store.createMaterial(draft("Phân số", grades: [6], units: ["TOAN.6.SD.2.3"]), ownerID: user.id, firstVersion: nil)
            _ = try await store.createMaterial(draft("Phân số lớp 7", grades: [7]), ownerID: user.id, firstVersion: nil)
            _ = try await store.createMaterial(draft("Phân số nháp", status: .draft), ownerID: user.id, firstVersion: nil)
            _ = try await store.createMaterial(draft("Phân số trong ngành", visibility: .sector), ownerID: user.id, firstVersion: nil)

            #expect(try await store.search(SearchRequest(text: "phân số")).total == 2, "anonymous: published and public only")
            #expect(try await store.search(SearchRequest(text: "phân số", viewer: other)).total == 3, "signed in: sector too")
            #expect(try await store.search(SearchRequest(text: "phân số", viewer: user)).total == 4, "owner: own draft too")
            let grade6 = try await store.search(SearchRequest(text: "phan so", filters: SearchFilters([.grade: ["6"]])))
            #expect(grade6.total == 1)
            let unit = try await store.search(SearchRequest(filters: SearchFilters([.knowledgeUnit: ["TOAN.6"]])))
            #expect(unit.total == 1, "a unit filter includes its descendants")
            let counted = try await store.search(SearchRequest(text: "phan so", facets: [.grade, .subject]))
            #expect(counted.facetCounts[.grade]?.map(\.value) == ["6", "7"])
            #expect(counted.facetCounts[.subject]?.first?.count == 2)
        }
    }

    @Test("Updates re-index: old words stop matching, new words match", arguments: StoreMakers.all)
    func reindex(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let m = try await store.createMaterial(draft("Hình tam giác"), ownerID: user.id, firstVersion: nil)
            var metadata = m.metadata
            metadata.title = "Hình vuông"
            _ = try await store.updateMaterial(m.pid, metadata: metadata, visibility: nil, status: nil)
            #expect(try await store.search(SearchRequest(text: "tam giac")).total == 0)
            #expect(try await store.search(SearchRequest(text: "hinh vuong")).total == 1)
            _ = try await store.updateMaterial(m.pid, metadata: nil, visibility: nil, status: .withdrawn)
            #expect(try await store.search(SearchRequest(text: "hinh vuong")).total == 0)
            #expect(try await store.integrityProblems().isEmpty)
        }
    }

    @Test("Versions are numbered and update the current version", arguments: StoreMakers.all)
    func versions(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let first = VersionDraft(contentID: .of(text: "v1"), fileName: "a.pdf", mediaType: "application/pdf", byteSize: 2, createdBy: user.id)
            let m = try await store.createMaterial(draft("Tài liệu"), ownerID: user.id, firstVersion: first)
            let second = VersionDraft(
                contentID: .of(text: "v2"), fileName: "b.txt", mediaType: "text/plain", byteSize: 2, createdBy: user.id,
                extractedText: "nội dung mới")
            let v2 = try await store.addVersion(m.pid, second)
            #expect(v2.number == 2)
            #expect(try await store.versions(m.pid).map(\.number) == [1, 2])
            #expect(try await store.material(m.pid)?.currentVersion == 2)
            #expect(try await store.search(SearchRequest(text: "noi dung moi")).total == 1, "extracted text is indexed")
            #expect(try await store.referencedContentIDs() == [.of(text: "v1"), .of(text: "v2")])
            #expect(try await store.integrityProblems().isEmpty)
        }
    }
}

@Suite("Search index maintenance")
struct MaintenanceTests {
    @Test("Incremental merges after many small batches keep every match findable", arguments: StoreMakers.all)
    func merges(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await store.createUser(NewUser(username: "gv.a", displayName: "A", roles: [.teacher], passwordHash: "x"))
            for batch in 0..<40 {
                let drafts = (0..<25).map { i in
                    MaterialDraft(kind: .document, format: "text/plain", metadata: MaterialMetadata(title: "Bài \(batch)-\(i) phân số"), status: .published)
                }
                _ = try await store.createMaterials(drafts, ownerID: user.id)
            }
            var rounds = 0
            while try await store.maintainSearchIndex(budget: .milliseconds(50)), rounds < 100 { rounds += 1 }
            #expect(try await store.maintainSearchIndex(budget: .seconds(1)) == false, "nothing left to merge")
            #expect(try await store.search(SearchRequest(text: "phan so", facets: [.kind])).total == 1000)
            #expect(try await store.integrityProblems().isEmpty)
        }
    }
}
