import Foundation
import HoclieuStorage

extension StoreMaker {
    /// PostgreSQL (``HoclieuStorage`` `PostgresStore`), on the server named by `HOCLIEU_TEST_DATABASE_URL`.
    ///
    /// The PostgreSQL port replaces this file: a `scope` that makes a fresh schema (or database) on
    /// ``StoreMakers/postgresURL``, opens a `PostgresStore` with prefix `79-760` on it, runs `body`, then shuts the
    /// client down and drops the schema; `unavailable` then only says when `HOCLIEU_TEST_DATABASE_URL` is not set
    /// (keep that reason's wording: `.ci/run` looks for it).
    static let postgreSQL = StoreMaker(
        name: "PostgreSQL",
        unavailable: StoreMakers.postgresURL == nil
            ? "HOCLIEU_TEST_DATABASE_URL is not set (.ci/pg-start.sh starts a throwaway PostgreSQL 15 and sets it)"
            : "this build has no PostgreSQL store yet"
    ) { _ in
        throw StoreError.invalid("no PostgreSQL store in this build")
    }
}
