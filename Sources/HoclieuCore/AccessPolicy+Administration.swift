/// The department's administration tasks that have no owner but the department: what a screen of `/admin` does.
public enum AdministrationTask: String, Sendable, CaseIterable {
    /// Registering, changing, removing and running the OAI-PMH repositories this service harvests; reading their runs.
    case harvestSources = "harvest-sources"
    /// Loading a framework of the knowledge-unit catalogue (CSV or CASE).
    case catalogImport = "catalog-import"
    /// Taking backups, listing and downloading them (a backup holds every account and every private material).
    case backups
}

extension AccessPolicy {
    /// Who may do an administration task, in one place:
    ///
    /// | task | who |
    /// |---|---|
    /// | harvest sources, catalogue import, backups | department administrators (and the command line, whose operator holds the data folder) |
    ///
    /// School administrators, the board, teachers and LMS clients may not: a harvest source publishes into the whole
    /// repository, a catalogue framework is the department's, and a backup holds everyone's data.
    public static func canAdminister(_ viewer: User?, _ task: AdministrationTask) -> Bool {
        guard let viewer, !viewer.disabled else { return false }
        return viewer.has(.admin)
    }
}
