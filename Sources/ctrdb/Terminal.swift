import ArgumentParser
import CTRKit
import Foundation

/// Standard error: the only place the executable prints messages (stdout carries rows only).
enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static var columns: Int? {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return nil
    }

    static func error(_ message: String) {
        writeError("ctrdb: error: \(message)\n")
    }

    static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }
}

/// Runs `body` and turns library errors into a message on stderr and exit 1.
func failingClearly(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        Terminal.error(CTRKit.Ingest.message(for: error))
        throw ExitCode.failure
    }
}
