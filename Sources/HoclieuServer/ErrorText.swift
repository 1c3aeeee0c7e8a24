import CommonCartridge
public import Foundation
import HoclieuCore
import HoclieuStorage

/// The message of a failure for people, Vietnamese then English, for the errors that carry one.
public enum ErrorText {
    /// `vi / en` for the errors of storage, files, problems and cartridges; nil for any other error.
    public static func bilingual(_ error: any Error) -> String? {
        switch error {
        case StoreError.invalid(let message): message
        case StoreError.conflict(let what): "đã tồn tại / already exists: \(what)"
        case FileNameError.unsafe(let name): "tên tệp không an toàn / unsafe file name: \(name)"
        case let error as BlobError: "\(error)"
        case let problem as Problem: "\(problem.vi) / \(problem.en)"
        case let error as CartridgeError: "\(error.vietnamese) / \(error.english)"
        case let error as CartridgeExportError: "\(error.vietnamese) / \(error.english)"
        default: nil
        }
    }
}
