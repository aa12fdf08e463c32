"""Store cases (filled in below)."""
def prepare(opts): pass
def drop_databases(ctx):
    pass
