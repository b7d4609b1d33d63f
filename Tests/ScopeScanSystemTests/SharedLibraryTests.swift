import Testing
import ScopeScanSystem

@Suite("Shared libraries loaded on first use (dlopen)")
struct SharedLibraryTests {
    @Test("a library that is there is loaded and its function called; a missing one gives the loader's message")
    func loadAndCall() throws {
        #if os(Linux)
        let library = try SharedLibrary.load(["libscopescan-missing.so.9", "libc.so.6"]).get()
        let strlen = try #require(library.function("strlen", as: (@convention(c) (UnsafePointer<CChar>?) -> Int).self))
        #expect("scope id".withCString { strlen($0) } == 8)
        #expect(library.function("scopescan_no_such_symbol", as: (@convention(c) () -> Void).self) == nil)
        #endif
        switch SharedLibrary.load(["libscopescan-missing.so.9"]) {
        case .success: Issue.record("a library that does not exist was loaded")
        case .failure(let problem):
            #expect(problem.message.contains("libscopescan-missing.so.9"), "\(problem.message)")
            #expect(!problem.message.contains("\n"))
        }
        switch SharedLibrary.load([]) {
        case .success: Issue.record("no name, yet a library")
        case .failure(let problem): #expect(problem.message == "no library name given")
        }
    }
}
