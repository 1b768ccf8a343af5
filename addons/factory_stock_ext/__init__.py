# Registration lives in tryton.cfg [register] (Tryton 8.0 convention).
# routes registers the scanner HTTP API on import (@app.route decorators)
from . import routes  # noqa: F401
