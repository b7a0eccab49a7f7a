from sozialforum.cli import main

main()
