import ArgumentParser
import HoclieuCLI

await HoclieuCommand.main()
