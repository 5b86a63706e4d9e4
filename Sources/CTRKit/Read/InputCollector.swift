import Foundation

/// One input to ingest: a file on disk or standard input.
public enum InputItem: Equatable, Sendable {
    case file(path: String, size: Int64)
    case standardInput

    /// The name the database and messages use for this input.
    public var displayPath: String {
        switch self {
        case let .file(path, _): return path
        case .standardInput: return InputCollector.standardInputLabel
        }
    }

    /// The file's size when it was collected, for progress (standard input's is unknown: 0).
    public var size: Int64 {
        if case let .file(_, size) = self { return size }
        return 0
    }
}

/// Expands the command line's inputs: files as given, folders walked recursively in
/// sorted order with hidden files and folders skipped, and `-` for standard input.
public enum InputCollector {
    public static let standardInputLabel = "<stdin>"

    public static func collect(_ arguments: [String]) throws -> [InputItem] {
        var items: [InputItem] = []
        for argument in arguments {
            if argument == "-" {
                items.append(.standardInput)
                continue
            }
            let path = normalize(argument)
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT { throw ReadError.notFound(path: path) }
                throw ReadError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                try walk(folder: path, into: &items)
            } else {
                items.append(.file(path: path, size: Int64(info.st_size)))
            }
        }
        return items
    }

    /// Drops a leading `./` and trailing slashes, so the same file has one name.
    static func normalize(_ path: String) -> String {
        var result = path
        while result.hasPrefix("./"), result.count > 2 { result.removeFirst(2) }
        while result.count > 1, result.hasSuffix("/") { result.removeLast() }
        return result
    }

    private static func walk(folder: String, into items: inout [InputItem]) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw ReadError.cannotOpen(path: folder, reason: "cannot list the folder")
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = folder == "/" ? "/" + name : folder + "/" + name
            var info = stat()
            // lstat: a symbolic link to a folder is not followed, so a link loop cannot hang the walk.
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                try walk(folder: path, into: &items)
            case S_IFREG:
                items.append(.file(path: path, size: Int64(info.st_size)))
            case S_IFLNK:
                // A link to a file counts as that file. A dangling link is listed too, so that
                // reading it fails loudly for this file alone instead of vanishing from the run.
                var target = stat()
                if stat(path, &target) != 0 {
                    items.append(.file(path: path, size: 0))
                } else if (target.st_mode & S_IFMT) == S_IFREG {
                    items.append(.file(path: path, size: Int64(target.st_size)))
                }
            default:
                continue
            }
        }
    }
}
