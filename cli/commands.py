"""Which module registers each `kb` command: read by the root app (cli.app), which imports a
module only when its command runs, and by cli.prefetch before anything else is imported. Plain
data, no imports."""

COMMANDS = {
    "check": "check",
    "build": "build",
    "db": "db",
    "claim": "claim",
    **dict.fromkeys(("hypothesis", "confound", "model", "source", "text", "discrepancy", "question"), "records"),
    "review": "review",
    "audit": "audit",
    "synth": "synth",
    **dict.fromkeys(("portfolio", "explain", "sensitivity"), "portfolio"),
    "calibrate": "calibrate",
    "site": "site",
    "history": "history",
    "search": "search",
    "schema": "schema",
}

# the modules whose `list` and `show` commands read through cli.context.fresh_root
READ_MODULES = ("claim", "records", "search")
