import Foundation
import HoclieuStorage

extension StoreMaker {
    /// PostgreSQL (``PostgresStore``), on the server named by `HOCLIEU_TEST_DATABASE_URL`: each test gets a database of
    /// its own (`hoclieu_test_…`, made and dropped by ``PostgresTestDatabase/with(_:)``).
    static let postgreSQL = StoreMaker(
        name: "PostgreSQL",
        unavailable: StoreMakers.postgresURL == nil
            ? "HOCLIEU_TEST_DATABASE_URL is not set (.ci/pg-start.sh starts a throwaway PostgreSQL 15 and sets it)" : nil
    ) { body in
        try await PostgresTestDatabase.with { store in try await body(store) }
    }
}
