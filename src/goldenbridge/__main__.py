from goldenbridge.cli import app

app(prog_name="goldenbridge")
