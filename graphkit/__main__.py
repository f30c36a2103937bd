from graphkit.cli.main import main

main(prog_name="graphkit")
