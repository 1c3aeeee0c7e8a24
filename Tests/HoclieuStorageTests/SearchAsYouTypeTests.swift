import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

/// Issue 19: the last word as a prefix, and the two tone-placement styles as one word.
@Suite("Search as you type and tone placement")
struct SearchAsYouTypeTests {
    func add(_ store: any Store, _ owner: Int64, _ title: String, description: String = "") async throws -> PersistentIdentifier {
        try await store.createMaterial(
            MaterialDraft(kind: .document, format: "text/plain", metadata: MaterialMetadata(title: title, description: description), status: .published),
            ownerID: owner, firstVersion: nil
        ).pid
    }

    func titles(_ store: any Store, _ query: String, limit: Int = 20) async throws -> [String] {
        var titles: [String] = []
        for pid in try await store.search(SearchRequest(text: query, limit: limit)).pids {
            titles.append(try #require(try await store.material(pid)).metadata.title)
        }
        return titles
    }

    @Test("The last word matches as a prefix, in both tiers; whole-word matches rank first; a finished word (trailing space) does not", arguments: StoreMakers.all)
    func prefix(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let owner = try await store.createUser(NewUser(username: "gv.an", displayName: "gv", roles: [.teacher], passwordHash: "x")).id
            for title in ["Organic chemistry", "Chemistry lab", "Physical chemistry", "Chemistry of water"] { _ = try await add(store, owner, title) }
            _ = try await add(store, owner, "Chemists at work")
            // Whole word: the four, as before.
            #expect(try await titles(store, "chemistry").count == 4)
            // Unfinished: the four (and not the chemists).
            #expect(Set(try await titles(store, "chemistr")) == ["Organic chemistry", "Chemistry lab", "Physical chemistry", "Chemistry of water"])
            // "chemist": the whole word first, then the prefix-only ones.
            #expect(try await titles(store, "chemist").count == 5)
            _ = try await add(store, owner, "The chemist")
            let ranked = try await titles(store, "chemist")
            #expect(ranked.first == "The chemist")
            #expect(ranked.count == 6)
            // A trailing space says the word is finished: whole words only.
            #expect(try await titles(store, "chemistr ").isEmpty)
            // One or two letters are not a prefix (they would begin most words of the index).
            #expect(try await titles(store, "c").isEmpty)
            #expect(try await titles(store, "ch").isEmpty)

            // Vietnamese: with and without diacritics; the exact prefix ranks above the folded-only prefix.
            let exact = try await add(store, owner, "Phương trình bậc hai")
            let folded = try await add(store, owner, "Phuong phap giai toan")
            _ = try await add(store, owner, "Phường xã")
            let withMarks = try await store.search(SearchRequest(text: "phương trì")).pids
            #expect(withMarks == [exact])
            let typed = try await store.search(SearchRequest(text: "phươn")).pids
            // The exact prefix first; then the folded-only ones ("phường" folds to "phuong" too).
            #expect(typed.first == exact)
            #expect(typed.count == 3 && Set(typed).contains(folded))
            let plain = try await store.search(SearchRequest(text: "phuon")).pids
            #expect(plain.count == 3)
            // Pages of a prefix query cover every match once.
            var seen: [PersistentIdentifier] = []
            var cursor: SearchCursor? = nil
            repeat {
                let page = try await store.search(SearchRequest(text: "chemi", limit: 2, cursor: cursor))
                seen += page.pids
                cursor = page.next
            } while cursor != nil
            #expect(seen.count == 6 && Set(seen).count == 6)
        }
    }

    @Test("A prefix never reaches the index's own terms (licence, visibility, subject…), only words", arguments: StoreMakers.all)
    func reservedTerms(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let owner = try await store.createUser(NewUser(username: "gv.an", displayName: "gv", roles: [.teacher], passwordHash: "x")).id
            for i in 0..<3 {
                _ = try await store.createMaterial(
                    MaterialDraft(
                        kind: .document, format: "text/plain",
                        metadata: MaterialMetadata(title: "Bài \(i)", subjects: ["TOAN"], grades: [6], licence: "CC-BY-4.0"), status: .published),
                    ownerID: owner, firstVersion: nil)
            }
            let history = try await add(store, owner, "Lịch sử địa phương")
            let visit = try await add(store, owner, "Visiting the museum")
            let student = try await add(store, owner, "Students and stars")
            #expect(try await store.search(SearchRequest(text: "lic")).pids == [history])
            #expect(try await store.search(SearchRequest(text: "vis")).pids == [visit])
            #expect(try await store.search(SearchRequest(text: "sub")).pids.isEmpty)
            #expect(try await store.search(SearchRequest(text: "stu")).pids == [student])
            #expect(try await store.search(SearchRequest(text: "kin")).pids.isEmpty)
        }
    }

    @Test("hòa/hoà, thủy/thuỷ, quý/qúy, khỏe/khoẻ, hủy/huỷ: either spelling finds both in the exact tier", arguments: StoreMakers.all)
    func tonePlacement(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let owner = try await store.createUser(NewUser(username: "gv.an", displayName: "gv", roles: [.teacher], passwordHash: "x")).id
            let pairs = [("hòa", "hoà"), ("thủy", "thuỷ"), ("quý", "qúy"), ("khỏe", "khoẻ"), ("hủy", "huỷ")]
            for (old, new) in pairs {
                let a = try await add(store, owner, "Bài \(old) một")
                let b = try await add(store, owner, "Bài \(new) hai")
                // A folded-only neighbour ranks after both: same letters, other marks.
                let other = try await add(store, owner, "Bài \(VietnameseText.fold(old)) ba")
                for query in [old, new] {
                    let pids = try await store.search(SearchRequest(text: query + " ")).pids
                    #expect(Set(pids.prefix(2)) == [a, b], "\(query)")
                    #expect(pids.last == other, "\(query)")
                }
            }
        }
    }
}
