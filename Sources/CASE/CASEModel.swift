import Foundation

/// IMS CASE 1.0 objects as the provider serves them (field names as the specification spells them).
/// Optional fields are left out when empty, never sent as `null`.
public enum CASE {
    public struct LinkURI: Codable, Sendable, Equatable {
        public var title: String
        public var identifier: String
        public var uri: String
    }

    public struct CFDocument: Codable, Sendable, Equatable {
        public var identifier: String
        /// The same UUID under the name the REST binding uses; set outside a package only.
        public var sourcedId: String?
        public var uri: String
        public var creator: String
        public var title: String
        public var lastChangeDateTime: String
        public var officialSourceURL: String?
        public var publisher: String?
        public var description: String?
        public var subject: [String]?
        public var subjectURI: [LinkURI]?
        public var language: String?
        public var version: String?
        public var adoptionStatus: String?
        public var licenseURI: LinkURI?
        public var notes: String?
        /// Present outside a package only.
        public var CFPackageURI: LinkURI?
    }

    public struct CFItem: Codable, Sendable, Equatable {
        public var identifier: String
        /// The same UUID under the name the REST binding uses; set outside a package only.
        public var sourcedId: String?
        public var fullStatement: String
        public var uri: String
        public var lastChangeDateTime: String
        public var humanCodingScheme: String?
        public var listEnumeration: String?
        public var abbreviatedStatement: String?
        public var alternativeLabel: String?
        public var CFItemType: String?
        public var CFItemTypeURI: LinkURI?
        public var language: String?
        public var educationLevel: [String]?
        public var notes: String?
        public var licenseURI: LinkURI?
        /// Present outside a package only.
        public var CFDocumentURI: LinkURI?
        /// A concept the item is about (read from other providers; Hoclieu writes none).
        public var conceptKeywordsURI: LinkURI?
        /// `YYYY-MM-DD`: the day a deprecated unit stopped being in force (its `replacedBy` association, when the
        /// catalogue names one, says what took its place).
        public var statusEndDate: String?
    }

    public struct CFAssociation: Codable, Sendable, Equatable {
        public var identifier: String
        /// The same UUID under the name the REST binding uses; set outside a package only.
        public var sourcedId: String?
        public var associationType: String
        public var uri: String
        public var originNodeURI: LinkURI
        public var destinationNodeURI: LinkURI
        public var sequenceNumber: Int?
        public var lastChangeDateTime: String
        /// Present outside a package only.
        public var CFDocumentURI: LinkURI?
        /// The grouping the association belongs to (read from other providers; Hoclieu writes none).
        public var CFAssociationGroupingURI: LinkURI?
    }

    public struct CFItemType: Codable, Sendable, Equatable {
        public var identifier: String
        public var uri: String
        public var title: String
        public var description: String
        public var hierarchyCode: String
        public var typeCode: String?
        public var lastChangeDateTime: String
    }

    public struct CFSubject: Codable, Sendable, Equatable {
        public var identifier: String
        public var uri: String
        public var title: String
        public var hierarchyCode: String
        public var description: String?
        public var lastChangeDateTime: String
    }

    public struct CFLicense: Codable, Sendable, Equatable {
        public var identifier: String
        public var uri: String
        public var title: String
        public var description: String?
        public var licenseText: String
        public var lastChangeDateTime: String
    }

    public struct CFDefinitions: Codable, Sendable, Equatable {
        public var CFConcepts: [CFSubject] = []
        public var CFSubjects: [CFSubject] = []
        public var CFLicenses: [CFLicense] = []
        public var CFItemTypes: [CFItemType] = []
        public var CFAssociationGroupings: [CFSubject] = []
    }

    public struct CFPackage: Codable, Sendable, Equatable {
        public var CFDocument: CFDocument
        public var CFItems: [CFItem]
        public var CFAssociations: [CFAssociation]
        public var CFDefinitions: CFDefinitions
    }

    /// The error body of every failed CASE request.
    public struct StatusInfo: Codable, Sendable, Equatable {
        public struct CodeMinorField: Codable, Sendable, Equatable {
            public var imsx_codeMinorFieldName: String
            public var imsx_codeMinorFieldValue: String
        }
        public struct CodeMinor: Codable, Sendable, Equatable {
            public var imsx_codeMinorField: [CodeMinorField]
        }
        public var imsx_codeMajor = "failure"
        public var imsx_severity = "error"
        public var imsx_description: String
        public var imsx_codeMinor: CodeMinor

        public init(description: String, field: String, value: String) {
            imsx_description = description
            imsx_codeMinor = CodeMinor(imsx_codeMinorField: [CodeMinorField(imsx_codeMinorFieldName: field, imsx_codeMinorFieldValue: value)])
        }
    }
}
