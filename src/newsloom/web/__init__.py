"""The web UI: Jinja2 templates, a stylesheet and one small script, all served locally."""
