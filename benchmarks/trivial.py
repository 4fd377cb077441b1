"""The reference page for web benchmarks: the smallest Flask app, served the same way as ours."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "<!doctype html><title>ok</title><p>ok</p>"
