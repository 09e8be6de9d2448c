from goldenbridge.cli import main

main()
