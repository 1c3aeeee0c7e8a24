import HoclieuCLI

await HoclieuCommand.runMain()
