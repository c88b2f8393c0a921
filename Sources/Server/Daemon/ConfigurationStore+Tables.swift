extension ConfigurationStore {
    /// Why a table could not be reloaded.
    struct TableReloadError: Error, CustomStringConvertible {
        let description: String
    }

    /// Re-reads the tables of the configuration in force (`ternctl update
    /// table NAME`); on an error the tables in force are kept.
    func reloadTable(named name: String) throws {
        let configuration = current.configuration
        guard let definition = configuration.tables[name] else {
            throw TableReloadError(description: "no table \(name) in the configuration in force")
        }
        guard !definition.isInline else {
            throw TableReloadError(description: "table \(name) is inline; edit the configuration and reload it (SIGHUP)")
        }
        do {
            replace(with: try ConfigurationStore.load(configuration))
        } catch {
            throw TableReloadError(description: "table \(name) not reloaded, keeping the one in force: \(error)")
        }
    }
}
